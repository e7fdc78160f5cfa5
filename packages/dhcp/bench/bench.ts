// Benchmark of @pxe/dhcp (the built dist/: tsx resolves "@pxe/dhcp" without the @pxe/source
// condition, so the package exports point at dist/) against a plain Buffer copy and the npm `dhcp` package.
// Run: pnpm --filter @pxe/dhcp run bench   (builds first; ratios are printed in the same run)
// The machine is shared, so the tasks run in ROUNDS interleaved rounds (DHCP_BENCH_ROUNDS, default
// 5): each figure is the median over rounds of the task's median latency, and each ratio is the
// median over rounds of the ratio measured within one round (a load spike then hits both sides).
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DhcpMessage, DhcpView, decodeMessage, encodeInto, MessageType } from "@pxe/dhcp";
import { Bench } from "tinybench";
import { DHCP_PORTS, readUdp } from "../test/pcap.js";

const require = createRequire(import.meta.url);
const npmDhcp = require("dhcp/lib/protocol.js") as {
  parse(b: Buffer): unknown;
  format(d: unknown): unknown;
};

const here = path.dirname(fileURLToPath(import.meta.url));
const pcap = path.resolve(
  here,
  "../../../../shared/captures/public/danderson__netboot__dhcp4__testdata__dhcp.pcap",
);

const chaddr = "d0:50:99:4e:05:57";
const discoverMsg = new DhcpMessage({
  xid: 0x9b4e0557,
  chaddr,
  broadcast: true,
  options: [
    [53, MessageType.DISCOVER],
    [57, 1260],
    [
      55,
      [
        1, 2, 3, 4, 5, 6, 11, 12, 13, 15, 16, 17, 18, 22, 23, 28, 40, 41, 42, 43, 50, 51, 54, 58,
        59, 60, 66, 67, 128, 129, 130, 131, 132, 133, 134, 135,
      ],
    ],
    [97, Uint8Array.of(0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8, 0, 9)],
    [94, Uint8Array.of(1, 2, 1)],
    [93, [0]],
    [60, "PXEClient:Arch:00000:UNDI:002001"],
  ],
});
const pxeMenu = Uint8Array.from([6, 1, 8, 255]);
const offerMsg = new DhcpMessage({
  op: 2,
  xid: 0x9b4e0557,
  chaddr,
  broadcast: true,
  siaddr: "192.168.16.10",
  file: "undionly.kpxe",
  options: [
    [53, MessageType.OFFER],
    [54, "192.168.16.10"],
    [60, "PXEClient"],
    [43, pxeMenu],
    [97, Uint8Array.of(0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8, 0, 9)],
  ],
});
const offerForNpm = {
  op: 2,
  htype: 1,
  hlen: 6,
  hops: 0,
  xid: 0x9b4e0557,
  secs: 0,
  flags: 0x8000,
  ciaddr: "0.0.0.0",
  yiaddr: "0.0.0.0",
  siaddr: "192.168.16.10",
  giaddr: "0.0.0.0",
  chaddr,
  sname: "",
  file: "undionly.kpxe",
  // the npm package has no codec for option 97, so its OFFER carries one option fewer
  options: { 53: 2, 54: "192.168.16.10", 60: "PXEClient", 43: [...pxeMenu] },
};
const discoverForNpm = {
  op: 1,
  htype: 1,
  hlen: 6,
  hops: 0,
  xid: 0x9b4e0557,
  secs: 0,
  flags: 0x8000,
  ciaddr: "0.0.0.0",
  yiaddr: "0.0.0.0",
  siaddr: "0.0.0.0",
  giaddr: "0.0.0.0",
  chaddr,
  sname: "",
  file: "",
  // no codecs for 93/94/97 in the npm package: its DISCOVER carries three options fewer
  options: {
    53: 1,
    57: 1260,
    55: [...((discoverMsg.options.get(55) as readonly number[] | undefined) ?? [])],
    60: "PXEClient:Arch:00000:UNDI:002001",
  },
};

let discover: Uint8Array;
let source: string;
if (existsSync(pcap)) {
  const ds = readUdp(pcap).filter((d) => DHCP_PORTS.has(d.dstPort));
  discover = ds[0]!.payload.slice();
  source = `pixiecore dhcp.pcap DISCOVER (${discover.length} B)`;
} else {
  const out = new Uint8Array(1500);
  discover = out.slice(0, encodeInto(discoverMsg, out));
  source = `synthesised DISCOVER (${discover.length} B; ../shared/captures missing)`;
}
const discoverBuf = Buffer.from(discover);
const out = new Uint8Array(1500);

// npm dhcp logs every option it does not know (93, 94, 97) through console.error: mute it.
const quiet = (f: () => unknown) => () => {
  const e = console.error;
  console.error = () => {};
  try {
    f();
  } finally {
    console.error = e;
  }
};

let sink = 0;
const COPY = "Buffer.from copy of the DISCOVER (floor)";
const VIEW = "view + 53/60/93/97/77";
const FULL = "full typed decode (decodeMessage)";
const PARSE = "npm dhcp parse";
const ENC_D = "encode PXE DISCOVER into reused buffer";
const ENC_O = "encode proxy OFFER into reused buffer";
const FMT_D = "npm dhcp format (PXE DISCOVER)";
const FMT_O = "npm dhcp format (proxy OFFER)";
// The same two operations 16 times per timed call: tinybench times every call, so single calls
// of ~100 ns include the timer's own cost; these rows show the figures with it amortised.
const B = 16;
const COPY_B = `Buffer copy, x${B} per timed call (per op)`;
const VIEW_B = `view + PXE fields, x${B} per timed call (per op)`;
const EMPTY = "(timer cost: an empty task)";
const tasks: Array<[string, () => void]> = [
  [
    EMPTY,
    () => {
      sink++;
    },
  ],
  [
    COPY,
    () => {
      sink += Buffer.from(discover).length;
    },
  ],
  [
    VIEW,
    () => {
      // what a proxyDHCP server reads first: type, PXEClient prefix, arch, UUID view, user class
      const v = new DhcpView(discover);
      sink += v.messageType ?? 0;
      sink += v.startsWith(60, "PXEClient") ? 1 : 0;
      sink += v.u16(93) ?? 0;
      sink += v.get(97)?.length ?? 0;
      sink += v.get(77)?.length ?? 0;
    },
  ],
  [
    FULL,
    () => {
      sink += decodeMessage(discover).options.size;
    },
  ],
  [
    PARSE,
    quiet(() => {
      sink += (npmDhcp.parse(discoverBuf) as { op: number }).op;
    }),
  ],
  [
    ENC_D,
    () => {
      sink += encodeInto(discoverMsg, out, 0);
    },
  ],
  [
    FMT_D,
    () => {
      sink += (npmDhcp.format(discoverForNpm) as { _w: number })._w;
    },
  ],
  [
    ENC_O,
    () => {
      sink += encodeInto(offerMsg, out, 0);
    },
  ],
  [
    FMT_O,
    () => {
      sink += (npmDhcp.format(offerForNpm) as { _w: number })._w;
    },
  ],
  [
    COPY_B,
    () => {
      for (let i = 0; i < B; i++) sink += Buffer.from(discover).length;
    },
  ],
  [
    VIEW_B,
    () => {
      for (let i = 0; i < B; i++) {
        const v = new DhcpView(discover);
        sink += v.messageType ?? 0;
        sink += v.startsWith(60, "PXEClient") ? 1 : 0;
        sink += v.u16(93) ?? 0;
        sink += v.get(97)?.length ?? 0;
        sink += v.get(77)?.length ?? 0;
      }
    },
  ],
];
const perOp = (name: string): number => (name === COPY_B || name === VIEW_B ? B : 1);

const rounds = Math.max(1, Number(process.env.DHCP_BENCH_ROUNDS ?? 5) | 0);
const load0 = loadavg();
const perRound: Array<Map<string, number>> = [];
for (let r = 0; r < rounds; r++) {
  const bench = new Bench({ time: 300, warmupTime: 100 });
  for (const [name, fn] of tasks) bench.add(name, fn);
  await bench.run();
  const m = new Map<string, number>();
  for (const t of bench.tasks) {
    const res = t.result as unknown as {
      latency?: { mean: number; p50?: number };
      mean?: number;
    };
    const ms = res.latency?.p50 ?? res.latency?.mean ?? res.mean ?? Number.NaN;
    m.set(t.name, (ms * 1e6) / perOp(t.name));
  }
  perRound.push(m);
}
const load1 = loadavg();

const median = (xs: number[]): number => {
  const a = xs.slice().sort((x, y) => x - y);
  const h = a.length >> 1;
  return a.length % 2 ? a[h]! : (a[h - 1]! + a[h]!) / 2;
};
const ns = (name: string): number => median(perRound.map((m) => m.get(name)!));
const ratio = (a: string, b: string): number => median(perRound.map((m) => m.get(a)! / m.get(b)!));

console.log(
  `input: ${source}; node ${process.version}; @pxe/dhcp from ${import.meta.resolve("@pxe/dhcp")}`,
);
console.log(
  `${rounds} rounds; load average (1/5/15 min) ${load0.map((x) => x.toFixed(2)).join(" ")} before, ${load1.map((x) => x.toFixed(2)).join(" ")} after`,
);
console.log("operation                                   median ns/op   (per round)");
for (const [name] of tasks) {
  const each = perRound.map((m) => m.get(name)!.toFixed(0)).join(" ");
  console.log(`${name.padEnd(44)}${ns(name).toFixed(0).padStart(10)}     (${each})`);
}
const ok = (b: boolean) => (b ? "met" : "NOT met");
const vc = ratio(VIEW, COPY);
const full = ns(FULL);
const encO = ns(ENC_O);
console.log("ratios (median of per-round ratios):");
console.log(
  `  view + PXE fields / Buffer copy       ${vc.toFixed(2)}x    target <= 2x: ${ok(vc <= 2)}`,
);
console.log(
  `  full typed decode                     ${full.toFixed(0)} ns  target <= 1000 ns: ${ok(full <= 1000)} (${ratio(FULL, COPY).toFixed(1)}x the copy)`,
);
console.log(
  `  encode proxy OFFER                    ${encO.toFixed(0)} ns  target <= 400 ns: ${ok(encO <= 400)}`,
);
const vcb = ratio(VIEW_B, COPY_B);
console.log(
  `  same, x${B} per timed call             ${vcb.toFixed(2)}x    (${ns(VIEW_B).toFixed(0)} / ${ns(COPY_B).toFixed(0)} ns, timer cost amortised)`,
);
console.log("speedup vs the npm dhcp package (target >= 20x):");
const sp = (label: string, npm: string, ours: string) => {
  const x = ratio(npm, ours);
  console.log(`  ${label.padEnd(36)}${x.toFixed(1).padStart(6)}x  ${ok(x >= 20)}`);
};
sp("parse vs view + PXE fields", PARSE, VIEW);
sp("parse vs full typed decode", PARSE, FULL);
sp("format vs encode PXE DISCOVER", FMT_D, ENC_D);
sp("format vs encode proxy OFFER", FMT_O, ENC_O);
if (sink === 42) console.log("");

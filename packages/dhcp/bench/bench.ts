// Benchmark of @pxe/dhcp (the built dist/: tsx resolves "@pxe/dhcp" without the @pxe/source
// condition, so the package exports point at dist/) against a plain Buffer copy and the npm `dhcp` package.
// Run: pnpm --filter @pxe/dhcp run bench   (builds first; ratios are printed in the same run)
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
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
const bench = new Bench({ time: 1000, warmupTime: 300 });
bench
  .add("Buffer.from copy of the DISCOVER (floor)", () => {
    sink += Buffer.from(discover).length;
  })
  .add("view + 53/60/93/97/77", () => {
    // what a proxyDHCP server reads first: type, PXEClient prefix, arch, UUID view, user class
    const v = new DhcpView(discover);
    sink += v.messageType ?? 0;
    sink += v.startsWith(60, "PXEClient") ? 1 : 0;
    sink += v.u16(93) ?? 0;
    sink += v.get(97)?.length ?? 0;
    sink += v.get(77)?.length ?? 0;
  })
  .add("full typed decode (decodeMessage)", () => {
    sink += decodeMessage(discover).options.size;
  })
  .add(
    "npm dhcp parse",
    quiet(() => {
      sink += (npmDhcp.parse(discoverBuf) as { op: number }).op;
    }),
  )
  .add("encode PXE DISCOVER into reused buffer", () => {
    sink += encodeInto(discoverMsg, out, 0);
  })
  .add("encode proxy OFFER into reused buffer", () => {
    sink += encodeInto(offerMsg, out, 0);
  })
  .add("npm dhcp format (proxy OFFER)", () => {
    sink += (npmDhcp.format(offerForNpm) as { _w: number })._w;
  });

await bench.run();

const ns = (name: string): number => {
  const t = bench.tasks.find((x) => x.name === name)!;
  const r = t.result as unknown as { latency?: { mean: number; p50?: number }; mean?: number };
  const ms = r.latency?.p50 ?? r.latency?.mean ?? r.mean ?? Number.NaN;
  return ms * 1e6;
};
console.log(
  `input: ${source}; node ${process.version}; @pxe/dhcp from ${import.meta.resolve("@pxe/dhcp")}`,
);
console.log("operation                                   median ns/op");
for (const t of bench.tasks)
  console.log(`${t.name.padEnd(44)}${ns(t.name).toFixed(0).padStart(10)}`);
const copy = ns("Buffer.from copy of the DISCOVER (floor)");
const view = ns("view + 53/60/93/97/77");
const full = ns("full typed decode (decodeMessage)");
const parse = ns("npm dhcp parse");
const offer = ns("encode proxy OFFER into reused buffer");
const format = ns("npm dhcp format (proxy OFFER)");
console.log("ratios:");
console.log(`  view + PXE fields / Buffer copy      ${(view / copy).toFixed(2)}x   (target <= 2x)`);
console.log(`  npm dhcp parse / view + PXE fields   ${(parse / view).toFixed(1)}x faster`);
console.log(
  `  npm dhcp parse / full typed decode   ${(parse / full).toFixed(1)}x faster (target: decode <= 1000 ns)`,
);
console.log(
  `  npm dhcp format / encode OFFER       ${(format / offer).toFixed(1)}x faster (target: encode <= 400 ns)`,
);
if (sink === 42) console.log("");

// Benchmark of @pxe/pxe-options (the built dist/, reached through the package self-reference): classification and proxy replies per packet.
// Run: pnpm --filter @pxe/pxe-options run bench   (builds this package first; needs @pxe/dhcp built)
import { DhcpView } from "@pxe/dhcp";
import {
  buildProxyOffer,
  chooseBoot,
  classify,
  clientArchCodec,
  encodeReply,
  ipxeCodec,
  pxeSummary,
  pxeVendorCodec,
} from "@pxe/pxe-options";
import { Bench } from "tinybench";

const hex = (s: string) =>
  Uint8Array.from(s.replace(/\s+/g, "").match(/../g) ?? [], (x) => Number.parseInt(x, 16));
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

// An iPXE x64 EFI DISCOVER as in the lab capture uefi-tftp-virtio-net-pci.pcap.
const ipxe175 = hex(
  "b105011af41000 eb03010000 170101 240101 130101 110101 270101 290101 150101 1b0101 120101 100102",
);
function discover(): Uint8Array {
  const opts: Array<[number, Uint8Array]> = [
    [53, Uint8Array.of(1)],
    [57, hex("05c0")],
    [93, hex("0007")],
    [94, hex("01030a")],
    [60, ascii("PXEClient:Arch:00007:UNDI:003010")],
    [77, ascii("iPXE")],
    [
      55,
      Uint8Array.of(
        1,
        3,
        6,
        7,
        12,
        15,
        17,
        26,
        43,
        60,
        66,
        67,
        119,
        128,
        129,
        130,
        131,
        132,
        133,
        134,
        135,
        175,
        203,
      ),
    ],
    [175, ipxe175],
    [61, hex("01525400770040")],
    [97, hex("00 3802df85 a995 334d 9090 b412ccae828e")],
  ];
  let n = 240;
  for (const [, d] of opts) n += 2 + d.length;
  const b = new Uint8Array(Math.max(300, n + 1));
  b.set([1, 1, 6, 0, 0xc5, 0xd5, 0x2b, 0x2b], 0);
  b.set(hex("525400770040"), 28);
  b.set(hex("63825363"), 236);
  let i = 240;
  for (const [c, d] of opts) {
    b[i] = c;
    b[i + 1] = d.length;
    b.set(d, i + 2);
    i += 2 + d.length;
  }
  b[i] = 255;
  return b;
}
const bytes = discover();
const biosBytes = bytes.slice();
const pixiecore43 = hex(
  "06 01 03 08 07 80 00 01 c0 a8 10 0a 09 0c 80 00 09 5069786965636f7265 0a 0a 00 5069786965636f7265 ff",
);
const policy = {
  bios: "undionly.kpxe",
  uefi: { x64: "ipxe.efi" },
  ipxeScript: "http://10.0.0.1/boot.ipxe",
};

const bench = new Bench({ time: 500, warmupTime: 100 });
bench
  .add("DhcpView + classify (iPXE EFI DISCOVER)", () => {
    classify(new DhcpView(bytes));
  })
  .add("DhcpView + pxeSummary", () => {
    pxeSummary(new DhcpView(bytes));
  })
  .add("classify + chooseBoot + buildProxyOffer + encodeReply", () => {
    const v = new DhcpView(biosBytes);
    const c = classify(v);
    const r = buildProxyOffer(v, c, chooseBoot(c, policy), { serverAddress: "10.0.0.1" });
    if (r.ok) encodeReply(r.reply);
  })
  .add("decode option 43 (pixiecore menu)", () => {
    pxeVendorCodec.decode(pixiecore43);
  })
  .add("decode option 175 (iPXE features)", () => {
    ipxeCodec.decode(ipxe175);
  })
  .add("decode option 93", () => {
    clientArchCodec.decode(bytes, 249, 2);
  });

await bench.run();
console.table(
  bench.tasks.map((t) => ({
    task: t.name,
    "ops/s":
      t.result && "throughput" in t.result ? Math.round(t.result.throughput.mean) : undefined,
    "ns/op (1e9 / ops/s)":
      t.result && "throughput" in t.result ? Math.round(1e9 / t.result.throughput.mean) : undefined,
    "ns/op (median latency)":
      t.result && "latency" in t.result ? Math.round(t.result.latency.p50 * 1e6) : undefined,
  })),
);

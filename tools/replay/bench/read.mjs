// Benchmark of @pxe/replay against its build (`pnpm --filter @pxe/replay bench`, which runs tsup
// first). Reads the ~10 MB lab captures of ../shared (when present) from memory: the whole reader
// (frames, link/IP/UDP decode, classification) and, for comparison, the pcap-parser backend.
// Without ../shared it benchmarks a synthetic 10 MB capture instead. Target: well under 1 s per
// 10 MB file (issue 2).
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Bench } from "tinybench";
import { gunzip, pcapParserBackend, readCapture } from "../dist/node/index.js";

const here = dirname(fileURLToPath(import.meta.url));
const lab = resolve(here, "../../../../shared/captures/lab");

function synthetic() {
  // 10 MB of 1.5 KB Ethernet/IPv4/UDP TFTP data frames.
  const frame = new Uint8Array(14 + 20 + 8 + 4 + 1432);
  frame.set([0x08, 0x00], 12);
  frame.set([0x45, 0, (1464 >> 8) & 0xff, 1464 & 0xff], 14);
  frame[23] = 17;
  frame.set([10, 0, 0, 1, 10, 0, 0, 2], 26);
  frame.set([0, 69, 0x9c, 0x40, (1444 >> 8) & 0xff, 1444 & 0xff], 34);
  const n = Math.floor(10_000_000 / (frame.length + 16));
  const out = new Uint8Array(24 + n * (frame.length + 16));
  const v = new DataView(out.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true);
  v.setUint32(20, 1, true);
  for (let i = 0, o = 24; i < n; i++, o += frame.length + 16) {
    v.setUint32(o + 8, frame.length, true);
    v.setUint32(o + 12, frame.length, true);
    out.set(frame, o + 16);
  }
  return out;
}

const inputs = [];
if (existsSync(lab)) {
  for (const name of [
    "pxe-tftp-e1000.pcap",
    "uefi-tftp-virtio-net-pci.pcap",
    "uefi-httpboot-virtio-net-pci.pcap",
    "uefi-arm64-tftp-virtio-net-pci.pcap.gz",
  ]) {
    const p = join(lab, name);
    if (existsSync(p)) inputs.push({ name, bytes: readFileSync(p) });
  }
} else {
  console.warn(`bench: ${lab} does not exist; using a synthetic 10 MB capture`);
  inputs.push({ name: "synthetic-10MB.pcap", bytes: synthetic() });
}

const bench = new Bench({ iterations: 5, warmupIterations: 1, time: 0 });
for (const { name, bytes } of inputs) {
  const s = readCapture(bytes);
  const plain = name.endsWith(".gz") ? gunzip(bytes) : bytes;
  const label = `${name} (${(plain.length / 1e6).toFixed(1)} MB, ${s.frames} frames, ${s.datagrams.length} UDP)`;
  bench.add(`readCapture ${label}`, () => {
    readCapture(bytes);
  });
  if (!name.endsWith(".gz")) {
    bench.add(`pcap-parser backend (frames only) ${label}`, async () => {
      await pcapParserBackend.read(bytes);
    });
  }
}
await bench.run();
const rows = bench.tasks.map((t) => {
  const mean = t.result?.latency?.mean ?? t.result?.mean ?? Number.NaN;
  return {
    task: t.name,
    "mean ms": mean.toFixed(1),
    runs: t.result?.latency?.samplesCount ?? t.runs,
  };
});
console.table(rows);

// Runnable example (after `pnpm --filter @pxe/replay build`):
//   node tools/replay/examples/summary.mjs test/captures/tftp-hpa-get.pcap
import { readCapture } from "@pxe/replay/node";

const file = process.argv[2] ?? "test/captures/tftp-hpa-get.pcap";
const cap = readCapture(file); // pcap or pcapng, gzip or not; throws ReplayError if not a capture
console.log(`${file}: ${cap.format}, link types ${cap.linkTypes.join(",")}, ${cap.frames} frames`);

const opcodes = ["?", "RRQ", "WRQ", "DATA", "ACK", "ERROR", "OACK"];
for (const d of cap.datagrams) {
  if (d.kind !== "tftp") continue;
  const op = (d.payload[0] << 8) | d.payload[1]; // payload is a view into the file's bytes
  console.log(
    `#${d.frame} ${d.srcAddr}:${d.srcPort} -> ${d.dstAddr}:${d.dstPort} ${opcodes[op] ?? op} ${d.payload.length} bytes`,
  );
}
for (const e of cap.errors)
  console.log(`error ${e.code} at frame ${e.frame}, offset ${e.offset}: ${e.detail}`);

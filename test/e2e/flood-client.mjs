// DHCP flood client for test/e2e/flood.sh (runs inside the client namespace, plain Node).
// Sends N broadcast DISCOVERs from N MACs (a PXE BIOS or a non-PXE client), counts the replies
// by xid, then sends one more DISCOVER and waits (bounded) for its reply.
// Prints: FLOOD-RESULT kind=... sent=N replies=R final=0|1 ms=T
import { createSocket } from "node:dgram";

const N = Math.min(Number(process.env.FLOOD_N ?? 1000), 5000);
const KIND = process.env.FLOOD_KIND ?? "pxe"; // pxe | dhcp
const FINAL_KIND = process.env.FLOOD_FINAL_KIND ?? "pxe";
const opt = (code, bytes) => [code, bytes.length, ...bytes];
const PXE = [...opt(60, [...Buffer.from("PXEClient:Arch:00000:UNDI:002001")]), ...opt(93, [0, 0])];
const DHCP = [...opt(60, [...Buffer.from("MSFT 5.0")]), ...opt(55, [1, 3, 6, 15])];

function discover(mac, xid, kind) {
  const b = Buffer.alloc(300);
  b[0] = 1;
  b[1] = 1;
  b[2] = 6;
  b.writeUInt32BE(xid >>> 0, 4);
  b.writeUInt16BE(0x8000, 10); // broadcast flag: no address yet
  b.set([0x52, 0x54, 0x01, (mac >> 16) & 255, (mac >> 8) & 255, mac & 255], 28);
  b.writeUInt32BE(0x63825363, 236);
  b.set([53, 1, 1, ...(kind === "pxe" ? PXE : DHCP), 255], 240);
  return b;
}

const s = createSocket({ type: "udp4", reuseAddr: true });
await new Promise((r) => s.bind(68, "0.0.0.0", r));
s.setBroadcast(true);
s.setRecvBufferSize(8 * 1024 * 1024);
const seen = new Set();
const FINAL_XID = 0x0f1a0001;
let final = 0;
let onFinal = () => {};
s.on("message", (m) => {
  if (m.length < 240 || m[0] !== 2) return;
  const xid = m.readUInt32BE(4);
  if (xid === FINAL_XID) {
    final = 1;
    onFinal();
    return;
  }
  if (xid >= 0x0f100000 && xid < 0x0f100000 + N) seen.add(xid);
});
const t0 = Date.now();
for (let i = 0; i < N && Date.now() - t0 < 20_000; i++) {
  s.send(discover(i, 0x0f100000 + i, KIND), 67, "255.255.255.255");
  if (i % 10 === 9) await new Promise((r) => setTimeout(r, 5)); // ~1500/s
}
await new Promise((r) => setTimeout(r, 2000));
const ms = Date.now() - t0;
await new Promise((res) => {
  const t = setTimeout(res, 5000);
  onFinal = () => {
    clearTimeout(t);
    res();
  };
  // A MAC of the flood (its lease, if any, is still offered to it) in full mode.
  s.send(discover(1, FINAL_XID, FINAL_KIND), 67, "255.255.255.255");
});
s.close();
console.log(`FLOOD-RESULT kind=${KIND} sent=${N} replies=${seen.size} final=${final} ms=${ms}`);

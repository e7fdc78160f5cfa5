/**
 * The loopback UDP ceiling of Node's own `node:dgram`, with no protocol on top: the
 * counterpart of bench/c/udp-ceiling.c for one side of the pair. Plain JavaScript (no tsx),
 * so nothing but dgram runs per datagram. Times are process.hrtime (CLOCK_MONOTONIC on
 * Linux, the clock the C tool prints), so a Node side and a C side can be timed together.
 *
 *   node-udp.mjs send <port> <size> <count> <burst>
 *     connects to 127.0.0.1:<port> and sends <count> datagrams of <size> bytes, <burst>
 *     synchronous `send(buf)` calls per turn of the event loop (no callback, like our
 *     server's send path); prints {"start": s}.
 *   node-udp.mjs recv <port> <count> <idle_ms>
 *     binds 127.0.0.1:<port> (4 MiB receive buffer asked), counts 'message' events until
 *     <count> arrived or nothing came for <idle_ms>; prints {"ready":true} once bound,
 *     then {"datagrams","bytes","first","last"}.
 *   node-udp.mjs send-batch|recv-batch ...   (same arguments)
 *     the same through the @pxe/udp-batch addon (path in PXE_BENCH_BATCH_ADDON): sendmmsg of
 *     <burst> datagrams per call / on each 'message', recvmmsg until the queue is empty. What
 *     batching would buy a Node implementation; the benchmark only, not the package.
 */
import dgram from "node:dgram";
import { createRequire } from "node:module";

/** The addon, for the batch modes. */
const batch = process.argv[2]?.endsWith("-batch")
  ? createRequire(import.meta.url)(process.env.PXE_BENCH_BATCH_ADDON ?? "")
  : undefined;

/** The socket's file descriptor (dgram keeps its handle behind a symbol). */
function fdOf(socket) {
  const sym = Object.getOwnPropertySymbols(socket).find(
    (x) => String(x) === "Symbol(state symbol)",
  );
  return sym === undefined ? -1 : socket[sym].handle.fd;
}

const now = () => Number(process.hrtime.bigint()) / 1e9;
const [mode, portArg, a, b, c] = process.argv.slice(2);
const port = Number(portArg);

if (mode === "send" || mode === "send-batch") {
  const size = Number(a);
  const count = Number(b);
  const burst = Math.max(1, Number(c ?? 64));
  const s = dgram.createSocket({ type: "udp4", sendBufferSize: 1 << 20 });
  s.on("error", () => {});
  s.connect(port, "127.0.0.1", () => {
    const buf = Buffer.alloc(size);
    const start = now();
    let sent = 0;
    const fd = fdOf(s);
    const list = Array.from({ length: burst }, () => buf);
    const pump = () => {
      if (batch) {
        while (sent < count) {
          const k = Math.min(burst, count - sent);
          const r = batch.sendBatch(fd, k === burst ? list : list.slice(0, k));
          if (r <= 0) break; // EAGAIN/ENOBUFS: next turn
          sent += r;
        }
      } else for (let k = 0; k < burst && sent < count; k++, sent++) s.send(buf);
      if (sent < count) setImmediate(pump);
      else {
        console.log(JSON.stringify({ sent, start }));
        s.close();
      }
    };
    pump();
  });
} else if (mode === "recv" || mode === "recv-batch") {
  const count = Number(a);
  const idleMs = Number(b ?? 300);
  const s = dgram.createSocket({ type: "udp4", recvBufferSize: 4 << 20 });
  let n = 0;
  let bytes = 0;
  let first = 0;
  let lastMs = 0;
  let seen = -1;
  // performance.now() per datagram (a double, no BigInt), mapped onto the monotonic clock once.
  const offset = now() - performance.now() / 1000;
  const finish = () => {
    const last = offset + lastMs / 1000;
    console.log(JSON.stringify({ datagrams: n, bytes, first, last }));
    process.exit(0);
  };
  const slot = 65536;
  const area = new Uint8Array(64 * slot);
  const lens = new Int32Array(64);
  let fd = -1;
  s.on("message", (m) => {
    if (n === 0) first = now();
    n++;
    bytes += m.length;
    if (batch)
      for (;;) {
        const r = batch.recvBatch(fd, area, slot, lens);
        if (r <= 0) break;
        n += r;
        for (let i = 0; i < r; i++) bytes += lens[i];
      }
    lastMs = performance.now();
    if (n >= count) finish();
  });
  setInterval(() => {
    if (n > 0 && n === seen) finish();
    seen = n;
  }, idleMs);
  s.bind(port, "127.0.0.1", () => {
    fd = fdOf(s);
    console.log(JSON.stringify({ ready: true }));
  });
} else {
  console.error(
    "usage: node-udp.mjs send <port> <size> <count> <burst> | recv <port> <count> <idle_ms>",
  );
  process.exit(2);
}

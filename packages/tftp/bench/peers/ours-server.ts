/**
 * Runs our own server (`@pxe/tftp/node` createServer) read-only for the benchmark:
 *   ours-server.ts <host> <port> <root> [batch]
 * With `batch`, transfers use `@pxe/udp-batch` (sendmmsg/recvmmsg); exit 3 if it is unavailable.
 * Runs the sources (tsx + `@pxe/source`); PXE_BENCH_DIST=1 imports the built `dist/`.
 *
 * Limits are raised so the client's request decides, like the C peers (the package's own
 * default caps blksize at 1468): PXE_BENCH_MAX_BLKSIZE (65464), PXE_BENCH_MAX_WINDOWSIZE
 * (1024; the window is still cut to what the client's receive buffer holds: the default buffer
 * unless the client declares its own with the `rcvbuf` option), PXE_BENCH_MAX_TRANSFERS (512, total and per client: the concurrency scenario runs
 * 200 clients from one address), PXE_BENCH_MAX_WINDOW_BYTES (package default if unset).
 * PXE_BENCH_STATS=1 prints the server's counters on exit. PXE_BENCH_CPU_PROFILE=<file>
 * records a V8 CPU profile from the moment the server listens until SIGTERM (start-up and
 * module loading excluded) and writes it to <file> (a .cpuprofile).
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as TftpNode from "@pxe/tftp/node";
import { requireBatch } from "./batch.js";

const [host, port, root, mode] = process.argv.slice(2);
if (!host || !port || !root) {
  console.error("usage: ours-server.ts <host> <port> <root>");
  process.exit(2);
}

async function load(): Promise<typeof TftpNode> {
  if (process.env.PXE_BENCH_DIST === "1") {
    const here = path.dirname(fileURLToPath(import.meta.url));
    return import(pathToFileURL(path.join(here, "../../dist/node/index.js")).href);
  }
  return import("@pxe/tftp/node");
}

const num = (k: string, d: number): number => Number(process.env[k] ?? d);
const { createServer } = await load();
const opts: TftpNode.TftpServerOptions = {
  root,
  address: host,
  port: Number(port),
  maxBlksize: num("PXE_BENCH_MAX_BLKSIZE", 65464),
  maxWindowsize: num("PXE_BENCH_MAX_WINDOWSIZE", 1024),
  maxTransfers: num("PXE_BENCH_MAX_TRANSFERS", 512),
  maxPerClient: num("PXE_BENCH_MAX_TRANSFERS", 512),
};
if (process.env.PXE_BENCH_MAX_WINDOW_BYTES) {
  opts.maxWindowBytes = num("PXE_BENCH_MAX_WINDOW_BYTES", 131072);
}
if (mode === "batch") opts.batch = await requireBatch("ours-server");
const server = createServer(opts);
server.on("error", (e) => console.error(`server error: ${e.message}`));
await server.listen();
console.error(`ours listening on ${host}:${port} root=${root}`);

const profFile = process.env.PXE_BENCH_CPU_PROFILE;
let session: Session | undefined;
const post = (method: string, params?: object): Promise<unknown> =>
  new Promise((resolve, reject) =>
    session!.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res))),
  );
if (profFile) {
  session = new Session();
  session.connect();
  await post("Profiler.enable");
  await post("Profiler.setSamplingInterval", { interval: 200 });
  await post("Profiler.start");
}

async function stop(): Promise<void> {
  if (session && profFile) {
    const res = (await post("Profiler.stop")) as { profile: unknown };
    writeFileSync(profFile, JSON.stringify(res.profile));
  }
  if (process.env.PXE_BENCH_STATS === "1") console.error(JSON.stringify(server.stats));
  await server.close();
}
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => {
    void stop().finally(() => process.exit(0));
  });
}

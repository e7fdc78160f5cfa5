/**
 * Downloads one file with our own client (`@pxe/tftp/node` get) for the benchmark:
 *   ours-client.ts <host> <port> <remote> <local> <blksize> <windowsize> [<warm-up file>] [batch]
 * With a warm-up file, that file is first downloaded once with the same options (untimed), so
 * the timed transfer runs JIT-compiled code, as in a long-running process that embeds the
 * client; without it the timed transfer is the process's first (cold, like a CLI). With `batch`
 * the client reads and sends through `@pxe/udp-batch` (exit 3 if it is unavailable).
 * Exit code 0 only on success; prints `PXE_BENCH_MS=<ms>`, the transfer time measured
 * inside the process (request to last byte written), which the harness uses instead of
 * the wall time of the process. Runs the sources (tsx + `@pxe/source`); PXE_BENCH_DIST=1
 * imports the built `dist/` instead.
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as TftpNode from "@pxe/tftp/node";
import { requireBatch } from "./batch.js";

const [host, port, remote, local, blksize, windowsize, warm, mode] = process.argv.slice(2);
if (!host || !port || !remote || !local) {
  console.error("usage: ours-client.ts <host> <port> <remote> <local> <blksize> <windowsize>");
  process.exit(2);
}

async function load(): Promise<typeof TftpNode> {
  if (process.env.PXE_BENCH_DIST === "1") {
    const here = path.dirname(fileURLToPath(import.meta.url));
    return import(pathToFileURL(path.join(here, "../../dist/node/index.js")).href);
  }
  return import("@pxe/tftp/node");
}

try {
  const { getFile } = await load();
  const base = `tftp://${host.includes(":") ? `[${host}]` : host}:${port}/`;
  const w = Number(windowsize ?? 1);
  const opts: TftpNode.TftpClientOptions = {
    blksize: Number(blksize ?? 512),
    ...(w > 1 ? { windowsize: w } : {}),
  };
  if (mode === "batch") opts.batch = await requireBatch("ours-client");
  if (warm) {
    // the same path as the timed download (network and file writes), into a file removed after
    const w = `${local}.warm`;
    await getFile(base + encodeURIComponent(warm), w, opts);
    rmSync(w, { force: true });
  }
  const t0 = performance.now();
  // as `pxe tftp get` does: a temporary file beside `local`, renamed once complete
  const r = await getFile(base + encodeURIComponent(remote), local, opts);
  // the harness times the transfer with this (Node + tsx start-up is ~0.5 s on this machine)
  console.log(`PXE_BENCH_MS=${(performance.now() - t0).toFixed(3)}`);
  console.log(
    `PXE_BENCH_NEGOTIATED=blksize=${r.params.blksize} windowsize=${r.params.windowsize} tsize=${r.params.tsize ?? "-"}`,
  );
  process.exit(0);
} catch (e) {
  console.error(`ours-client: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}

/** Random payload files and sha256 checks for the benchmarks. */
import { createHash, randomBytes } from "node:crypto";
import {
  chmodSync,
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  writeSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";

/** A fresh world-readable work directory with a `root/` for the servers. */
export function workDir(tag: string): { work: string; root: string } {
  const work = mkdtempSync(path.join(os.tmpdir(), `pxe-bench-${tag}-`));
  chmodSync(work, 0o755);
  const root = path.join(work, "root");
  mkdirSync(root, { recursive: true });
  chmodSync(root, 0o755);
  return { work, root };
}

/** Writes `bytes` of random data to `root/name` (mode 0644) and returns its sha256. */
export function makePayload(root: string, name: string, bytes: number): string {
  const file = path.join(root, name);
  const fd = openSync(file, "w", 0o644);
  const h = createHash("sha256");
  let left = bytes;
  while (left > 0) {
    const chunk = randomBytes(Math.min(left, 1 << 20));
    writeSync(fd, chunk);
    h.update(chunk);
    left -= chunk.length;
  }
  closeSync(fd);
  chmodSync(file, 0o644);
  return h.digest("hex");
}

/** sha256 of a file, or "" when it does not exist. */
export async function sha256File(file: string): Promise<string> {
  if (!existsSync(file)) return "";
  const h = createHash("sha256");
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest("hex");
}

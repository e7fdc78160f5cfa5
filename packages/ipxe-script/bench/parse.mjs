// Parse + model throughput on the shared iPXE corpus concatenated, and retained memory per KB.
// Run: pnpm --filter @pxe/ipxe-script run bench   (builds first, then runs against dist/)
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { analyze, format, parse } from "../dist/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../../..");
const corpusDir = path.join(path.resolve(repoRoot, "../shared"), "corpus", "ipxe");
if (!existsSync(corpusDir)) {
  console.log(`bench skipped: ${corpusDir} does not exist`);
  process.exit(0);
}
const files = readdirSync(corpusDir)
  .filter((f) => f !== "MANIFEST.tsv")
  .sort();
const text = files.map((f) => readFileSync(path.join(corpusDir, f), "latin1")).join("\n");
const bytes = text.length;
const mb = bytes / 1e6;

function run(name, fn, minMs = 3000, warmMs = 1500) {
  // Warm up by time so the optimising compiler has settled (it is slow on a busy machine).
  const w0 = performance.now();
  while (performance.now() - w0 < warmMs) fn();
  let iters = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < minMs) {
    fn();
    iters++;
    t = performance.now();
  }
  const secs = (t - t0) / 1000;
  const mbps = (mb * iters) / secs;
  console.log(
    `${name.padEnd(22)} ${mbps.toFixed(1).padStart(7)} MB/s  (${iters} x ${(bytes / 1024).toFixed(1)} KiB, ${((secs / iters) * 1000).toFixed(2)} ms each)`,
  );
  return mbps;
}

console.log(`corpus: ${files.length} files, ${bytes} bytes concatenated; node ${process.version}`);
run("parse (tree)", () => parse(text));
const full = run("parse + model + lint", () => analyze(text));
run("format", () => format(text));

// Retained memory per KB of script: heap held by one tree + model.
if (typeof globalThis.gc === "function") {
  const keep = [];
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  const n = 20;
  for (let i = 0; i < n; i++) keep.push(analyze(text.slice(0) + " ".repeat(i)));
  globalThis.gc();
  const after = process.memoryUsage().heapUsed;
  const perKb = (after - before) / n / (bytes / 1024);
  console.log(
    `memory: ${(perKb / 1024).toFixed(1)} KiB retained per KiB of script (tree + model, ${keep.length} copies)`,
  );
} else {
  console.log("memory: run with node --expose-gc to measure retained memory per KB");
}
console.log(full >= 50 ? "target >= 50 MB/s: met" : "target >= 50 MB/s: NOT met");

// Parse + model throughput of @pxe/pxelinux-cfg (built dist). Run: pnpm --filter @pxe/pxelinux-cfg run bench
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
// BENCH_DIST=/path/to/index.js compares another build (e.g. an older one) in the same conditions.
const { modelFromText, parse } = await import(
  process.env.BENCH_DIST ? path.resolve(process.env.BENCH_DIST) : "../dist/index.js"
);
const corpus = path.resolve(here, "../../../../shared/corpus/pxelinux");
let sample;
if (existsSync(corpus)) {
  sample = readdirSync(corpus)
    .filter((f) => f !== "MANIFEST.tsv")
    .sort()
    .map((f) => readFileSync(path.join(corpus, f), "latin1"));
  console.log(`input: ${sample.length} corpus files from ${corpus}`);
} else {
  sample = [
    "UI vesamenu.c32\nMENU TITLE Lab\nTIMEOUT 50\nDEFAULT linux\n",
    "LABEL linux\n  MENU LABEL ^Linux\n  KERNEL vmlinuz\n  INITRD initrd.img\n  APPEND root=/dev/nfs ip=dhcp quiet\n  IPAPPEND 2\n",
  ];
  console.log("input: synthetic (corpus not found)");
}

// A large generated menu with unique labels (a big lab's config), about 8 MB.
function generated(targetBytes) {
  const parts = ["UI vesamenu.c32\nMENU TITLE Lab\nTIMEOUT 50\nDEFAULT l0\nSERIAL 0 115200\n"];
  let size = parts[0].length;
  for (let i = 0; size < targetBytes; i++) {
    const s =
      (i % 200 === 0 ? `MENU BEGIN group${i}\n  MENU TITLE Group ${i}\n` : "") +
      `LABEL l${i}\n  MENU LABEL ^Install system ${i}\n  KERNEL images/sys${i}/vmlinuz\n  INITRD images/sys${i}/initrd.img\n` +
      `  APPEND root=/dev/nfs nfsroot=10.0.0.1:/srv/sys${i} ip=dhcp console=ttyS0,115200n8 quiet\n  IPAPPEND 2\n` +
      (i % 7 === 0 ? "  TEXT HELP\n  Installs the system over NFS.\n  ENDTEXT\n" : "") +
      (i % 200 === 199 ? "MENU END\n" : "") +
      "\n";
    parts.push(s);
    size += s.length;
  }
  return parts.join("");
}
const big = generated(8 * 1024 * 1024);
const mb = Buffer.byteLength(big, "latin1") / (1024 * 1024);
const corpusMb = Buffer.byteLength(sample.join(""), "latin1") / (1024 * 1024);

function run(name, fn, size, rounds = 15) {
  fn(); // warm up
  const times = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    times.push(Number(process.hrtime.bigint() - t0) / 1e9);
  }
  times.sort((a, b) => a - b);
  const median = size / (times[Math.floor(times.length / 2)] ?? 1);
  const best = size / (times[0] ?? 1);
  console.log(
    `${name.padEnd(40)} median ${median.toFixed(1).padStart(6)} MB/s   best ${best.toFixed(1).padStart(6)} MB/s  (${rounds} runs)`,
  );
  return { median, best };
}

console.log(
  `generated config: ${mb.toFixed(1)} MB; load average ${(await import("node:os"))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")}`,
);

// The measure: the corpus concatenated. The machine is shared, so the measures run in
// interleaved rounds (split, parse, model, split, ...) and the per-round ratios are what compares
// between runs: "parse + model = 2.2x parse cost" holds even when the MB/s swing with the load.
const text = sample.join("\n");
const textMb = Buffer.byteLength(text, "latin1") / (1024 * 1024);
let sink = 0;
const measures = {
  'text.split("\\n") baseline': () => {
    sink += text.split("\n").length;
  },
  "parse (CST)": () => {
    sink += parse(text).lines.length;
  },
  "parse + model (auto)": () => {
    sink += modelFromText(text).diagnostics.length;
  },
};
const names = Object.keys(measures);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const SLICE_MS = Number(process.env.BENCH_SLICE_MS ?? 150);
const w0 = performance.now();
while (performance.now() - w0 < 2000) for (const k of names) measures[k]();
const perRound = Object.fromEntries(names.map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const k of names) {
    let iters = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < SLICE_MS) {
      measures[k]();
      iters++;
      t = performance.now();
    }
    perRound[k].push((textMb * iters) / ((t - t0) / 1000));
  }
}
const med = (a) => {
  const v = a.slice().sort((x, y) => x - y);
  return v.length % 2 ? v[v.length >> 1] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
};
console.log(
  `corpus concatenated: ${sample.length} files, ${Buffer.byteLength(text, "latin1")} bytes`,
);
for (const k of names) {
  const v = perRound[k];
  console.log(
    `  ${k.padEnd(26)} median ${med(v).toFixed(1).padStart(7)} MB/s  (min ${Math.min(...v).toFixed(1)}, max ${Math.max(...v).toFixed(1)}; ${ROUNDS} rounds x ${SLICE_MS} ms)`,
  );
}
const ratio = (a, b) => med(perRound[a].map((x, i) => x / perRound[b][i]));
const [kSplit, kParse, kModel] = names;
console.log(
  `  ratios (median of per-round ratios): parse + model = ${ratio(kParse, kModel).toFixed(2)}x parse cost; parse = ${ratio(kSplit, kParse).toFixed(1)}x split cost; parse + model = ${ratio(kSplit, kModel).toFixed(1)}x split cost`,
);
const concatMedian = med(perRound[kModel]);
if (typeof globalThis.gc === "function") {
  const keep = [];
  globalThis.gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 10; i++) keep.push(modelFromText(text + " ".repeat(i)));
  globalThis.gc();
  const perKb = (process.memoryUsage().heapUsed - before) / keep.length / (text.length / 1024);
  console.log(
    `  memory: ${(perKb / 1024).toFixed(1)} KiB retained per KiB of config (CST + model)`,
  );
}
if (sink === 0) console.log("(no output)");

run("parse (CST), generated", () => parse(big), mb);
const gen = run("parse + model (auto), generated", () => modelFromText(big), mb);
const REPS = 200;
const perFile = run(
  `parse + model (auto), corpus x${REPS}`,
  () => {
    for (let i = 0; i < REPS; i++) for (const s of sample) modelFromText(s);
  },
  corpusMb * REPS,
);
console.log(
  `target >= 50 MB/s parse + model on the corpus concatenated: ${concatMedian >= 50 ? "met" : "NOT met"} (median ${concatMedian.toFixed(1)} MB/s); file by file: ${perFile.median >= 50 ? "met" : "NOT met"}; one 8 MB generated config: ${gen.median >= 50 ? "met" : "NOT met"} (medians)`,
);

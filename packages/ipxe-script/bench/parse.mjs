// Parse + model throughput on the shared iPXE corpus concatenated, and retained memory per KB.
// Run: pnpm --filter @pxe/ipxe-script run bench   (builds first, then runs against dist/)
//
// The machine this runs on is often shared, so absolute MB/s swing with the load. Every measure
// therefore runs in interleaved rounds (split, parse, model, format, split, parse, ...) so that all
// of them see the same load, and the bench prints per-round ratios: "model = 1.6x parse cost" is
// comparable between runs even when the MB/s are not.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
// BENCH_DIST=/path/to/index.js compares another build (e.g. an older one) in the same conditions.
const { analyze, format, parse } = await import(
  process.env.BENCH_DIST ? path.resolve(process.env.BENCH_DIST) : "../dist/index.js"
);
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
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const SLICE_MS = Number(process.env.BENCH_SLICE_MS ?? 150);

let sink = 0;
const measures = {
  'text.split("\\n") baseline': () => {
    sink += text.split("\n").length;
  },
  "parse (tree + syntax diags)": () => {
    sink += parse(text).tree.lines.length;
  },
  // Parse + model + lint: labels, flow graph, settings read before written, every diagnostic. The
  // model's object lists (commands, settings, fetches, menu items) are made on first access...
  "analyze (parse+model+lint)": () => {
    sink += analyze(text).diagnostics.length;
  },
  // ...and this measure asks for all of them (and the flow graph's edges) too.
  "analyze + every model object": () => {
    const m = analyze(text);
    sink +=
      m.commands.length +
      m.settings.length +
      m.fetches.length +
      m.menuItems.length +
      m.choices.length +
      m.labelDefs.length +
      m.flow.edges.length;
  },
  format: () => {
    sink += format(text).length;
  },
};
const names = Object.keys(measures);
const KEY_SPLIT = names[0];
const KEY_PARSE = names[1];
const KEY_MODEL = names[2];
const KEY_FULL = names[3];

const load = () =>
  loadavg()
    .map((x) => x.toFixed(1))
    .join(" ");
console.log(
  `corpus: ${files.length} files, ${bytes} bytes concatenated; node ${process.version}; load average ${load()}`,
);

// Warm up by time so the optimising compiler has settled (it is slow on a busy machine).
const w0 = performance.now();
while (performance.now() - w0 < 2000) for (const k of names) measures[k]();

/** MB/s of each measure in each round. */
const perRound = Object.fromEntries(names.map((k) => [k, []]));
for (let r = 0; r < ROUNDS; r++) {
  for (const k of names) {
    const fn = measures[k];
    let iters = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < SLICE_MS) {
      fn();
      iters++;
      t = performance.now();
    }
    perRound[k].push((mb * iters) / ((t - t0) / 1000));
  }
}
const median = (a) => {
  const s = a.slice().sort((x, y) => x - y);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
for (const k of names) {
  const v = perRound[k];
  console.log(
    `${k.padEnd(29)} median ${median(v).toFixed(1).padStart(7)} MB/s  (min ${Math.min(...v).toFixed(1)}, max ${Math.max(...v).toFixed(1)}; ${ROUNDS} rounds x ${SLICE_MS} ms)`,
  );
}
const ratio = (num, den) => median(perRound[num].map((x, i) => x / perRound[den][i]));
const modelCost = ratio(KEY_PARSE, KEY_MODEL);
console.log(
  `ratios (median of per-round ratios): parse + model = ${modelCost.toFixed(2)}x parse cost; parse = ${ratio(KEY_SPLIT, KEY_PARSE).toFixed(1)}x split cost; parse + model = ${ratio(KEY_SPLIT, KEY_MODEL).toFixed(1)}x split cost; with every model object ${ratio(KEY_SPLIT, KEY_FULL).toFixed(1)}x split cost`,
);

// Retained memory per KB of script: JavaScript heap and typed-array buffers held by one tree +
// model, as `analyze` leaves it (lists made on demand not asked for) and with every object made.
if (typeof globalThis.gc === "function") {
  const held = () => {
    const u = process.memoryUsage();
    return u.heapUsed + u.arrayBuffers;
  };
  for (const every of [false, true]) {
    const keep = [];
    globalThis.gc();
    const before = held();
    const n = 20;
    for (let i = 0; i < n; i++) {
      const m = analyze(text.slice(0) + " ".repeat(i));
      if (every)
        sink += m.commands.length + m.settings.length + m.fetches.length + m.menuItems.length;
      keep.push(m);
    }
    globalThis.gc();
    const perKb = (held() - before) / n / (bytes / 1024);
    console.log(
      `memory: ${(perKb / 1024).toFixed(1)} KiB retained per KiB of script (tree + model${every ? " with every model object made" : " as analyze returns it"}, ${keep.length} copies)`,
    );
  }
} else {
  console.log("memory: run with node --expose-gc to measure retained memory per KB");
}
const full = median(perRound[KEY_MODEL]);
console.log(
  `target >= 50 MB/s parse + model (= analyze, one pass): ${full >= 50 ? "met" : "NOT met"} (median ${full.toFixed(1)} MB/s; load average now ${load()})`,
);
if (sink === 0) console.log("(no output)");

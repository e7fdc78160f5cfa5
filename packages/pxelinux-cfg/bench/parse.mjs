// Parse + model throughput of @pxe/pxelinux-cfg (built dist). Run: pnpm --filter @pxe/pxelinux-cfg run bench
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { modelFromText, parse } from "../dist/index.js";

const here = path.dirname(fileURLToPath(import.meta.url));
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
const verdict = (k) => (Math.min(gen[k], perFile[k]) >= 50 ? "met" : "NOT met");
console.log(
  `target >= 50 MB/s parse+model: ${verdict("median")} by medians, ${verdict("best")} by best runs`,
);

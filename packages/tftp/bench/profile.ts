/**
 * Where our server spends its time: runs bench/peers/ours-server.ts with a V8 CPU profile
 * (the same sampler as `node --cpu-prof`, started through node:inspector once the server
 * listens, so start-up is excluded) in a private namespace, downloads the payload with
 * atftp at each setting, stops the server and prints the self time per function, grouped
 * into our engine/adapter code, Node internals (dgram/stream JS), native/syscall time, GC.
 *
 *   profile.ts [--size 64] [--sets 512:1,1468:16,8192:8] [--repeat 2] [--keep dir]
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createLoopbackNs, inNs } from "./lib/netns.js";
import { makePayload, workDir } from "./lib/payload.js";
import { clientDefs, tsNode } from "./lib/peers.js";
import { runBounded, sleep, startDaemon } from "./lib/proc.js";
import { BENCH_DIR, ensureDebianPeers, isRoot, log, oursAvailable } from "./lib/setup.js";

const { values: args } = parseArgs({
  // `pnpm run bench -- --quick` forwards the "--"
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    size: { type: "string", default: "64" },
    sets: { type: "string", default: "512:1,1468:16,8192:8,65464:2" },
    repeat: { type: "string", default: "2" },
    keep: { type: "string" },
  },
});

interface ProfileNode {
  id: number;
  children?: number[];
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function category(n: ProfileNode): string {
  const { functionName: f, url } = n.callFrame;
  if (f === "(garbage collector)") return "GC";
  if (f === "(idle)") return "idle (waiting in epoll)";
  if (f === "(program)") return "(program): native outside JS";
  if (url.includes("/packages/tftp/src/node/")) return "ours: Node adapter (src/node)";
  if (url.includes("/packages/tftp/src/")) return "ours: codec + engine (src)";
  if (url.startsWith("node:")) return "Node internals (JS)";
  if (!url) return "native called from JS (syscalls: send/recv/read)";
  return "other JS";
}

function summarize(file: string, sizeMiB: number): string {
  const p = JSON.parse(readFileSync(file, "utf8")) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  // drop the profiler's own stop request (node:inspector) from the figures
  const skip = new Set<number>();
  const mark = (id: number): void => {
    skip.add(id);
    for (const c of byId.get(id)?.children ?? []) mark(c);
  };
  for (const n of p.nodes) if (n.callFrame.url === "node:inspector") mark(n.id);
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i]!;
    if (skip.has(id)) continue;
    self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const cats = new Map<string, number>();
  const fns = new Map<string, number>();
  let total = 0;
  let busy = 0;
  for (const [id, us] of self) {
    const n = byId.get(id);
    if (!n) continue;
    total += us;
    const c = category(n);
    if (!c.startsWith("idle")) busy += us;
    cats.set(c, (cats.get(c) ?? 0) + us);
    const key = `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url ? `${path.basename(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : "(native)"}`;
    if (!c.startsWith("idle")) fns.set(key, (fns.get(key) ?? 0) + us);
  }
  const pct = (us: number): string => `${((100 * us) / Math.max(1, busy)).toFixed(1)}%`;
  const lines = [
    `busy ${(busy / 1e6).toFixed(2)} s of ${(total / 1e6).toFixed(2)} s profiled (${((busy / 1e6 / sizeMiB) * 1000).toFixed(1)} ms CPU per MiB served, over all transfers)`,
    "",
    "| category | share of busy time |",
    "|---|---|",
    ...[...cats]
      .filter(([c]) => !c.startsWith("idle"))
      .sort((a, b) => b[1] - a[1])
      .map(([c, us]) => `| ${c} | ${pct(us)} |`),
    "",
    "| top functions (self time) | share |",
    "|---|---|",
    ...[...fns]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([f, us]) => `| \`${f}\` | ${pct(us)} |`),
  ];
  return lines.join("\n");
}

async function main(): Promise<void> {
  if (!isRoot() || !oursAvailable()) {
    console.log("profile skipped: needs root and @pxe/tftp/node");
    return;
  }
  ensureDebianPeers();
  const sizeMiB = Number(args.size);
  const repeat = Number(args.repeat);
  const ns = createLoopbackNs("prof");
  const { work, root } = workDir("prof");
  const profDir = args.keep ?? mkdtempSync(path.join(tmpdir(), "pxe-prof-"));
  makePayload(root, "p.bin", sizeMiB * 1048576);
  const atftp = clientDefs().get("atftp")!;
  const out: string[] = [
    `## Server CPU profile (\`node --cpu-prof\`), ${sizeMiB} MiB x ${repeat} per setting`,
    "",
  ];
  for (const set of args.sets!.split(",")) {
    const [b, w] = set.split(":").map(Number) as [number, number];
    const prof = path.join(profDir, `b${b}-w${w}.cpuprofile`);
    const port = 16985;
    const d = startDaemon(
      [...tsNode(), path.join(BENCH_DIR, "peers/ours-server.ts"), "127.0.0.1", String(port), root],
      { prefix: inNs(ns), env: { ...process.env, PXE_BENCH_CPU_PROFILE: prof } },
    );
    await sleep(2500);
    const t0 = performance.now();
    let ok = 0;
    for (let r = 0; r < repeat; r++) {
      const res = await runBounded(
        atftp.argv({
          host: "127.0.0.1",
          port,
          file: "p.bin",
          out: "/dev/null",
          blksize: b,
          windowsize: w,
        }),
        10 + sizeMiB,
        { prefix: inNs(ns) },
      );
      if (res.code === 0) ok++;
    }
    const secs = (performance.now() - t0) / 1000;
    await d.stop();
    await sleep(300);
    out.push(
      `### blksize ${b}, windowsize ${w}: ${ok}/${repeat} ok, ${((sizeMiB * ok) / secs).toFixed(1)} MiB/s`,
      "",
    );
    out.push(existsSync(prof) ? summarize(prof, sizeMiB * ok) : "(no profile written)", "");
    log(`profiled ${b}/${w}`);
  }
  rmSync(work, { recursive: true, force: true });
  if (!args.keep) rmSync(profDir, { recursive: true, force: true });
  process.stdout.write(`${out.join("\n")}\n`);
}

await main();

/**
 * Concurrency/memory scenario (`pnpm --filter @pxe/tftp run bench:concurrency`): N atftp
 * clients download the same file at once from one server on the loopback of a private
 * namespace; reports the server's peak RSS, its CPU time, the wall time and how many
 * transfers completed. Target (issue 5): 200 x 64 MiB from our server with RSS < 150 MB.
 *
 *   concurrency.ts [--quick] [--server ours] [--clients 200] [--size 64] [--blksize 1468]
 *                  [--windowsize 16] [--check 3] [--timeout s] [--out file.md]
 *
 * `--check K` clients write to files that are sha256-checked; the others write to
 * /dev/null (exit code checked), so the run does not need N x size of disk.
 */
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createLoopbackNs, inNs } from "./lib/netns.js";
import { makePayload, sha256File, workDir } from "./lib/payload.js";
import { clientDefs, serverDefs } from "./lib/peers.js";
import { memKiB, runBounded, sleep, startDaemon, TreeMeter } from "./lib/proc.js";
import { ensureAtftpd, ensureDebianPeers, isRoot, log, peerVersions } from "./lib/setup.js";

const { values: args } = parseArgs({
  // `pnpm run bench -- --quick` forwards the "--"
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    quick: { type: "boolean", default: false },
    server: { type: "string", default: "ours" },
    clients: { type: "string" },
    size: { type: "string" },
    blksize: { type: "string", default: "1468" },
    windowsize: { type: "string", default: "16" },
    check: { type: "string", default: "3" },
    timeout: { type: "string" },
    out: { type: "string" },
  },
});
const quick = args.quick ?? false;
const n = Number(args.clients ?? (quick ? 20 : 200));
const sizeMiB = Number(args.size ?? (quick ? 8 : 64));
const blksize = Number(args.blksize);
const windowsize = Number(args.windowsize);
const check = Math.min(n, Number(args.check));
const bound = Number(args.timeout ?? (quick ? 120 : 900));

if (!isRoot()) {
  console.log("concurrency scenario skipped: needs root (private network namespace)");
  process.exit(0);
}
ensureDebianPeers();
const def = serverDefs(ensureAtftpd()).get(args.server!);
if (!def) {
  console.error(`unknown server ${args.server}`);
  process.exit(2);
}
const why = def.unavailable();
if (why) {
  console.log(`concurrency scenario skipped: server ${def.name}: ${why}`);
  process.exit(0);
}
const ns = createLoopbackNs("conc");
const { work, root } = workDir("conc");
process.on("exit", () => rmSync(work, { recursive: true, force: true }));
const FILE = `conc-${sizeMiB}m.bin`;
const sha = makePayload(root, FILE, sizeMiB * 1048576);
const port = def.fixedPort ?? 16980;
const HOST = "127.0.0.1";

async function main(): Promise<void> {
  const d = startDaemon(def!.argv(HOST, port, root, work), { prefix: inNs(ns) });
  let up = false;
  for (let i = 0; i < 100 && !up; i++) {
    const r = spawnSync("ip", ["netns", "exec", ns, "ss", "-Huln", `sport = :${port}`], {
      encoding: "utf8",
    });
    up = (r.stdout ?? "").trim().length > 0;
    if (!up) await sleep(100);
  }
  if (!up) {
    console.log(`server ${def!.name} did not start: ${d.log().slice(-300)}`);
    await d.stop();
    return;
  }
  // `ip netns exec` execs (same PID); give a Node server time to finish starting
  await sleep(300);
  const idleMiB = memKiB(d.pid).rss / 1024;
  const meter = new TreeMeter(d.pid, 100);
  meter.start();
  const atftp = clientDefs().get("atftp")!;
  const t0 = performance.now();
  const jobs = Array.from({ length: n }, (_, i) => {
    const out = i < check ? path.join(work, `out-${i}.bin`) : "/dev/null";
    return runBounded(
      atftp.argv({ host: HOST, port, file: FILE, out, blksize, windowsize }),
      bound,
      {
        prefix: inNs(ns),
      },
    ).then(async (r) => ({
      i,
      ok: r.code === 0 && (i >= check || (await sha256File(out)) === sha),
      timedOut: r.timedOut,
      ms: r.ms,
      err: r.stderr.trim().split("\n").pop() ?? "",
    }));
  });
  const res = await Promise.all(jobs);
  const wall = (performance.now() - t0) / 1000;
  const m = meter.stop();
  await d.stop();
  const ok = res.filter((r) => r.ok).length;
  const stalls = res.filter((r) => r.timedOut).length;
  const times = res.filter((r) => r.ok).map((r) => r.ms / 1000);
  const errs = [...new Set(res.filter((r) => !r.ok).map((r) => r.err))].slice(0, 3);
  const lines = [
    `## TFTP concurrency scenario${quick ? " (quick)" : ""}`,
    "",
    `- date ${new Date().toISOString()}; loadavg at end ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
    `- ${n} concurrent atftp downloads of one ${sizeMiB} MiB file, blksize ${blksize}, windowsize ${windowsize}; private namespace loopback; bound \`timeout ${bound}s\` per client; ${check} outputs sha256-checked, the rest to /dev/null`,
    `- peers: ${peerVersions()}`,
    "",
    "| server | clients | ok | stalled (timeout) | wall s | aggregate MiB/s | slowest client s | server CPU s | server RSS idle MiB | server peak RSS MiB | errors |",
    "|---|---|---|---|---|---|---|---|---|---|---|",
    `| ${def!.name} | ${n} | ${ok} | ${stalls} | ${wall.toFixed(1)} | ${((ok * sizeMiB) / wall).toFixed(1)} | ${times.length ? Math.max(...times).toFixed(1) : "-"} | ${m.cpuS.toFixed(1)} | ${idleMiB.toFixed(1)} | ${m.peakRssMiB.toFixed(1)} | ${errs.join("; ")} |`,
    "",
  ];
  log(`done: ${ok}/${n} ok in ${wall.toFixed(1)} s; peak RSS ${m.peakRssMiB.toFixed(1)} MiB`);
  process.stdout.write(`${lines.join("\n")}\n`);
  if (args.out) writeFileSync(args.out, `${lines.join("\n")}\n`);
}

await main();

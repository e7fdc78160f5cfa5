/**
 * TFTP under packet loss (`pnpm --filter @pxe/tftp run bench:loss`): server and client in
 * two private network namespaces joined by a veth pair; nftables drops a random share of
 * the UDP datagrams ARRIVING in each namespace (input hook, so DATA and ACKs are both
 * lost, and `sendto()` never sees EPERM as it would with an output-hook drop). This
 * kernel has no sch_netem, so there is no added delay; a tbf qdisc caps the link at
 * 1 Gbit/s like a GbE port.
 *
 *   loss.ts [--quick] [--size MiB] [--loss 1,5] [--windows 8,32] [--servers a,b]
 *           [--blksize 1428] [--rto 1 | --no-timeout-option] [--timeout s] [--repeat N]
 *           [--rate 1gbit|none] [--out file.md]
 *
 * Needs root (namespaces, nftables). Every transfer is bounded by `timeout`.
 */
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { createPair, inNs, nft, nftCounter } from "./lib/netns.js";
import { makePayload, sha256File, workDir } from "./lib/payload.js";
import { clientDefs, serverDefs, tsNode } from "./lib/peers.js";
import { type Daemon, runBounded, sleep, startDaemon } from "./lib/proc.js";
import {
  BENCH_DIR,
  ensureAtftpd,
  ensureDebianPeers,
  isRoot,
  log,
  peerVersions,
} from "./lib/setup.js";

const { values: args } = parseArgs({
  // `pnpm run bench -- --quick` forwards the "--"
  args: process.argv.slice(2).filter((a) => a !== "--"),
  options: {
    quick: { type: "boolean", default: false },
    size: { type: "string" },
    loss: { type: "string" },
    windows: { type: "string" },
    servers: { type: "string" },
    blksize: { type: "string", default: "1428" },
    rto: { type: "string", default: "1" },
    "no-timeout-option": { type: "boolean", default: false },
    timeout: { type: "string" },
    repeat: { type: "string" },
    rate: { type: "string", default: "1gbit" },
    out: { type: "string" },
  },
});

const quick = args.quick ?? false;
const sizeMiB = Number(args.size ?? (quick ? 1 : 4));
const losses = (args.loss ?? (quick ? "1" : "1,5")).split(",").map(Number);
const windows = (args.windows ?? "8,32").split(",").map(Number);
const blksize = Number(args.blksize);
const rtoS = args["no-timeout-option"] ? undefined : Number(args.rto);
const xferTimeout = Number(args.timeout ?? (quick ? 60 : 150));
const repeat = Number(args.repeat ?? 1);
const serverNames = (args.servers ?? "atftpd,ours,tftpd-hpa,dnsmasq").split(",").filter(Boolean);

if (!isRoot()) {
  console.log("loss scenario skipped: needs root (network namespaces and nftables)");
  process.exit(0);
}
ensureDebianPeers();
const atftpdBin = ensureAtftpd();
const SERVERS = serverDefs(atftpdBin);
const atftp = clientDefs().get("atftp")!;
const pair = createPair("loss");
const { work, root } = workDir("loss");
process.on("exit", () => rmSync(work, { recursive: true, force: true }));
const FILE = `loss-${sizeMiB}m.bin`;
const sha = makePayload(root, FILE, sizeMiB * 1048576);
makePayload(root, "probe.bin", 65536);
const blocks = Math.floor((sizeMiB * 1048576) / blksize) + 1;

function setLoss(pct: number): void {
  const permille = Math.round(pct * 10);
  for (const ns of [pair.server, pair.client]) {
    spawnSync("ip", ["netns", "exec", ns, "nft", "delete", "table", "inet", "pxeloss"], {
      stdio: "ignore",
    });
    const extra =
      ns === pair.server
        ? `\n  chain out { type filter hook output priority 0; policy accept;\n    meta l4proto udp counter comment "srv-out"\n  }`
        : "";
    nft(
      ns,
      `table inet pxeloss {
  chain in { type filter hook input priority 0; policy accept;
    meta l4proto udp numgen random mod 1000 < ${permille} counter drop comment "drop"
  }${extra}
}
`,
    );
  }
}

let shaping = `loss by nftables numgen on the input hook of both namespaces`;
if (args.rate && args.rate !== "none") {
  const ok = [
    [pair.server, pair.serverIf],
    [pair.client, pair.clientIf],
  ].every(
    ([ns, dev]) =>
      spawnSync(
        "ip",
        [
          "netns",
          "exec",
          ns!,
          "tc",
          "qdisc",
          "add",
          "dev",
          dev!,
          "root",
          "tbf",
          "rate",
          args.rate!,
          "burst",
          "64kb",
          "latency",
          "20ms",
        ],
        { stdio: "ignore" },
      ).status === 0,
  );
  shaping += ok ? `; tbf rate ${args.rate} on both veth ends` : "; tbf NOT applied (tc failed)";
}

async function startServer(name: string): Promise<{ d: Daemon; port: number } | string> {
  const def = SERVERS.get(name);
  if (!def) return "unknown server";
  const why = def.unavailable();
  if (why) return why;
  const port = def.fixedPort ?? 16969;
  const d = startDaemon(def.argv(pair.serverAddr, port, root, work), { prefix: inNs(pair.server) });
  for (let i = 0; i < 100; i++) {
    const r = spawnSync("ip", ["netns", "exec", pair.server, "ss", "-Huln", `sport = :${port}`], {
      encoding: "utf8",
    });
    if ((r.stdout ?? "").trim()) return { d, port };
    if (d.child.exitCode !== null) break;
    await sleep(100);
  }
  await d.stop();
  return `did not start: ${d.log().trim().slice(-200)}`;
}

interface LossRow {
  server: string;
  loss: number;
  windowsize: number;
  granted: string;
  seconds: number[];
  ok: number;
  attempted: number;
  sent: number;
  drops: number;
  note: string;
}

async function main(): Promise<void> {
  const rows: LossRow[] = [];
  for (const name of serverNames) {
    const s = await startServer(name);
    if (typeof s === "string") {
      log(`server ${name} skipped: ${s}`);
      rows.push({
        server: name,
        loss: Number.NaN,
        windowsize: 0,
        granted: "",
        seconds: [],
        ok: 0,
        attempted: 0,
        sent: 0,
        drops: 0,
        note: `skipped: ${s}`,
      });
      continue;
    }
    try {
      for (const pct of losses) {
        setLoss(pct);
        for (const w of windows) {
          const row: LossRow = {
            server: name,
            loss: pct,
            windowsize: w,
            granted: "?",
            seconds: [],
            ok: 0,
            attempted: 0,
            sent: 0,
            drops: 0,
            note: "",
          };
          const pr = await runBounded(
            [
              ...tsNode(),
              path.join(BENCH_DIR, "peers/probe-cli.ts"),
              pair.serverAddr,
              String(s.port),
              "probe.bin",
              String(blksize),
              String(w),
            ],
            15,
            { prefix: inNs(pair.client) },
          );
          try {
            const o = JSON.parse(pr.stdout.trim()) as {
              options: Record<string, string>;
              summary: string;
            };
            row.granted =
              o.options.windowsize ??
              (o.summary.startsWith("ERROR") ? o.summary : "1 (no windowsize in OACK)");
          } catch {
            row.granted = "? (probe lost)";
          }
          for (let r = 0; r < repeat; r++) {
            const out = path.join(work, "out.bin");
            rmSync(out, { force: true });
            // anonymous rule counters cannot be reset by nft 1.0: take deltas
            const sent0 = nftCounter(pair.server, "srv-out");
            const drops0 = nftCounter(pair.server, "drop") + nftCounter(pair.client, "drop");
            row.attempted++;
            const res = await runBounded(
              atftp.argv({
                host: pair.serverAddr,
                port: s.port,
                file: FILE,
                out,
                blksize,
                windowsize: w,
                ...(rtoS ? { timeoutS: rtoS } : {}),
              }),
              xferTimeout,
              { prefix: inNs(pair.client) },
            );
            row.sent = nftCounter(pair.server, "srv-out") - sent0;
            row.drops = nftCounter(pair.server, "drop") + nftCounter(pair.client, "drop") - drops0;
            const good = res.code === 0 && (await sha256File(out)) === sha;
            rmSync(out, { force: true });
            if (good) {
              row.ok++;
              row.seconds.push(res.ms / 1000);
            } else {
              row.note = res.timedOut
                ? `STALL: not done in ${xferTimeout}s`
                : `FAIL: exit ${res.code} ${res.stderr.trim().split("\n").pop()?.slice(0, 60) ?? ""}`;
              if (res.timedOut) break;
            }
          }
          log(
            `  ${name} loss ${pct}% ws ${w}: ${row.seconds.map((x) => x.toFixed(2)).join(",") || row.note}`,
          );
          rows.push(row);
        }
      }
    } finally {
      await s.d.stop();
    }
  }

  const mean = (xs: number[]): number =>
    xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : Number.NaN;
  const lines = [
    `## TFTP loss scenario${quick ? " (quick)" : ""}`,
    "",
    `- date ${new Date().toISOString()}; loadavg ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
    `- veth between two private namespaces (MTU 1500); ${shaping}; no added delay (no sch_netem)`,
    `- ${sizeMiB} MiB random payload (${blocks} blocks of ${blksize}), sha256-checked; atftp client, ${rtoS ? `\`--tftp-timeout ${rtoS}\` and RFC 2349 \`timeout ${rtoS}\` asked` : "no timeout option asked"}; ${repeat} run(s) per row (mean shown); bound \`timeout ${xferTimeout}s\``,
    `- "sent" = UDP datagrams the server sent (OACK + DATA + ERROR), "extra" = sent - ${blocks} blocks - 1 OACK; "drops" = datagrams nftables dropped (both directions)`,
    `- peers: ${peerVersions()}`,
    "",
    "| server | loss each way | windowsize asked | granted | seconds | MiB/s | speed-up vs atftpd | sent | extra | drops | ok/runs | notes |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    if (r.note.startsWith("skipped")) {
      lines.push(`| ${r.server} | | | | | | | | | | | ${r.note} |`);
      continue;
    }
    const t = mean(r.seconds);
    const ref = rows.find(
      (x) => x.server === "atftpd" && x.loss === r.loss && x.windowsize === r.windowsize,
    );
    const refT = ref
      ? ref.seconds.length
        ? mean(ref.seconds)
        : ref.note.startsWith("STALL")
          ? xferTimeout
          : Number.NaN
      : Number.NaN;
    const sp =
      Number.isFinite(t) && Number.isFinite(refT)
        ? `${ref?.seconds.length ? "" : ">"}${(refT / t).toFixed(1)}x`
        : "-";
    lines.push(
      `| ${r.server} | ${r.loss}% | ${r.windowsize} | ${r.granted} | ${Number.isFinite(t) ? t.toFixed(2) : "**fail**"} | ${Number.isFinite(t) ? (sizeMiB / t).toFixed(2) : "-"} | ${sp} | ${r.sent} | ${r.ok ? r.sent - blocks - 1 : "-"} | ${r.drops} | ${r.ok}/${r.attempted} | ${r.note} |`,
    );
  }
  lines.push("");
  process.stdout.write(`${lines.join("\n")}\n`);
  if (args.out) writeFileSync(args.out, `${lines.join("\n")}\n`);
}

await main();

/**
 * TFTP download benchmark, every peer measured in the same run (`pnpm --filter @pxe/tftp run
 * bench`). See bench/README.md for what each row means.
 *
 *   run.ts [--quick] [--size MiB] [--repeat N] [--timeout s] [--servers a,b] [--clients a,b]
 *          [--sets 1468:16,8192:16] [--client-server name] [--no-netns] [--out file.md] [--json file]
 *
 * As root it installs missing Debian peers, unpacks atftpd into a cache, compiles the UDP
 * ceiling tool, creates a private network namespace and re-runs itself inside it, so every
 * server listens on 127.0.0.1 of a loopback that nothing else uses.
 */
import { spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { type Ceiling, measureCeiling } from "./lib/ceiling.js";
import { createLoopbackNs, deleteAll } from "./lib/netns.js";
import { makePayload, sha256File, workDir } from "./lib/payload.js";
import { type ClientDef, clientDefs, type ServerDef, serverDefs } from "./lib/peers.js";
import { probe } from "./lib/probe.js";
import { type Daemon, median, runBounded, sleep, startDaemon, TreeMeter } from "./lib/proc.js";
import {
  ensureAtftpd,
  ensureBatchAddon,
  ensureCeilingTool,
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
    repeat: { type: "string" },
    timeout: { type: "string" },
    servers: { type: "string" },
    clients: { type: "string" },
    sets: { type: "string" },
    "client-sets": { type: "string" },
    "client-server": { type: "string" },
    "no-netns": { type: "boolean", default: false },
    "no-ceiling": { type: "boolean", default: false },
    out: { type: "string" },
    json: { type: "string" },
  },
});

const quick = args.quick ?? false;
const sizeMiB = Number(args.size ?? (quick ? 8 : 64));
const repeat = Number(args.repeat ?? (quick ? 1 : 3));
const xferTimeout = Number(args.timeout ?? Math.ceil(10 + sizeMiB / 2));
const HOST = "127.0.0.1";
const FULL_SETS = [512, 1468, 8192, 65464].flatMap((b) => [1, 4, 16, 64].map((w) => `${b}:${w}`));
const QUICK_SETS = ["512:1", "1468:1", "1468:16", "8192:16", "65464:64"];
const sets = (args.sets?.split(",") ?? (quick ? QUICK_SETS : FULL_SETS)).map((s) => {
  const [b, w] = s.split(":");
  return { blksize: Number(b), windowsize: Number(w ?? 1) };
});
const clientSets = (
  args["client-sets"]?.split(",") ??
  (quick
    ? ["1468:1", "1468:16", "8192:16"]
    : ["512:1", "1468:1", "1468:16", "1468:64", "1468:256", "8192:16", "65464:16"])
).map((s) => {
  const [b, w] = s.split(":");
  return { blksize: Number(b), windowsize: Number(w ?? 1) };
});

// ------------------------------------------------------------------ outer: setup + namespace
if (!process.env.PXE_BENCH_NS && !args["no-netns"]) {
  ensureDebianPeers();
  const atftpd = ensureAtftpd();
  if (atftpd) process.env.ATFTPD_BIN = atftpd;
  ensureCeilingTool();
  ensureBatchAddon();
  if (isRoot()) {
    const ns = createLoopbackNs("loop");
    log(`running inside private network namespace ${ns}`);
    const self = fileURLToPath(import.meta.url);
    const r = spawnSync(
      "ip",
      ["netns", "exec", ns, process.execPath, ...process.execArgv, self, ...process.argv.slice(2)],
      { stdio: "inherit", env: { ...process.env, PXE_BENCH_NS: ns } },
    );
    deleteAll();
    process.exit(r.status ?? 1);
  }
  log("not root: running on the host loopback (dnsmasq skipped: port 69)");
} else if (args["no-netns"]) {
  ensureDebianPeers();
  const atftpd = ensureAtftpd();
  if (atftpd) process.env.ATFTPD_BIN = atftpd;
  ensureCeilingTool();
  ensureBatchAddon();
}

// ------------------------------------------------------------------ inner: the measurements
interface Row {
  section: "server" | "client";
  server: string;
  client: string;
  blksize: number;
  windowsize: number;
  negotiated: string;
  ok: number;
  runs: number;
  attempted: number;
  mibs: number;
  minS: number;
  maxS: number;
  cpuS: number;
  rssMiB: number;
  notes: string[];
}

const atftpdBin = process.env.ATFTPD_BIN;
const SERVERS = serverDefs(atftpdBin);
const CLIENTS = clientDefs();
const { work, root } = workDir("run");
const FILE = `payload-${sizeMiB}m.bin`;
const PROBE_FILE = "probe.bin";

function cleanup(): void {
  rmSync(work, { recursive: true, force: true });
}
process.on("exit", cleanup);

function portBound(port: number): boolean {
  const r = spawnSync("ss", ["-Huln", `sport = :${port}`], { encoding: "utf8" });
  return (r.stdout ?? "").trim().length > 0;
}

async function startServer(def: ServerDef, port: number): Promise<Daemon | string> {
  if (portBound(port)) return `port ${port} already in use`;
  const d = startDaemon(def.argv(HOST, port, root, work));
  for (let i = 0; i < 100; i++) {
    if (portBound(port)) return d;
    if (d.child.exitCode !== null) break;
    await sleep(100);
  }
  await d.stop();
  return `did not bind udp/${port}: ${d.log().trim().slice(-300)}`;
}

async function measureRow(
  section: Row["section"],
  server: ServerDef,
  daemon: Daemon,
  port: number,
  client: ClientDef,
  blksize: number,
  windowsize: number,
  sha: string,
): Promise<Row> {
  const row: Row = {
    section,
    server: server.name,
    client: client.name,
    blksize,
    windowsize,
    negotiated: "",
    ok: 0,
    runs: repeat,
    attempted: 0,
    mibs: Number.NaN,
    minS: Number.NaN,
    maxS: Number.NaN,
    cpuS: Number.NaN,
    rssMiB: Number.NaN,
    notes: [],
  };
  row.negotiated = (await probe(HOST, port, PROBE_FILE, blksize, windowsize)).summary;
  // One untimed transfer first, for every server alike: a Node server runs JIT-compiled code
  // from then on (as a long-running one does), and every server reads from the page cache. A
  // stall here is the row's one stall.
  {
    const out = path.join(work, "out.bin");
    const warm = await runBounded(
      client.argv({ host: HOST, port, file: FILE, out, blksize, windowsize, warmFile: FILE }),
      xferTimeout,
    );
    rmSync(out, { force: true });
    if (warm.timedOut) {
      row.notes.push(`STALL: the warm-up transfer did not complete within ${xferTimeout}s`);
      log(`  stall ${server.name} <- ${client.name} ${blksize}/${windowsize} (warm-up)`);
      return row;
    }
  }
  const times: number[] = [];
  const cpu: number[] = [];
  let rss = 0;
  for (let r = 0; r < repeat; r++) {
    const out = path.join(work, "out.bin");
    rmSync(out, { force: true });
    const meter = new TreeMeter(daemon.pid);
    meter.start();
    row.attempted++;
    const res = await runBounded(
      client.argv({ host: HOST, port, file: FILE, out, blksize, windowsize, warmFile: FILE }),
      xferTimeout,
    );
    await sleep(50); // let forked per-transfer children finish and be reaped
    const m = meter.stop();
    const good = res.code === 0 && (await sha256File(out)) === sha;
    rmSync(out, { force: true });
    if (good) {
      row.ok++;
      const inner = /PXE_BENCH_MS=([\d.]+)/.exec(res.stdout);
      const neg = /PXE_BENCH_NEGOTIATED=(.*)/.exec(res.stdout)?.[1]?.trim();
      if (neg && r === 0 && !row.negotiated.includes("this client"))
        row.negotiated += `; this client got: ${neg}`;
      times.push((inner ? Number(inner[1]) : res.ms) / 1000);
      if (inner && r === 0)
        row.notes.push(
          client.name === "ours"
            ? "timed in-process (Node start-up excluded; first transfer of the process)"
            : `timed in-process on its second download (the first warms the JIT)${client.name === "ours-batch" ? "; @pxe/udp-batch" : ""}`,
        );
      cpu.push(m.cpuS);
      rss = Math.max(rss, m.peakRssMiB);
    } else if (res.timedOut) {
      row.notes.push(`STALL: no completion within ${xferTimeout}s`);
      log(
        `  stall ${server.name} <- ${client.name} ${blksize}/${windowsize} (timeout ${xferTimeout}s)`,
      );
      break; // do not burn another full timeout on the same row
    } else {
      const why = res.code === 0 ? "sha256 mismatch" : `exit ${res.code}`;
      row.notes.push(
        `FAIL: ${why} ${(res.stderr || res.stdout).trim().replace(/\s+/g, " ").slice(0, 80)}`,
      );
      log(`  fail ${server.name} <- ${client.name} ${blksize}/${windowsize}: ${why}`);
    }
  }
  if (times.length) {
    const med = median(times);
    row.mibs = sizeMiB / med;
    row.minS = Math.min(...times);
    row.maxS = Math.max(...times);
    row.cpuS = median(cpu);
    row.rssMiB = rss;
    if (row.maxS > 3 * row.minS + 0.5) row.notes.push(`slow run: max ${row.maxS.toFixed(1)}s`);
  }
  log(
    `  ${server.name} <- ${client.name} ${blksize}/${windowsize}: ${Number.isNaN(row.mibs) ? "fail" : `${row.mibs.toFixed(1)} MiB/s`} (${row.negotiated})`,
  );
  return row;
}

const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : "-");
const f2 = (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : "-");
const pct = (x: number, of: number): string =>
  Number.isFinite(x) && Number.isFinite(of) && of > 0 ? `${Math.round((100 * x) / of)}%` : "-";

function markdown(rows: Row[], ceilings: Map<number, Ceiling>, header: string[]): string {
  const lines = [...header, ""];
  if (ceilings.size) {
    lines.push("### Loopback UDP ceiling (C sender/receiver, same datagram size)", "");
    lines.push(
      "| blksize | datagram bytes | sendto MiB/s | sendmmsg(64) MiB/s | datagrams lost (sendto / sendmmsg) | datagrams a default receive buffer holds | Node dgram sender -> C MiB/s | C -> Node dgram receiver MiB/s | Node + sendmmsg(64) addon -> C MiB/s | C sendmmsg -> Node + recvmmsg addon MiB/s | C GSO(64) -> C GRO MiB/s (lost) |",
    );
    lines.push("|---|---|---|---|---|---|---|---|---|---|---|");
    for (const c of ceilings.values()) {
      lines.push(
        `| ${c.size - 4} | ${c.size} | ${f1(c.sendtoMiBs)} | ${f1(c.sendmmsgMiBs)} | ${(c.sendtoLoss * 100).toFixed(0)}% / ${(c.sendmmsgLoss * 100).toFixed(0)}% | ${c.fitDefault} (of ${c.defaultRcvbuf} B) | ${f1(c.nodeSendMiBs)} (${pct(c.nodeSendMiBs, Math.max(c.sendtoMiBs, c.sendmmsgMiBs))}) | ${f1(c.nodeRecvMiBs)} (${pct(c.nodeRecvMiBs, Math.max(c.sendtoMiBs, c.sendmmsgMiBs))}) | ${f1(c.nodeBatchSendMiBs)} (${pct(c.nodeBatchSendMiBs, Math.max(c.sendtoMiBs, c.sendmmsgMiBs))}) | ${f1(c.nodeBatchRecvMiBs)} (${pct(c.nodeBatchRecvMiBs, Math.max(c.sendtoMiBs, c.sendmmsgMiBs))}) | ${f1(c.gsoGroMiBs)} (${(c.gsoGroLoss * 100).toFixed(0)}%) |`,
      );
    }
    lines.push("");
  }
  const ceil = (b: number): number => {
    const c = ceilings.get(b);
    return c ? Math.max(c.sendtoMiBs, c.sendmmsgMiBs) : Number.NaN;
  };
  const table = (
    sectionRows: Row[],
    title: string,
    ref: (r: Row) => Row | undefined,
    refName: string,
  ): void => {
    lines.push(`### ${title}`, "");
    lines.push(
      `| server | client | blksize | windowsize asked | granted (probe) | MiB/s (median) | vs ${refName} | vs UDP ceiling | min-max s | server CPU s/transfer | server peak RSS MiB | ok/runs | notes |`,
    );
    lines.push("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (const r of sectionRows) {
      const base = ref(r);
      const vs =
        base && Number.isFinite(base.mibs) && Number.isFinite(r.mibs)
          ? `${(r.mibs / base.mibs).toFixed(2)}x`
          : "-";
      const vc =
        Number.isFinite(r.mibs) && Number.isFinite(ceil(r.blksize))
          ? `${((100 * r.mibs) / ceil(r.blksize)).toFixed(0)}%`
          : "-";
      const mibs = Number.isFinite(r.mibs) ? f1(r.mibs) : "**fail**";
      lines.push(
        `| ${r.server} | ${r.client} | ${r.blksize} | ${r.windowsize} | ${r.negotiated} | ${mibs} | ${vs} | ${vc} | ${f2(r.minS)}-${f2(r.maxS)} | ${f2(r.cpuS)} | ${f1(r.rssMiB)} | ${r.ok}/${r.attempted}${r.attempted < r.runs ? ` (of ${r.runs})` : ""} | ${r.notes.join("; ")} |`,
      );
    }
    lines.push("");
  };
  const srv = rows.filter((r) => r.section === "server");
  const cli = rows.filter((r) => r.section === "client");
  if (srv.length)
    table(
      srv,
      `Servers, same client (atftp), ${sizeMiB} MiB download`,
      (r) =>
        srv.find(
          (x) =>
            x.server === "tftpd-hpa" && x.blksize === r.blksize && x.windowsize === r.windowsize,
        ),
      "tftpd-hpa",
    );
  if (cli.length)
    table(
      cli,
      `Clients against one server (${cli[0]?.server}), ${sizeMiB} MiB download`,
      (r) =>
        srv.find(
          (x) =>
            x.server === "tftpd-hpa" && x.blksize === r.blksize && x.windowsize === r.windowsize,
        ),
      "tftpd-hpa + atftp",
    );
  return lines.join("\n");
}

async function main(): Promise<void> {
  const ns = process.env.PXE_BENCH_NS;
  const header = [
    `## TFTP loopback benchmark (${quick ? "quick" : "full"})`,
    "",
    `- date ${new Date().toISOString()}; ${cpus().length} cores; loadavg at start ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
    `- ${sizeMiB} MiB random payload, sha256-checked; median of ${repeat} run(s); every transfer bounded by \`timeout ${xferTimeout}s\``,
    `- network: ${ns ? "private network namespace, " : "host "}loopback ${HOST}`,
    `- peers: ${peerVersions()}`,
  ];
  log(`payload ${sizeMiB} MiB in ${root}`);
  const sha = makePayload(root, FILE, sizeMiB * 1048576);
  makePayload(root, PROBE_FILE, 65536);

  // UDP ceiling per datagram size
  const ceilings = new Map<number, Ceiling>();
  const ceilingBin = ensureCeilingTool();
  const batchAddon = ensureBatchAddon();
  if (ceilingBin && !args["no-ceiling"]) {
    const sizes = [...new Set([...sets, ...clientSets].map((s) => s.blksize))].sort(
      (a, b) => a - b,
    );
    for (const b of sizes) {
      // at least 64 MiB and 3 runs: the C pair is cheap, and a short run is mostly noise
      const c = await measureCeiling(
        ceilingBin,
        [],
        16990,
        b,
        Math.max(sizeMiB, 64) * 1048576,
        Math.max(3, repeat),
        undefined,
        batchAddon,
      );
      ceilings.set(b, c);
      log(
        `ceiling ${b + 4} B: sendto ${f1(c.sendtoMiBs)} MiB/s, sendmmsg ${f1(c.sendmmsgMiBs)} MiB/s, GSO->GRO ${f1(c.gsoGroMiBs)} MiB/s, Node sender ${f1(c.nodeSendMiBs)} (batched ${f1(c.nodeBatchSendMiBs)}), Node receiver ${f1(c.nodeRecvMiBs)} (batched ${f1(c.nodeBatchRecvMiBs)})`,
      );
    }
  }

  const rows: Row[] = [];
  const wanted = (args.servers?.split(",") ?? [...SERVERS.keys()]).filter(Boolean);
  const atftp = CLIENTS.get("atftp")!;
  let port = 16900;
  // 1) every server, same atftp client
  for (const name of wanted) {
    const def = SERVERS.get(name);
    if (!def) {
      log(`unknown server ${name}`);
      continue;
    }
    const why = def.unavailable() ?? atftp.unavailable();
    if (why) {
      log(`server ${name} skipped: ${why}`);
      header.push(`- skipped server ${name}: ${why}`);
      continue;
    }
    const p = def.fixedPort ?? port++;
    const d = await startServer(def, p);
    if (typeof d === "string") {
      log(`server ${name} skipped: ${d}`);
      header.push(`- skipped server ${name}: ${d}`);
      continue;
    }
    log(`server ${name} up on ${HOST}:${p} (pid ${d.pid})`);
    try {
      for (const s of sets)
        rows.push(await measureRow("server", def, d, p, atftp, s.blksize, s.windowsize, sha));
    } finally {
      await d.stop();
    }
  }

  // 2) clients against one server
  const csName =
    args["client-server"] ??
    ["ours-batch", "ours", "atftpd"].find((n) => SERVERS.get(n)?.unavailable() === undefined) ??
    "atftpd";
  const csDef = SERVERS.get(csName);
  const wantedClients = (
    args.clients?.split(",") ?? ["atftp", "curl", "ours", "ours-warm", "ours-batch"]
  ).filter(Boolean);
  if (csDef && !csDef.unavailable() && wantedClients.length) {
    const p = csDef.fixedPort ?? port++;
    const d = await startServer(csDef, p);
    if (typeof d === "string") header.push(`- client rows skipped: server ${csName}: ${d}`);
    else {
      try {
        for (const cname of wantedClients) {
          const c = CLIENTS.get(cname);
          const why = c ? c.unavailable() : "unknown client";
          if (!c || why) {
            header.push(`- skipped client ${cname}: ${why}`);
            continue;
          }
          for (const s of clientSets) {
            if (s.windowsize > 1 && !c.windows) continue;
            rows.push(await measureRow("client", csDef, d, p, c, s.blksize, s.windowsize, sha));
          }
        }
      } finally {
        await d.stop();
      }
    }
  }

  header.push(
    `- loadavg at end ${loadavg()
      .map((x) => x.toFixed(2))
      .join(" ")}`,
  );
  const md = markdown(rows, ceilings, header);
  process.stdout.write(`${md}\n`);
  if (args.out) writeFileSync(args.out, `${md}\n`);
  if (args.json)
    writeFileSync(args.json, JSON.stringify({ rows, ceilings: [...ceilings.values()] }, null, 2));
}

await main();

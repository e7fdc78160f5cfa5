/**
 * Sets up what the TFTP benchmarks run against, idempotently: the Debian peers (through the
 * repo's `scripts/setup-peers.sh`), atftpd unpacked (not installed: it conflicts with
 * tftpd-hpa) into a cache directory, and the C UDP-ceiling tool compiled from source.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** packages/tftp/bench */
export const BENCH_DIR = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
/** packages/tftp */
export const PKG_DIR = path.dirname(BENCH_DIR);
/** repository root */
export const REPO_ROOT = path.resolve(PKG_DIR, "../..");
/** Cache for unpacked peers and compiled tools (kept between runs). */
export const CACHE_DIR = path.join(PKG_DIR, "node_modules/.cache/pxe-bench");

/** Logs to stderr with a time stamp (stdout carries the tables). */
export function log(msg: string): void {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${msg}\n`);
}

/** True when running as root (namespaces, nftables, apt, dnsmasq on port 69). */
export const isRoot = (): boolean => process.getuid?.() === 0;

/** Whether a command is on PATH (or an absolute executable path exists). */
export function have(cmd: string): boolean {
  if (cmd.includes("/")) return existsSync(cmd);
  return spawnSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" }).status === 0;
}

/** Installs the missing Debian peers via scripts/setup-peers.sh (root only; no-op otherwise). */
export function ensureDebianPeers(): void {
  const need = ["in.tftpd", "atftp", "dnsmasq", "nft", "curl", "gcc"];
  if (need.every(have)) return;
  if (!isRoot()) {
    log(
      `missing peers (${need.filter((c) => !have(c)).join(", ")}); not root, rows will be skipped`,
    );
    return;
  }
  log("installing missing Debian peers via scripts/setup-peers.sh");
  spawnSync("bash", [path.join(REPO_ROOT, "scripts/setup-peers.sh")], { stdio: "inherit" });
}

/** Path of the atftpd binary: $ATFTPD_BIN, an installed one, or one unpacked into the cache. */
export function ensureAtftpd(): string | undefined {
  const env = process.env.ATFTPD_BIN;
  if (env && existsSync(env)) return env;
  if (have("atftpd")) return "atftpd";
  const dir = path.join(CACHE_DIR, "atftpd");
  const bin = path.join(dir, "x/usr/sbin/atftpd");
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const download = (): boolean =>
    spawnSync("apt-get", ["download", "atftpd"], { cwd: dir, stdio: "ignore", timeout: 120_000 })
      .status === 0;
  if (!download()) {
    if (isRoot()) spawnSync("apt-get", ["update", "-q"], { stdio: "ignore", timeout: 300_000 });
    if (!download()) {
      log("atftpd: apt-get download failed; atftpd rows skipped");
      return undefined;
    }
  }
  const deb = readdirSync(dir).find((f) => f.startsWith("atftpd_") && f.endsWith(".deb"));
  if (!deb) return undefined;
  spawnSync("dpkg", ["-x", deb, "x"], { cwd: dir, stdio: "ignore" });
  return existsSync(bin) ? bin : undefined;
}

/** Directory of the npm `tftp` 0.1.2 package (a devDependency of @pxe/tftp). */
export function nodeTftpDir(): string | undefined {
  try {
    const req = createRequire(path.join(PKG_DIR, "package.json"));
    return path.dirname(req.resolve("tftp/package.json"));
  } catch {
    return undefined;
  }
}

/** Compiles bench/c/udp-ceiling.c into the cache (when missing or older than the source). */
export function ensureCeilingTool(): string | undefined {
  const src = path.join(BENCH_DIR, "c/udp-ceiling.c");
  const bin = path.join(CACHE_DIR, "udp-ceiling");
  if (existsSync(bin) && statSync(bin).mtimeMs >= statSync(src).mtimeMs) return bin;
  if (!have("gcc")) {
    log("gcc missing: no UDP ceiling");
    return undefined;
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  try {
    execFileSync("gcc", ["-O2", "-Wall", "-o", bin, src], { stdio: "inherit" });
    return bin;
  } catch {
    log("udp-ceiling did not compile: no UDP ceiling");
    return undefined;
  }
}

/**
 * The `@pxe/udp-batch` addon (sendmmsg/recvmmsg), built by its own script if it is not yet;
 * undefined when it cannot be (no C compiler or Node headers): the "batched" rows then say so.
 */
export function ensureBatchAddon(): string | undefined {
  const pkg = path.resolve(BENCH_DIR, "../../udp-batch");
  const bin = path.join(pkg, "build/udp_batch.node");
  spawnSync(process.execPath, [path.join(pkg, "scripts/build-native.mjs"), "--optional"], {
    stdio: "inherit",
  });
  if (existsSync(bin)) return bin;
  log("@pxe/udp-batch addon not built: no batched rows");
  return undefined;
}

/** Whether the @pxe/udp-batch addon is built (see {@link ensureBatchAddon}). */
export function batchAvailable(): boolean {
  return existsSync(path.resolve(BENCH_DIR, "../../udp-batch/build/udp_batch.node"));
}

/** `dpkg-query -W` versions of the Debian peers, for the report header. */
export function peerVersions(): string {
  const r = spawnSync(
    "dpkg-query",
    [
      "-W",
      `-f=\${Package} \${Version}\n`,
      "tftpd-hpa",
      "atftp",
      "dnsmasq-base",
      "curl",
      "nftables",
    ],
    { encoding: "utf8" },
  );
  const lines = (r.stdout ?? "").trim().split("\n").filter(Boolean);
  const atftpd = process.env.ATFTPD_BIN ?? path.join(CACHE_DIR, "atftpd");
  let atftpdVer = "";
  if (existsSync(path.join(CACHE_DIR, "atftpd"))) {
    const deb = readdirSync(path.join(CACHE_DIR, "atftpd")).find((f) => f.endsWith(".deb"));
    if (deb) atftpdVer = `atftpd ${deb.split("_")[1] ?? "?"} (unpacked from ${deb})`;
  } else if (have("atftpd")) atftpdVer = `atftpd (installed; ${atftpd})`;
  let nodeTftp = "";
  const nd = nodeTftpDir();
  if (nd) nodeTftp = "npm tftp 0.1.2";
  return [...lines, atftpdVer, nodeTftp, `node ${process.version}`].filter(Boolean).join("; ");
}

/** Whether our own Node adapter exists in the source tree yet. */
export function oursAvailable(): boolean {
  return existsSync(path.join(PKG_DIR, "src/node/index.ts"));
}

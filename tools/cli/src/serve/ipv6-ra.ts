/**
 * `--ipv6-ra` (opt-in, NOT safe on a network that has its own IPv6 routers): answers IPv6 router
 * solicitations with a Router Advertisement that carries router lifetime 0 (not a default
 * router), no prefix and the M/O flags clear, so iPXE ends its IPv6 autoconfiguration at once
 * (with no IPv6 address) instead of waiting ~13 s for its solicitations to time out.
 *
 * iPXE (src/net/ndp.c, `ipv6conf_rx_router_advertisement`): the first RA received while
 * autoconfiguration runs stops the solicitation timer, registers the RA's settings (no prefix:
 * no address; lifetime 0: no gateway) and, with neither M nor O set, finishes autoconfiguration
 * successfully without starting DHCPv6.
 *
 * Node has no raw ICMPv6 sockets, so the advertisements are sent by Debian's `radvd`, run as a
 * child process with a generated configuration (foreground, logging to stderr), and stopped
 * (SIGTERM, then SIGKILL after a bounded wait) when the server closes.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Where `radvd` is looked for (Debian's package installs /usr/sbin/radvd). */
export const RADVD_PATHS = ["/usr/sbin/radvd", "/usr/local/sbin/radvd", "/sbin/radvd"] as const;

/**
 * The radvd configuration for `iface`: advertisements with router lifetime 0, no prefix, no
 * RDNSS/DNSSL, M and O clear. `MinRtrAdvInterval`/`MaxRtrAdvInterval` (s) pace the unsolicited
 * ones; solicited ones are what iPXE waits for.
 */
export function radvdConfig(iface: string, minInterval = 30, maxInterval = 60): string {
  if (!/^[A-Za-z0-9_.:@-]{1,15}$/.test(iface))
    throw new Error(`--ipv6-ra: ${JSON.stringify(iface)} is not an interface name`);
  return [
    `interface ${iface} {`,
    "  AdvSendAdvert on;",
    "  AdvDefaultLifetime 0;",
    "  AdvManagedFlag off;",
    "  AdvOtherConfigFlag off;",
    `  MinRtrAdvInterval ${minInterval};`,
    `  MaxRtrAdvInterval ${maxInterval};`,
    "};",
    "",
  ].join("\n");
}

/** A running `radvd`. */
export interface RouterAdvertiser {
  /** The child's pid. */
  readonly pid: number | undefined;
  /** Stops radvd (bounded: SIGTERM, SIGKILL after `graceMs`) and removes its files. */
  close(graceMs?: number): Promise<void>;
}

/** Options of {@link startRouterAdvertiser}. */
export interface RouterAdvertiserOptions {
  /** The served interface (`--interface`). */
  iface: string;
  /** radvd's path (default: the first of {@link RADVD_PATHS} that exists). */
  radvd?: string;
  /** One call per line radvd writes (its own log). */
  onLog?: (line: string) => void;
}

/**
 * Starts radvd for `--ipv6-ra`; rejects with a clear message when radvd is not installed or
 * exits during its first second (bad interface, no IPv6 on it...).
 */
export async function startRouterAdvertiser(o: RouterAdvertiserOptions): Promise<RouterAdvertiser> {
  const bin = o.radvd ?? RADVD_PATHS.find((p) => existsSync(p));
  if (bin === undefined || !existsSync(bin))
    throw new Error("--ipv6-ra needs radvd (Debian: apt-get install radvd)");
  const dir = mkdtempSync(join(tmpdir(), "pxe-serve-radvd-"));
  const conf = join(dir, "radvd.conf");
  writeFileSync(conf, radvdConfig(o.iface));
  const child: ChildProcess = spawn(
    bin,
    ["--nodaemon", "--logmethod", "stderr", "--config", conf, "--pidfile", join(dir, "radvd.pid")],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let buf = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (d: string) => {
    buf += d;
    let nl = buf.indexOf("\n");
    while (nl >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) o.onLog?.(line);
      nl = buf.indexOf("\n");
    }
    if (buf.length > 4096) buf = ""; // bounded: a line that never ends is dropped
  });
  const exited = new Promise<number | null>((res) => {
    child.once("exit", (code) => res(code));
    child.once("error", () => res(-1));
  });
  const early = await Promise.race([
    exited.then((c) => ({ exited: true as const, code: c })),
    new Promise<{ exited: false }>((res) => setTimeout(() => res({ exited: false }), 1000)),
  ]);
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  if (early.exited) {
    cleanup();
    throw new Error(
      `--ipv6-ra: radvd exited at start (code ${early.code}); is IPv6 enabled on ${o.iface}?`,
    );
  }
  let closed: Promise<void> | undefined;
  return {
    pid: child.pid,
    close(graceMs = 3000) {
      closed ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          child.kill("SIGTERM");
          const t = setTimeout(() => child.kill("SIGKILL"), graceMs);
          await exited;
          clearTimeout(t);
        }
        cleanup();
      })();
      return closed;
    },
  };
}

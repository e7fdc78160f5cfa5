/**
 * Private network namespaces for the benchmarks. Everything the benchmarks send stays
 * inside namespaces created here (or on the host loopback when not root), and every
 * namespace is deleted by name on exit.
 */
import { execFileSync, spawnSync } from "node:child_process";

const created: string[] = [];
let hooked = false;

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
}

function hookCleanup(): void {
  if (hooked) return;
  hooked = true;
  const clean = (): void => deleteAll();
  process.on("exit", clean);
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(sig, () => {
      clean();
      process.exit(130);
    });
  }
}

/** Deletes every namespace this process created. */
export function deleteAll(): void {
  while (created.length) {
    const ns = created.pop()!;
    spawnSync("ip", ["netns", "del", ns], { stdio: "ignore" });
  }
}

/** `ip netns exec <ns>` prefix for spawn. */
export const inNs = (ns: string): string[] => ["ip", "netns", "exec", ns];

/**
 * A namespace with `lo` up and one veth pair whose two ends both stay inside it, holding
 * 198.18.0.1/32 (RFC 2544 benchmarking range). The address exists only because glibc's
 * AI_ADDRCONFIG ignores loopback and tftpd-hpa exits 66 without a non-loopback address;
 * no traffic uses it.
 */
export function createLoopbackNs(tag: string): string {
  hookCleanup();
  const ns = `pxebench-${tag}-${process.pid}`;
  ip("netns", "add", ns);
  created.push(ns);
  ip("-n", ns, "link", "set", "lo", "up");
  ip("-n", ns, "link", "add", "pxb0", "type", "veth", "peer", "name", "pxb1");
  ip("-n", ns, "addr", "add", "198.18.0.1/32", "dev", "pxb0");
  ip("-n", ns, "link", "set", "pxb0", "up");
  ip("-n", ns, "link", "set", "pxb1", "up");
  return ns;
}

/** Server and client namespaces joined by a veth pair (10.231.0.1 <-> 10.231.0.2, /30). */
export interface NsPair {
  server: string;
  client: string;
  serverAddr: string;
  clientAddr: string;
  serverIf: string;
  clientIf: string;
}

/** Creates two namespaces joined by a veth pair; MTU 1500 like an Ethernet link. */
export function createPair(tag: string): NsPair {
  hookCleanup();
  const server = `pxebench-${tag}-s-${process.pid}`;
  const client = `pxebench-${tag}-c-${process.pid}`;
  ip("netns", "add", server);
  created.push(server);
  ip("netns", "add", client);
  created.push(client);
  ip("-n", server, "link", "set", "lo", "up");
  ip("-n", client, "link", "set", "lo", "up");
  ip(
    "-n",
    server,
    "link",
    "add",
    "pxbs0",
    "type",
    "veth",
    "peer",
    "name",
    "pxbc0",
    "netns",
    client,
  );
  ip("-n", server, "addr", "add", "10.231.0.1/30", "dev", "pxbs0");
  ip("-n", client, "addr", "add", "10.231.0.2/30", "dev", "pxbc0");
  ip("-n", server, "link", "set", "pxbs0", "up");
  ip("-n", client, "link", "set", "pxbc0", "up");
  return {
    server,
    client,
    serverAddr: "10.231.0.1",
    clientAddr: "10.231.0.2",
    serverIf: "pxbs0",
    clientIf: "pxbc0",
  };
}

/** Loads an nftables ruleset into a namespace (`nft -f -`). */
export function nft(ns: string, ruleset: string): void {
  const r = spawnSync("ip", ["netns", "exec", ns, "nft", "-f", "-"], {
    input: ruleset,
    encoding: "utf8",
  });
  if (r.status !== 0) throw new Error(`nft failed in ${ns}: ${r.stderr}`);
}

/** Reads the packet count of the first nftables counter whose rule carries `comment`. */
export function nftCounter(ns: string, comment: string): number {
  const r = spawnSync("ip", ["netns", "exec", ns, "nft", "list", "ruleset"], { encoding: "utf8" });
  for (const line of (r.stdout ?? "").split("\n")) {
    if (line.includes(`comment "${comment}"`)) {
      const m = /packets (\d+)/.exec(line);
      if (m) return Number(m[1]);
    }
  }
  return Number.NaN;
}

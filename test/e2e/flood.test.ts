/**
 * Robustness in a real network (issue 9, item 7): a bounded flood (~1500/s) of broadcast DISCOVERs from
 * 1000 MACs against `pxe serve`, inside two network namespaces this test creates (veth pair;
 * test/e2e/flood.sh), leaves it answering; in proxy mode a flood of non-PXE clients gets no reply
 * at all. Needs root and `ip`; otherwise the cases skip and say why.
 */
import { spawnSync } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const here = resolve(import.meta.dirname);
const isRoot = typeof process.getuid === "function" && process.getuid() === 0;
const hasIp = spawnSync("ip", ["-V"], { encoding: "utf8" }).status === 0;
const skip =
  process.platform !== "linux"
    ? "not Linux (network namespaces)"
    : !isRoot
      ? "not root (network namespaces)"
      : !hasIp
        ? "no `ip` (iproute2)"
        : undefined;
if (skip) console.warn(`e2e DHCP flood skipped: ${skip}`);

interface Flood {
  sent: number;
  replies: number;
  final: number;
  serverReplies: number;
  alive: number;
  out: string;
}

function flood(env: Record<string, string>): Flood {
  const r = spawnSync("bash", [join(here, "flood.sh")], {
    env: { ...process.env, ...env },
    encoding: "utf8",
    timeout: 150_000,
  });
  const out = `${r.stdout}\n${r.stderr}`;
  const n = (re: RegExp) => Number(re.exec(r.stdout)?.[1] ?? Number.NaN);
  return {
    sent: n(/FLOOD-RESULT .*sent=(\d+)/),
    replies: n(/FLOOD-RESULT .*replies=(\d+)/),
    final: n(/FLOOD-RESULT .*final=(\d)/),
    serverReplies: n(/FLOOD-SERVER replies=(\d+)/),
    alive: n(/FLOOD-SERVER .*alive=(\d)/),
    out,
  };
}

describe.skipIf(skip !== undefined)("DHCP flood in a network namespace", () => {
  it("full mode: 1000 PXE DISCOVERs from 1000 MACs are answered, and the server still answers", () => {
    const f = flood({ MODE: "full", FLOOD_KIND: "pxe", FLOOD_N: "1000" });
    expect(f.sent, f.out).toBe(1000);
    expect(f.replies, f.out).toBeGreaterThanOrEqual(900); // a veth may drop a few under load
    expect(f.final, f.out).toBe(1);
    expect(f.alive, f.out).toBe(1);
  }, 160_000);
  it("proxy mode: 1000 non-PXE DISCOVERs get no reply, then a PXE client is answered", () => {
    const f = flood({ MODE: "proxy", FLOOD_KIND: "dhcp", FLOOD_N: "1000" });
    expect(f.sent, f.out).toBe(1000);
    expect(f.replies, f.out).toBe(0);
    expect(f.serverReplies, f.out).toBe(1); // the final PXE DISCOVER only
    expect(f.final, f.out).toBe(1);
  }, 160_000);
});

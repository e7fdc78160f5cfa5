import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveServeOptions, ServeConfigError } from "../src/serve/config.js";
import { radvdConfig, startRouterAdvertiser } from "../src/serve/ipv6-ra.js";

const dir = mkdtempSync(join(tmpdir(), "pxe-serve-ra-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in for radvd: prints a line to stderr, then runs until signalled (bounded: 30 s). */
function fakeRadvd(body: string): string {
  const p = join(dir, `radvd-${Math.random().toString(36).slice(2)}.sh`);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
}

function radvdTmpDirs(): string[] {
  return readdirSync(tmpdir()).filter((n) => n.startsWith("pxe-serve-radvd-"));
}

describe("--ipv6-ra (opt-in Router Advertisement: lifetime 0, no prefix, M/O clear)", () => {
  it("generates a radvd configuration that makes no default router, no address, no DHCPv6", () => {
    const c = radvdConfig("br0");
    expect(c).toMatch(/^interface br0 \{$/m);
    expect(c).toContain("AdvSendAdvert on;");
    expect(c).toContain("AdvDefaultLifetime 0;");
    expect(c).toContain("AdvManagedFlag off;");
    expect(c).toContain("AdvOtherConfigFlag off;");
    expect(c).not.toMatch(/prefix|RDNSS|DNSSL|route/i);
    for (const bad of ["", "br0 { AdvSendAdvert on; };", "a\nb", "x".repeat(16)]) {
      expect(() => radvdConfig(bad)).toThrow(/not an interface name/);
    }
  });
  it("is a flag that needs --interface", () => {
    expect(() => resolveServeOptions({ ipv6Ra: true }, true)).toThrow(ServeConfigError);
    expect(resolveServeOptions({ interface: "lo", ipv6Ra: true }, true).ipv6RaInterface).toBe("lo");
    expect(resolveServeOptions({ interface: "lo" }, true).ipv6RaInterface).toBeUndefined();
  });
  it("runs radvd in the foreground with its log forwarded, and stops it (bounded) on close", async () => {
    const before = radvdTmpDirs().length;
    const lines: string[] = [];
    const bin = fakeRadvd('echo "radvd started $*" >&2\nexec sleep 30');
    const ra = await startRouterAdvertiser({
      iface: "br0",
      radvd: bin,
      onLog: (l) => lines.push(l),
    });
    expect(ra.pid).toBeGreaterThan(0);
    expect(lines.join("\n")).toMatch(/--nodaemon --logmethod stderr --config \S+radvd\.conf/);
    const t0 = Date.now();
    await ra.close();
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(() => process.kill(ra.pid ?? 0, 0)).toThrow(); // gone
    expect(radvdTmpDirs().length).toBe(before); // its configuration is removed
    await ra.close(); // idempotent
  });
  it("kills a radvd that ignores SIGTERM after the grace period", async () => {
    const bin = fakeRadvd("trap '' TERM\necho up >&2\nwhile :; do sleep 1; done");
    const ra = await startRouterAdvertiser({ iface: "br0", radvd: bin });
    const t0 = Date.now();
    await ra.close(300);
    expect(Date.now() - t0).toBeLessThan(2500);
    expect(() => process.kill(ra.pid ?? 0, 0)).toThrow();
  });
  it("says what is wrong when radvd is missing or exits at start", async () => {
    await expect(
      startRouterAdvertiser({ iface: "br0", radvd: join(dir, "no-such-radvd") }),
    ).rejects.toThrow(/needs radvd/);
    await expect(
      startRouterAdvertiser({ iface: "br0", radvd: fakeRadvd("exit 1") }),
    ).rejects.toThrow(/radvd exited at start \(code 1\)/);
    expect(existsSync(join(dir, "no-such-radvd"))).toBe(false);
  });
});

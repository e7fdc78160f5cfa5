import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveServeOptions, ServeConfigError } from "../src/serve/config.js";

const dir = mkdtempSync(join(tmpdir(), "pxe-serve-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("pxe serve flags", () => {
  it("with no arguments: built-in root, loopback, DHCP off, unprivileged ports when not root", () => {
    const o = resolveServeOptions({}, false);
    expect(o).toMatchObject({
      root: undefined,
      address: "127.0.0.1",
      dhcp: "off",
      httpPort: 8080,
      tftpPort: 6969,
    });
    expect(resolveServeOptions({}, true).tftpPort).toBe(69);
  });
  it("makes DHCP an explicit, root-only choice tied to an interface", () => {
    expect(() => resolveServeOptions({ proxy: true }, true)).toThrow(/needs --interface/);
    expect(() => resolveServeOptions({ proxy: true, interface: "lo" }, false)).toThrow(
      /run as root/,
    );
    expect(() =>
      resolveServeOptions({ proxy: true, range: "1.1.1.1-1.1.1.2", interface: "lo" }, true),
    ).toThrow(ServeConfigError);
  });
  it("takes the interface's address and subnet, and checks the range against it", () => {
    const o = resolveServeOptions({ interface: "lo", range: "127.0.0.10-127.0.0.20" }, true);
    expect(o).toMatchObject({
      address: "127.0.0.1",
      prefix: 8,
      netmask: "255.0.0.0",
      dhcp: "full",
    });
    expect(o.range).toEqual(["127.0.0.10", "127.0.0.20"]);
    expect(o.leaseFile).toBe("pxe-serve.leases.json");
    expect(() =>
      resolveServeOptions({ interface: "lo", range: "10.0.0.1-10.0.0.9" }, true),
    ).toThrow(/outside/);
    expect(() =>
      resolveServeOptions({ interface: "lo", range: "127.0.0.20-127.0.0.10" }, true),
    ).toThrow(/START <= END/);
    expect(() => resolveServeOptions({ interface: "no-such-if0" }, true)).toThrow(
      /no such interface/,
    );
  });
  it("refuses privileged ports when not root, and bad port numbers", () => {
    expect(() => resolveServeOptions({ httpPort: "80" }, false)).toThrow(/need root/);
    expect(() => resolveServeOptions({ httpPort: "http" }, true)).toThrow(/not a port/);
    expect(() => resolveServeOptions({ tftp: false, http: false }, true)).toThrow(
      /nothing to serve/,
    );
  });
  it("reads a JSON config file under the flags", () => {
    const f = join(dir, "serve.json");
    writeFileSync(f, JSON.stringify({ root: "/srv/a", httpPort: 9090, append: "quiet" }));
    const o = resolveServeOptions({ config: f, append: "console=ttyS0" }, false);
    expect(o).toMatchObject({ root: "/srv/a", httpPort: 9090, append: "console=ttyS0" });
    writeFileSync(f, "[1]");
    expect(() => resolveServeOptions({ config: f }, false)).toThrow(/JSON object/);
  });
});

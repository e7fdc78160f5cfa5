import {
  configLookupOrder,
  derivePathPrefix,
  isPxelinuxCfgError,
  pathPrefixCwd,
  resolvePath,
  uuidString,
} from "@pxe/pxelinux-cfg";
import { describe, expect, it } from "vitest";

describe("path prefix", () => {
  it("keeps the boot file name up to its last byte that is not a letter, digit, . or -", () => {
    expect(derivePathPrefix("/tftpboot/pxelinux.0")).toBe("/tftpboot/");
    expect(derivePathPrefix("my_pxe.0")).toBe("my_");
    expect(derivePathPrefix("pxelinux.0")).toBe("");
    expect(derivePathPrefix("boot\\x86\\lpxelinux.0")).toBe("boot\\x86\\");
    expect(derivePathPrefix("http://srv/boot/lpxelinux.0")).toBe("http://srv/boot/");
    expect(derivePathPrefix("")).toBe("");
  });

  it("turns a non-URL prefix into ::prefix; option 210 wins", () => {
    expect(pathPrefixCwd({ bootFile: "/tftpboot/pxelinux.0" })).toBe("::/tftpboot/");
    expect(pathPrefixCwd({ bootFile: "pxelinux.0" })).toBe("::");
    expect(pathPrefixCwd({ bootFile: "x/pxelinux.0", pathPrefix: "http://h/p/" })).toBe(
      "http://h/p/",
    );
    expect(pathPrefixCwd({ pathPrefix: "srv::/boot/" })).toBe("srv::/boot/");
  });

  it("applies the prefix to every name that is not scheme://, ::path or host::path", () => {
    expect(resolvePath("vmlinuz", "::/tftpboot/").name).toBe("::/tftpboot/vmlinuz");
    expect(resolvePath("/abs/vmlinuz", "::/tftpboot/").name).toBe("::/tftpboot//abs/vmlinuz");
    expect(resolvePath("::/abs/vmlinuz", "::/tftpboot/")).toEqual({
      kind: "tftp",
      name: "::/abs/vmlinuz",
      server: undefined,
      path: "/abs/vmlinuz",
    });
    expect(resolvePath("10.0.0.2::img", "::/x/")).toEqual({
      kind: "tftp",
      name: "10.0.0.2::img",
      server: "10.0.0.2",
      path: "img",
    });
    expect(resolvePath("http://h/k", "::/x/")).toEqual({
      kind: "url",
      name: "http://h/k",
      url: "http://h/k",
    });
    expect(resolvePath("k", "http://h/boot/").name).toBe("http://h/boot/k");
    expect(resolvePath("a:b", "::/x/").name).toBe("::/x/a:b");
  });
});

describe("config lookup order", () => {
  it("tries 209, uuid, 01-mac, the hex IP shortened one digit at a time, then default", () => {
    const r = configLookupOrder({
      uuid: "B8945908-D6A6-41A9-611D-74A6AB80B83D",
      mac: "88:99:AA:BB:CC:DD",
      ip: "192.168.2.91",
      bootFile: "/tftpboot/pxelinux.0",
      configFile: "custom.cfg",
    });
    expect(r.cwd).toBe("::/tftpboot/");
    expect(r.candidates.map((c) => c.resolved.name)).toEqual([
      "::/tftpboot/custom.cfg",
      "::/tftpboot/pxelinux.cfg/b8945908-d6a6-41a9-611d-74a6ab80b83d",
      "::/tftpboot/pxelinux.cfg/01-88-99-aa-bb-cc-dd",
      "::/tftpboot/pxelinux.cfg/C0A8025B",
      "::/tftpboot/pxelinux.cfg/C0A8025",
      "::/tftpboot/pxelinux.cfg/C0A802",
      "::/tftpboot/pxelinux.cfg/C0A80",
      "::/tftpboot/pxelinux.cfg/C0A8",
      "::/tftpboot/pxelinux.cfg/C0A",
      "::/tftpboot/pxelinux.cfg/C0",
      "::/tftpboot/pxelinux.cfg/C",
      "::/tftpboot/pxelinux.cfg/default",
    ]);
    expect(r.candidates.map((c) => c.reason)).toEqual([
      "option-209",
      "uuid",
      "mac",
      ...Array(8).fill("ip"),
      "default",
    ]);
  });

  it("skips a UUID syslinux rejects, takes bytes and other ARP types", () => {
    const zero = new Uint8Array(16);
    expect(uuidString(zero)).toBeUndefined();
    const r = configLookupOrder({
      uuid: zero,
      mac: new Uint8Array([1, 2, 3, 4, 5, 6]),
      arpType: 6,
      ip: new Uint8Array([10, 0, 0, 1]),
    });
    expect(r.candidates.map((c) => c.name).slice(0, 2)).toEqual([
      "pxelinux.cfg/06-01-02-03-04-05-06",
      "pxelinux.cfg/0A000001",
    ]);
    expect(r.candidates[0]?.resolved).toEqual({
      kind: "tftp",
      name: "::pxelinux.cfg/06-01-02-03-04-05-06",
      server: undefined,
      path: "pxelinux.cfg/06-01-02-03-04-05-06",
    });
  });

  it("an absolute option 209 still gets the prefix, a ::path does not", () => {
    const base = { mac: "00:11:22:33:44:55", ip: 0x0a000001, bootFile: "/t/pxelinux.0" };
    expect(
      configLookupOrder({ ...base, configFile: "/etc/x.cfg" }).candidates[0]?.resolved.name,
    ).toBe("::/t//etc/x.cfg");
    expect(
      configLookupOrder({ ...base, configFile: "::/etc/x.cfg" }).candidates[0]?.resolved.name,
    ).toBe("::/etc/x.cfg");
  });

  it("throws a typed error for malformed inputs", () => {
    for (const bad of [{ ip: "300.1.1.1" }, { ip: "x" }, { mac: "zz:11" }, { uuid: "1234" }]) {
      try {
        configLookupOrder({ mac: "00:11:22:33:44:55", ip: "10.0.0.1", ...bad });
        expect.unreachable();
      } catch (e) {
        expect(isPxelinuxCfgError(e)).toBe(true);
      }
    }
  });
});

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: iPXE scripts use ${...} literally
import {
  expand,
  formatSetting,
  isIpxeScriptError,
  parseSettingValue,
  SettingsStore,
} from "@pxe/ipxe-script";
import { describe, expect, it } from "vitest";

const client = new SettingsStore(
  {
    mac: "52:54:00:12:34:56",
    ip: "10.0.0.5",
    uuid: "01234567-89ab-cdef-0011-223344556677",
    platform: "efi",
    buildarch: "x86_64",
    dhcp: { 210: new TextEncoder().encode("http://boot/"), [(175 << 8) | 3]: Uint8Array.of(1) },
  },
  { netid: "0", "boot-url": "http://x" },
);

describe("expand", () => {
  it("formats predefined settings with their own type and with an explicit one", () => {
    expect(expand("${mac}", client)).toBe("52:54:00:12:34:56");
    expect(expand("${mac:hexhyp}", client)).toBe("52-54-00-12-34-56");
    expect(expand("${mac:hexraw}", client)).toBe("525400123456");
    expect(expand("${ip}", client)).toBe("10.0.0.5");
    expect(expand("${ip:hex}", client)).toBe("0a:00:00:05");
    expect(expand("${uuid}", client)).toBe("01234567-89ab-cdef-0011-223344556677");
    expect(expand("${uuid:guid}", client)).toBe("67452301-ab89-efcd-0011-223344556677");
    expect(expand("${platform}-${buildarch}", client)).toBe("efi-x86_64");
  });
  it("nests inside-out, with scopes and numeric DHCP tags", () => {
    expect(expand("${net${netid}/mac:hexhyp}", client)).toBe("52-54-00-12-34-56");
    expect(expand("${210:string}menu.ipxe", client)).toBe("http://boot/menu.ipxe");
    expect(expand("${175.3:uint8}", client)).toBe("0x1");
    expect(expand("${175.3:int8}", client)).toBe("1");
  });
  it("unset, invalid types and stray braces", () => {
    expect(expand("a${nope}b", client)).toBe("ab");
    expect(expand("${mac:bogus}", client)).toBe("");
    expect(expand("}${boot-url", client)).toBe("}${boot-url");
    expect(expand("$x ${boot-url}/}", client)).toBe("$x http://x/}");
  });
  it("re-expands values and rescans from the start", () => {
    const s = new SettingsStore({}, { a: "${b}", b: "B", c: "${" });
    expect(expand("x${a}y", s)).toBe("xBy");
    expect(expand("${c}b}", s)).toBe("B");
  });
  it("typed set: hex, int32, uristring", () => {
    const s = new SettingsStore();
    s.set("space:hex", "20:20");
    expect(expand("[${space:string}]", s)).toBe("[  ]");
    expect(expand("${space}", s)).toBe("20:20");
    s.set("n:int32", "-1");
    expect(expand("${n} ${n:uint32}", s)).toBe("-1 0xffffffff");
    s.set("u", "a b/c?d%");
    expect(expand("${u:uristring}", s)).toBe("a%20b%2Fc%3Fd%25");
    s.set("u", "");
    expect(expand("${u}", s)).toBe("");
    expect(() => s.set("x:hex", "zz")).toThrow(/not a valid hex/);
  });
  it("uint formatting uses iPXE's %#lx (0x0 for zero)", () => {
    expect(formatSetting("uint16", Uint8Array.of(0, 0))).toBe("0x0");
    expect(formatSetting("int16", Uint8Array.of(0xff, 0xfe))).toBe("-2");
    expect(formatSetting("ipv6", parseSettingValue("ipv6", "fe80::1") as Uint8Array)).toBe(
      "fe80::1",
    );
    expect(formatSetting("base64", Uint8Array.of(1, 2, 3, 4))).toBe("AQIDBA==");
    expect(formatSetting("busdevfn", Uint8Array.of(0, 0, 0x01, 0x0a))).toBe("0000:01:01.2");
  });
  it("a self-referencing setting is a typed error, not a hang", () => {
    const s = new SettingsStore({}, { a: "${a}x" });
    let err: unknown;
    try {
      expand("${a}", s, { maxSteps: 1000 });
    } catch (e) {
      err = e;
    }
    expect(isIpxeScriptError(err) && err.code).toBe("expansion-loop");
  });
});

import {
  clientArchCodec,
  clientMachineIdCodec,
  clientNdiCodec,
  DISCOVERY_CONTROL,
  formatVendorClass,
  guidFromString,
  guidToString,
  type IpxeSubOption,
  ipxeCodec,
  ipxeFeature,
  ipxeFeatures,
  ipxeOption,
  ipxeSub,
  isPxeOptionsError,
  looksLikeUuid,
  type OptionCodec,
  PXELINUX_MAGIC,
  type PxeSubOption,
  parseVendorClass,
  pxelinuxConfigFileCodec,
  pxelinuxMagicCodec,
  pxelinuxPathPrefixCodec,
  pxelinuxRebootTimeCodec,
  pxeOption,
  pxeSub,
  pxeVendorCodec,
  userClassCodec,
  vendorClassCodec,
} from "@pxe/pxe-options";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { h, hexOf, t } from "./helpers.js";

const latin1 = (max = 40) =>
  fc.string({
    unit: fc.integer({ min: 0, max: 255 }).map((c) => String.fromCharCode(c)),
    maxLength: max,
  });
const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((a) => a.join("."));

/** decode never throws anything but PxeOptionsError, and what it returns re-encodes to a value that decodes equal. */
function arbitraryBytesProperty<T>(codec: OptionCodec<T>, lenient = false) {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(8), (bytes, pre) => {
      const buf = new Uint8Array(pre + bytes.length);
      buf.set(bytes, pre);
      let v: T;
      try {
        v = codec.decode(buf, pre, bytes.length, { lenient });
      } catch (e) {
        expect(isPxeOptionsError(e)).toBe(true);
        const off = (e as { offset?: number }).offset;
        if (off !== undefined) expect(off).toBeGreaterThanOrEqual(pre);
        if (off !== undefined) expect(off).toBeLessThanOrEqual(pre + bytes.length);
        return;
      }
      let enc: Uint8Array;
      try {
        enc = codec.encode(v);
      } catch (e) {
        // Only sub-options too long to re-encode alone may fail; still a typed error.
        expect(isPxeOptionsError(e)).toBe(true);
        return;
      }
      expect(codec.decode(enc, 0, enc.length, { lenient })).toEqual(v);
    }),
    { numRuns: 400 },
  );
}

function roundTrip<T>(codec: OptionCodec<T>, arb: fc.Arbitrary<T>) {
  fc.assert(
    fc.property(arb, fc.nat(16), (v, at) => {
      const n = codec.encodingLength(v);
      const target = new Uint8Array(at + n + 3);
      const written = codec.encode(v, target, at);
      expect(written.length).toBe(n);
      expect(codec.decode(target, at, n)).toEqual(v);
    }),
    { numRuns: 300 },
  );
}

describe("option 60 vendor class", () => {
  it("parses PXEClient:Arch:xxxxx:UNDI:yyyzzz", () => {
    const v = vendorClassCodec.decode(t("PXEClient:Arch:00007:UNDI:003016"));
    expect(v).toMatchObject({
      kind: "PXEClient",
      arch: 7,
      undi: { major: 3, minor: 16 },
      oddities: [],
    });
  });
  it("parses HTTPClient", () => {
    expect(parseVendorClass("HTTPClient:Arch:00016:UNDI:003000")).toMatchObject({
      kind: "HTTPClient",
      arch: 16,
      undi: { major: 3, minor: 0 },
    });
  });
  it("keeps other strings", () => {
    expect(parseVendorClass("MSFT 5.0")).toEqual({ raw: "MSFT 5.0", kind: "other", oddities: [] });
  });
  it("accepts configured vendor prefixes (HW-Client)", () => {
    expect(parseVendorClass("HW-Client:Arch:00007").kind).toBe("other");
    const v = parseVendorClass("HW-Client:Arch:00007", { pxePrefixes: ["PXEClient", "HW-Client"] });
    expect(v).toMatchObject({ kind: "PXEClient", prefix: "HW-Client", arch: 7 });
  });
  it("reports garbled fields instead of throwing", () => {
    const v = parseVendorClass("PXEClient:Arch:0x007:UNDI:3.16:Foo");
    expect(v.kind).toBe("PXEClient");
    expect(v.arch).toBeUndefined();
    expect(v.undi).toBeUndefined();
    expect(v.oddities.length).toBe(3);
  });
  it("formats the server and client forms", () => {
    expect(formatVendorClass("PXEClient")).toBe("PXEClient");
    expect(formatVendorClass("PXEClient", { arch: 0, undi: { major: 2, minor: 1 } })).toBe(
      "PXEClient:Arch:00000:UNDI:002001",
    );
    expect(() => formatVendorClass("PXEClient", { arch: 70000 })).toThrow(/0\.\.65535/);
  });
  it("round-trips and survives arbitrary bytes", () => {
    roundTrip(
      vendorClassCodec,
      latin1(60).map((s) => parseVendorClass(s)),
    );
    arbitraryBytesProperty(vendorClassCodec);
  });
});

describe("option 93 client system architecture", () => {
  it("decodes a list", () => {
    expect(clientArchCodec.decode(h("0007 000b"))).toEqual([7, 11]);
  });
  it("rejects odd lengths with the offset of the stray byte", () => {
    const e = (() => {
      try {
        clientArchCodec.decode(h("ff 0007 00"), 1, 3);
      } catch (err) {
        return err;
      }
    })() as { code: string; offset: number };
    expect(e.code).toBe("bad-length");
    expect(e.offset).toBe(3);
  });
  it("rejects an empty list", () => {
    expect(() => clientArchCodec.decode(new Uint8Array(0))).toThrow(/no architecture/);
  });
  it("round-trips and survives arbitrary bytes", () => {
    roundTrip(clientArchCodec, fc.array(fc.nat(0xffff), { minLength: 1, maxLength: 8 }));
    arbitraryBytesProperty(clientArchCodec);
  });
});

describe("option 94 client NDI", () => {
  it("decodes UNDI 2.1", () => {
    expect(clientNdiCodec.decode(h("010201"))).toEqual({ type: 1, major: 2, minor: 1 });
  });
  it("round-trips and survives arbitrary bytes", () => {
    roundTrip(
      clientNdiCodec,
      fc.record({ type: fc.nat(255), major: fc.nat(255), minor: fc.nat(255) }),
    );
    arbitraryBytesProperty(clientNdiCodec);
  });
});

describe("option 97 client machine identifier and the GUID byte order quirk", () => {
  const wire = h("a1b2c3d4 e5f6 0718 293a 4b5c6d7e8f90");
  it("keeps the wire bytes as a zero-copy view", () => {
    const buf = h("00 a1b2c3d4e5f60718293a4b5c6d7e8f90");
    const v = clientMachineIdCodec.decode(buf);
    expect(v.type).toBe(0);
    expect(v.id.buffer).toBe(buf.buffer);
  });
  it("SMBIOS order swaps the first three fields (what Wireshark and dmidecode show)", () => {
    expect(guidToString(wire, "smbios")).toBe("d4c3b2a1-f6e5-1807-293a-4b5c6d7e8f90");
  });
  it("RFC 4122 order keeps wire order", () => {
    expect(guidToString(wire, "rfc4122")).toBe("a1b2c3d4-e5f6-0718-293a-4b5c6d7e8f90");
  });
  it("parses text back to the same wire bytes in either order", () => {
    expect(hexOf(guidFromString("d4c3b2a1-f6e5-1807-293a-4b5c6d7e8f90", "smbios"))).toBe(
      hexOf(wire),
    );
    expect(hexOf(guidFromString("a1b2c3d4-e5f6-0718-293a-4b5c6d7e8f90", "rfc4122"))).toBe(
      hexOf(wire),
    );
  });
  it("tells UUIDs from structured or empty identifiers", () => {
    expect(looksLikeUuid(h("3802df85a995334d9090b412ccae828e"))).toBe(true);
    expect(looksLikeUuid(new Uint8Array(16))).toBe(false);
    expect(looksLikeUuid(h("03000200040005000006000700080009"))).toBe(false);
  });
  it("rejects type 0 with a wrong length, keeps other types", () => {
    expect(() => clientMachineIdCodec.decode(h("00 0102"))).toThrow(/16-byte GUID/);
    expect(clientMachineIdCodec.decode(h("01 0102")).id.length).toBe(2);
  });
  it("round-trips and survives arbitrary bytes", () => {
    roundTrip(
      clientMachineIdCodec,
      fc.oneof(
        fc.record({ type: fc.constant(0), id: fc.uint8Array({ minLength: 16, maxLength: 16 }) }),
        fc.record({ type: fc.integer({ min: 1, max: 255 }), id: fc.uint8Array({ maxLength: 30 }) }),
      ),
    );
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.constantFrom("smbios", "rfc4122"),
        (id, order) => {
          const o = order as "smbios" | "rfc4122";
          expect(hexOf(guidFromString(guidToString(id, o), o))).toBe(hexOf(id));
        },
      ),
    );
    arbitraryBytesProperty(clientMachineIdCodec);
  });
});

describe("option 77 user class", () => {
  it("decodes iPXE's plain string", () => {
    expect(userClassCodec.decode(t("iPXE"))).toEqual({ format: "plain", classes: ["iPXE"] });
  });
  it("decodes the RFC 3004 form", () => {
    expect(userClassCodec.decode(h("04 69505845 03 666f6f"))).toEqual({
      format: "rfc3004",
      classes: ["iPXE", "foo"],
    });
  });
  it("round-trips and survives arbitrary bytes", () => {
    roundTrip(
      userClassCodec,
      fc.record({
        format: fc.constant("rfc3004" as const),
        classes: fc.array(
          latin1(20).filter((s) => s.length > 0),
          { minLength: 1, maxLength: 5 },
        ),
      }),
    );
    // Plain strings round-trip unless they happen to parse as RFC 3004 (then decode picks that form).
    fc.assert(
      fc.property(
        latin1(30).filter((s) => s.length > 0),
        (s) => {
          const enc = userClassCodec.encode({ format: "plain", classes: [s] });
          const back = userClassCodec.decode(enc);
          if (back.format === "plain") expect(back.classes).toEqual([s]);
          else expect(userClassCodec.encode(back)).toEqual(enc);
        },
      ),
    );
    arbitraryBytesProperty(userClassCodec);
  });
});

describe("option 43 PXE vendor sub-options", () => {
  // pixiecore's ProxyDHCP offer (danderson/netboot dhcp4/testdata): control 3, one boot server,
  // a one-item menu and a prompt.
  const pixiecore43 = h(
    "06 01 03 08 07 80 00 01 c0 a8 10 0a 09 0c 80 00 09 5069786965636f7265 0a 0a 00 5069786965636f7265 ff",
  );
  it("decodes every sub-option of pixiecore's offer", () => {
    const v = pxeVendorCodec.decode(pixiecore43);
    expect(v.end).toBe(true);
    expect(pxeSub(v, "discovery-control")).toBe(3);
    expect(pxeSub(v, "boot-servers")).toEqual([{ type: 0x8000, addresses: ["192.168.16.10"] }]);
    expect(pxeSub(v, "boot-menu")).toEqual([{ type: 0x8000, description: "Pixiecore" }]);
    expect(pxeSub(v, "menu-prompt")).toEqual({ timeout: 0, prompt: "Pixiecore" });
    expect(hexOf(pxeVendorCodec.encode(v))).toBe(hexOf(pixiecore43));
  });
  it("decodes MTFTP, multicast, credential types, boot item, LCM and PXELINUX sub-options", () => {
    const bytes = h(
      "01 04 e0010203 02 02 0fa0 03 02 0fa1 04 01 05 05 01 0a 07 04 e0000102 0b 02 abcd 0c 08 00000001 00000002 47 04 8001 8000 b3 03 6c636d c2 01 31 d1 04 61 2e 63 66 d3 04 0000012c ff",
    );
    const v = pxeVendorCodec.decode(bytes);
    expect(v.options.map((o) => o.name)).toEqual([
      "mtftp-ip",
      "mtftp-client-port",
      "mtftp-server-port",
      "mtftp-timeout",
      "mtftp-delay",
      "discovery-mcast-addr",
      "mcast-addrs-alloc",
      "credential-types",
      "boot-item",
      "lcm-server",
      "lcm-serial",
      "pxelinux-config-file",
      "pxelinux-reboot-time",
    ]);
    expect(pxeSub(v, "mtftp-ip")).toBe("224.1.2.3");
    expect(pxeSub(v, "mtftp-client-port")).toBe(4000);
    expect(pxeSub(v, "credential-types")).toEqual([1, 2]);
    expect(pxeSub(v, "boot-item")).toEqual({ type: 0x8001, layer: 0x8000 });
    expect(pxeSub(v, "pxelinux-reboot-time")).toBe(300);
    expect(hexOf(pxeVendorCodec.encode(v))).toBe(hexOf(bytes));
  });
  it("keeps unknown sub-options and skips Pad", () => {
    const v = pxeVendorCodec.decode(h("00 00 80 02 abcd 06 01 08"));
    expect(v.end).toBe(false);
    expect(v.options[0]).toMatchObject({ code: 128, name: "raw" });
    expect(hexOf(v.options[0]!.value as Uint8Array)).toBe("abcd");
    expect(pxeSub(v, "discovery-control")).toBe(DISCOVERY_CONTROL.BYPASS);
  });
  it("reports a truncated sub-option at its absolute offset", () => {
    const buf = h("99 99 06 01 08 09 05 8000");
    try {
      pxeVendorCodec.decode(buf, 2);
      expect.unreachable();
    } catch (e) {
      expect(isPxeOptionsError(e)).toBe(true);
      expect((e as { code: string; offset: number }).code).toBe("truncated");
      expect((e as { offset: number }).offset).toBe(5);
    }
  });
  it("rejects a wrong-length known sub-option, or keeps it raw when lenient", () => {
    expect(() => pxeVendorCodec.decode(h("06 02 0808"))).toThrow(/discovery-control/);
    const v = pxeVendorCodec.decode(h("06 02 0808"), 0, 4, { lenient: true });
    expect(v.options[0]).toMatchObject({ code: 6, name: "raw" });
  });
  it("round-trips and survives arbitrary bytes", () => {
    const sub: fc.Arbitrary<PxeSubOption> = fc.oneof(
      ipv4.map((a) => pxeOption("mtftp-ip", a)),
      fc.nat(0xffff).map((p) => pxeOption("mtftp-client-port", p)),
      fc.nat(0xffff).map((p) => pxeOption("mtftp-server-port", p)),
      fc.nat(255).map((p) => pxeOption("mtftp-timeout", p)),
      fc.nat(255).map((p) => pxeOption("mtftp-delay", p)),
      fc.nat(255).map((p) => pxeOption("discovery-control", p)),
      ipv4.map((a) => pxeOption("discovery-mcast-addr", a)),
      fc
        .array(fc.record({ type: fc.nat(0xffff), addresses: fc.array(ipv4, { maxLength: 3 }) }), {
          maxLength: 3,
        })
        .map((x) => pxeOption("boot-servers", x)),
      fc
        .array(fc.record({ type: fc.nat(0xffff), description: latin1(20) }), { maxLength: 4 })
        .map((x) => pxeOption("boot-menu", x)),
      fc
        .record({ timeout: fc.nat(255), prompt: latin1(30) })
        .map((x) => pxeOption("menu-prompt", x)),
      fc.array(fc.nat(0xffffffff), { maxLength: 5 }).map((x) => pxeOption("credential-types", x)),
      fc
        .record({ type: fc.nat(0xffff), layer: fc.nat(0xffff) })
        .map((x) => pxeOption("boot-item", x)),
      latin1(20).map((x) => pxeOption("pxelinux-config-file", x)),
      fc.nat(0xffffffff).map((x) => pxeOption("pxelinux-reboot-time", x)),
      fc
        .record({
          code: fc.constantFrom(13, 70, 128, 200, 254),
          value: fc.uint8Array({ maxLength: 20 }),
        })
        .map(({ code, value }) => ({ code, name: "raw" as const, value })),
    );
    roundTrip(
      pxeVendorCodec,
      fc.record({ options: fc.array(sub, { maxLength: 6 }), end: fc.boolean() }),
    );
    arbitraryBytesProperty(pxeVendorCodec);
    arbitraryBytesProperty(pxeVendorCodec, true);
  });
  it("refuses to encode a sub-option over 255 bytes", () => {
    const long = pxeOption("boot-menu", [{ type: 1, description: "x".repeat(255) }]);
    expect(() => pxeVendorCodec.encode({ options: [long], end: true })).toThrow(/at most 255/);
  });
});

describe("option 175 iPXE encapsulated options", () => {
  // From the lab capture uefi-proxy-virtio-net-pci.pcap (iPXE 1.0.0+git-20190125 x86_64 EFI).
  const captured = h(
    "b105011af41000 eb03010000 170101 240101 130101 110101 270101 290101 150101 1b0101 120101 100102",
  );
  it("decodes bus id, version and feature flags", () => {
    const v = ipxeCodec.decode(captured);
    expect(ipxeSub(v, "bus-id")).toEqual({ busType: 1, vendor: 0x1af4, device: 0x1000 });
    expect(ipxeSub(v, "version")).toEqual({ major: 1, minor: 0, patch: 0 });
    expect(ipxeFeatures(v)).toEqual({
      dns: 1,
      efi: 1,
      http: 1,
      iscsi: 1,
      menu: 1,
      nfs: 1,
      tftp: 1,
      srp: 1,
      aoe: 1,
      "pxe-ext": 2,
    });
    expect(hexOf(ipxeCodec.encode(v))).toBe(hexOf(captured));
  });
  it("knows every features.h flag", () => {
    const names = [
      "pxe-ext",
      "iscsi",
      "aoe",
      "http",
      "https",
      "tftp",
      "ftp",
      "dns",
      "bzimage",
      "multiboot",
      "slam",
      "srp",
      "nbi",
      "pxe",
      "elf",
      "comboot",
      "efi",
      "fcoe",
      "vlan",
      "menu",
      "sdi",
      "nfs",
    ] as const;
    const v = ipxeCodec.decode(
      ipxeCodec.encode({ options: names.map((n) => ipxeFeature(n)), end: true }),
    );
    expect(Object.keys(ipxeFeatures(v)).sort()).toEqual([...names].sort());
  });
  it("decodes server-side settings", () => {
    const opts: IpxeSubOption[] = [
      ipxeOption("priority", -3),
      ipxeOption("keep-san", 1),
      ipxeOption("skip-san-boot", 1),
      ipxeOption("scriptlet", "chain http://x/boot.ipxe"),
      ipxeOption("syslogs", "logs.example"),
      ipxeOption("trust", h("0102")),
      ipxeOption("cert", h("0304")),
      ipxeOption("privkey", h("0506")),
      ipxeOption("crosscert", "http://ca.ipxe.org/auto"),
      ipxeOption("no-pxedhcp", 1),
      ipxeOption("use-cached", 1),
      ipxeOption("san-retry", 3),
      ipxeOption("san-filename", "\\boot.efi"),
      ipxeOption("bios-drive", 0x80),
      ipxeOption("username", "u"),
      ipxeOption("password", "p"),
      ipxeOption("reverse-username", "ru"),
      ipxeOption("reverse-password", "rp"),
      ipxeOption("uid", 1000),
      ipxeOption("gid", 100),
      ipxeOption("yiaddr", "10.0.0.2"),
      ipxeOption("siaddr", "10.0.0.1"),
    ];
    const enc = ipxeCodec.encode({ options: opts, end: true });
    const v = ipxeCodec.decode(enc);
    expect(v.options).toEqual(opts);
    expect(ipxeSub(v, "priority")).toBe(-3);
    expect(ipxeSub(v, "bios-drive")).toBe(0x80);
  });
  it("round-trips and survives arbitrary bytes", () => {
    const feat = fc.constantFrom(
      "http",
      "https",
      "iscsi",
      "aoe",
      "fcoe",
      "nfs",
      "dns",
      "tftp",
      "bzimage",
      "multiboot",
      "pxe-ext",
      "menu",
      "efi",
      "elf",
      "comboot",
      "sdi",
    ) as fc.Arbitrary<Parameters<typeof ipxeFeature>[0]>;
    const sub: fc.Arbitrary<IpxeSubOption> = fc.oneof(
      fc.integer({ min: -128, max: 127 }).map((x) => ipxeOption("priority", x)),
      fc.tuple(feat, fc.nat(255)).map(([f, v]) => ipxeFeature(f, v)),
      latin1(30).map((x) => ipxeOption("scriptlet", x)),
      fc
        .record({ busType: fc.nat(255), vendor: fc.nat(0xffff), device: fc.nat(0xffff) })
        .map((x) => ipxeOption("bus-id", x)),
      fc
        .record({ major: fc.nat(255), minor: fc.nat(255), patch: fc.nat(255) })
        .map((x) => ipxeOption("version", x)),
      fc.nat(0xffffffff).map((x) => ipxeOption("uid", x)),
      fc.uint8Array({ maxLength: 40 }).map((x) => ipxeOption("cert", x)),
      fc
        .record({
          code: fc.constantFrom(4, 0x30, 0x70, 0xfe),
          value: fc.uint8Array({ maxLength: 9 }),
        })
        .map(({ code, value }) => ({ code, name: "raw" as const, value })),
    );
    roundTrip(
      ipxeCodec,
      fc.record({ options: fc.array(sub, { maxLength: 8 }), end: fc.boolean() }),
    );
    arbitraryBytesProperty(ipxeCodec);
    arbitraryBytesProperty(ipxeCodec, true);
  });
});

describe("PXELINUX options 208-211 (RFC 5071)", () => {
  it("208 accepts only the magic", () => {
    expect(pxelinuxMagicCodec.decode(PXELINUX_MAGIC)).toBe(true);
    expect(() => pxelinuxMagicCodec.decode(h("f1007400"))).toThrow(/F1 00 74 7E/);
    expect(hexOf(pxelinuxMagicCodec.encode(true))).toBe("f100747e");
  });
  it("209/210 are text without NUL, 211 is u32 seconds", () => {
    expect(pxelinuxConfigFileCodec.decode(t("pxelinux.cfg/default"))).toBe("pxelinux.cfg/default");
    expect(pxelinuxPathPrefixCodec.decode(t("/tftpboot/"))).toBe("/tftpboot/");
    expect(pxelinuxRebootTimeCodec.decode(h("0000012c"))).toBe(300);
  });
  it("round-trip and survive arbitrary bytes", () => {
    roundTrip(
      pxelinuxConfigFileCodec,
      latin1(80).filter((s) => s.length > 0),
    );
    roundTrip(
      pxelinuxPathPrefixCodec,
      latin1(80).filter((s) => s.length > 0),
    );
    roundTrip(pxelinuxRebootTimeCodec, fc.nat(0xffffffff));
    for (const c of [
      pxelinuxMagicCodec,
      pxelinuxConfigFileCodec,
      pxelinuxPathPrefixCodec,
      pxelinuxRebootTimeCodec,
    ]) {
      arbitraryBytesProperty(c as OptionCodec<unknown>);
    }
  });
});

describe("codec plumbing", () => {
  it("rejects out-of-range offset/length with a typed error", () => {
    expect(() => clientArchCodec.decode(h("0007"), 1, 5)).toThrow(/outside/);
    expect(() => clientArchCodec.decode(h("0007"), -1)).toThrow(/outside/);
  });
});

describe("encapsulated options from TLV-shaped random bytes", () => {
  const tlvs = fc.array(
    fc.tuple(fc.integer({ min: 1, max: 254 }), fc.uint8Array({ maxLength: 24 })),
    { maxLength: 10 },
  );
  const frame = (list: Array<[number, Uint8Array]>, end: boolean) => {
    const parts: number[] = [];
    for (const [c, d] of list) parts.push(c, d.length, ...d);
    if (end) parts.push(255);
    return Uint8Array.from(parts);
  };
  for (const codec of [pxeVendorCodec, ipxeCodec] as OptionCodec<{
    options: readonly { code: number }[];
    end: boolean;
  }>[]) {
    it(`option ${codec.code}: well-framed input always decodes leniently, keeps every sub-option and re-encodes byte for byte`, () => {
      fc.assert(
        fc.property(tlvs, fc.boolean(), (list, end) => {
          const bytes = frame(list, end);
          const v = codec.decode(bytes, 0, bytes.length, { lenient: true });
          expect(v.options.map((o) => o.code)).toEqual(list.map(([c]) => c));
          expect(v.end).toBe(end);
          expect(hexOf(codec.encode(v))).toBe(hexOf(bytes));
          try {
            codec.decode(bytes);
          } catch (e) {
            expect((e as { code: string }).code).toBe("bad-length");
          }
        }),
        { numRuns: 500 },
      );
    });
  }
});

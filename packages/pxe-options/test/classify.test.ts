import {
  ARCH,
  ARCH_TYPES,
  archInfo,
  archName,
  bootCpu,
  chooseBoot,
  classify,
  ipxeCodec,
  ipxeFeature,
  ipxeOption,
  isHttpArch,
  pxeSummary,
} from "@pxe/pxe-options";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { h, PXE_BIOS, PXE_UEFI_X64, request, t } from "./helpers.js";

const ipxe175 = ipxeCodec.encode({
  options: [
    ipxeOption("bus-id", { busType: 1, vendor: 0x8086, device: 0x100e }),
    ipxeFeature("http"),
    ipxeFeature("https"),
  ],
  end: false,
});

describe("arch registry", () => {
  it("lists 0-41 in order with the erratum 4624 values", () => {
    expect(ARCH_TYPES.length).toBe(42);
    ARCH_TYPES.forEach((a, i) => {
      expect(a.type).toBe(i);
    });
    expect(archName(7)).toBe("x64 UEFI");
    expect(archName(9)).toBe("EBC");
    expect(archInfo(ARCH.ARM64_UEFI)).toMatchObject({
      firmware: "uefi",
      cpu: "arm64",
      http: false,
    });
  });
  it("marks every UEFI/BIOS/U-Boot HTTP type", () => {
    const http = ARCH_TYPES.filter((a) => a.http).map((a) => a.type);
    expect(http).toEqual([15, 16, 17, 18, 19, 20, 23, 24, 26, 28, 30, 38, 40]);
    expect(isHttpArch(16)).toBe(true);
    expect(isHttpArch(7)).toBe(false);
  });
  it("treats 9 (EBC) as x64 for boot-file choice", () => {
    expect(bootCpu(9)).toBe("x64");
    expect(bootCpu(17)).toBe("x64");
    expect(bootCpu(7)).toBe("x64");
    expect(bootCpu(6)).toBe("x86");
  });
  it("names unknown types without throwing", () => {
    expect(archName(0x1234)).toBe("unknown (0x1234)");
    expect(archInfo(-1)).toBeUndefined();
    expect(bootCpu(999)).toBeUndefined();
  });
});

describe("classify", () => {
  it("BIOS PXE ROM", () => {
    const c = classify(request({ type: 1, options: PXE_BIOS }));
    expect(c).toMatchObject({
      firmware: "bios",
      arch: 0,
      archName: "x86 BIOS",
      cpu: "x86",
      isPxe: true,
      isIpxe: false,
      isHttpBoot: false,
      undi: { major: 2, minor: 1 },
      uuid: "d4c3b2a1-f6e5-1807-a93a-4b5c6d7e8f90",
      mac: "52:54:00:12:34:56",
      vendorClass: "PXEClient:Arch:00000:UNDI:002001",
    });
    expect(c.oddities).toEqual([]);
  });
  it("UEFI x64", () => {
    const c = classify(request({ type: 1, options: PXE_UEFI_X64 }));
    expect(c).toMatchObject({
      firmware: "uefi",
      arch: 7,
      cpu: "x64",
      undi: { major: 3, minor: 16 },
    });
  });
  it("takes arch from 93, not 60 (iPXE always claims PXEClient:Arch)", () => {
    const c = classify(
      request({
        type: 1,
        options: [
          [60, t("PXEClient:Arch:00000:UNDI:002001")],
          [93, h("000b")],
        ],
      }),
    );
    expect(c.arch).toBe(11);
    expect(c.firmware).toBe("uefi");
    expect(c.oddities.map((o) => o.code)).toContain("arch-mismatch");
  });
  it("falls back to 60's arch when 93 is absent, and says so", () => {
    const c = classify(
      request({ type: 1, options: [[60, t("PXEClient:Arch:00007:UNDI:003000")]] }),
    );
    expect(c.arch).toBe(7);
    expect(c.undi).toEqual({ major: 3, minor: 0 });
    expect(c.oddities.map((o) => o.code)).toContain("arch-from-vendor-class");
  });
  it("9 is EBC but treated as x64 with an oddity", () => {
    const c = classify(
      request({
        type: 1,
        options: [
          [60, t("PXEClient:Arch:00009:UNDI:003000")],
          [93, h("0009")],
        ],
      }),
    );
    expect(c.archName).toBe("EBC");
    expect(c.cpu).toBe("x64");
    expect(chooseBoot(c)).toMatchObject({ action: "boot", file: "ipxe.efi" });
    expect(c.oddities.map((o) => o.code)).toContain("arch-ebc-as-x64");
  });
  it("Raspberry Pi: arch 0 and a non-UUID 97, recognised by OUI", () => {
    const c = classify(
      request({
        type: 1,
        mac: "dc:a6:32:01:02:03",
        options: [
          [60, t("PXEClient:Arch:00000:UNDI:002001")],
          [93, h("0000")],
          [97, h("00 52504934 01020304 05060708 090a0b0c")],
        ],
      }),
    );
    expect(c.firmware).toBe("rpiboot");
    expect(c.arch).toBe(0);
    expect(c.oddities.map((o) => o.code)).toEqual(
      expect.arrayContaining(["raspberry-pi", "non-uuid-machine-id"]),
    );
    expect(chooseBoot(c).action).toBe("ignore");
  });
  it("missing, garbled or vendor-prefixed 60", () => {
    const none = classify(request({ type: 1, options: [[93, h("0007")]] }));
    expect(none).toMatchObject({ isPxe: true, arch: 7 });
    expect(none.oddities.map((o) => o.code)).toContain("no-vendor-class");
    const garbled = classify(
      request({
        type: 1,
        options: [
          [60, t("PXEClient:Arch:zz")],
          [93, h("0007")],
        ],
      }),
    );
    expect(garbled.arch).toBe(7);
    expect(garbled.oddities.map((o) => o.code)).toContain("odd-vendor-class");
    const hw = request({ type: 1, options: [[60, t("HW-Client:Arch:00007:UNDI:003000")]] });
    expect(classify(hw).isPxe).toBe(false);
    expect(classify(hw, { pxePrefixes: ["PXEClient", "HW-Client"] })).toMatchObject({
      isPxe: true,
      arch: 7,
    });
  });
  it("97 may be absent", () => {
    const c = classify(request({ type: 1, options: PXE_BIOS.filter(([code]) => code !== 97) }));
    expect(c.uuid).toBeUndefined();
    expect(c.oddities).toEqual([]);
  });
  it("iPXE by user class", () => {
    const c = classify(request({ type: 1, options: [...PXE_BIOS, [77, t("iPXE")]] }));
    expect(c).toMatchObject({ isIpxe: true, ipxeUserClass: "iPXE" });
  });
  it("iPXE by option 175 alone (Mellanox FlexBoot sends no 77)", () => {
    const c = classify(request({ type: 1, options: [...PXE_UEFI_X64, [175, ipxe175]] }));
    expect(c.isIpxe).toBe(true);
    expect(c.ipxeFeatures).toEqual({ http: 1, https: 1 });
    expect(c.oddities.map((o) => o.code)).toContain("ipxe-without-user-class");
  });
  it("iPXE by a configured user class set by an embedded script", () => {
    const m = request({ type: 1, options: [...PXE_BIOS, [77, t("pixiecore")]] });
    expect(classify(m).isIpxe).toBe(false);
    expect(classify(m, { ipxeUserClasses: ["pixiecore"] })).toMatchObject({
      isIpxe: true,
      ipxeUserClass: "pixiecore",
    });
  });
  it("UEFI HTTP boot", () => {
    const c = classify(
      request({
        type: 1,
        options: [
          [60, t("HTTPClient:Arch:00016:UNDI:003000")],
          [93, h("0010")],
        ],
      }),
    );
    expect(c).toMatchObject({
      firmware: "uefi",
      cpu: "x64",
      isHttpBoot: true,
      archName: "x64 uefi boot from http",
    });
  });
  it("not a boot client", () => {
    const c = classify(request({ type: 1, options: [[60, t("MSFT 5.0")]] }));
    expect(c).toMatchObject({ isPxe: false, isIpxe: false, firmware: "unknown", arch: undefined });
    expect(pxeSummary(request({ type: 1, options: [[60, t("MSFT 5.0")]] }))).toBeUndefined();
  });
  it("reports broken options instead of throwing", () => {
    const c = classify(
      request({
        type: 1,
        options: [
          [60, t("PXEClient")],
          [93, h("00")],
          [94, h("01")],
          [97, h("00 01")],
          [175, h("b1 09 01")],
        ],
      }),
    );
    expect(c.oddities.map((o) => o.code)).toEqual(
      expect.arrayContaining(["bad-option-93", "bad-option-94", "bad-option-97", "bad-option-175"]),
    );
    expect(c.isIpxe).toBe(true);
  });
  it("never throws on arbitrary option values", () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.constantFrom(43, 60, 77, 93, 94, 97, 175), fc.uint8Array({ maxLength: 40 })),
          { maxLength: 6 },
        ),
        (opts) => {
          const m = request({ type: 1, options: [[60, t("PXEClient")], ...opts] });
          const c = classify(m);
          expect(typeof c.firmware).toBe("string");
          pxeSummary(m);
        },
      ),
      { numRuns: 300 },
    );
  });
  it("pxeSummary is plain JSON", () => {
    const s = pxeSummary(
      request({ type: 1, options: [...PXE_UEFI_X64, [77, t("iPXE")], [175, ipxe175]] }),
    );
    expect(JSON.parse(JSON.stringify(s))).toEqual({
      firmware: "uefi",
      arch: 7,
      archName: "x64 UEFI",
      cpu: "x64",
      isPxe: true,
      isIpxe: true,
      isHttpBoot: false,
      undi: "3.16",
      uuid: "85df0238-95a9-4d33-9090-b412ccae828e",
      vendorClass: "PXEClient:Arch:00007:UNDI:003016",
      userClasses: ["iPXE"],
      ipxeFeatures: ["http", "https"],
      oddities: [],
    });
  });
});

describe("boot policy", () => {
  const policy = {
    bios: "undionly.kpxe",
    uefi: { x64: "ipxe.efi", arm64: "grubnetaa64.efi" },
    http: { x64: "http://10.0.0.1/ipxe.efi" },
    ipxeScript: "http://10.0.0.1/boot.ipxe",
  };
  it("plain BIOS PXE ROM gets undionly.kpxe over TFTP", () => {
    expect(chooseBoot(classify(request({ type: 1, options: PXE_BIOS })), policy)).toEqual({
      action: "boot",
      file: "undionly.kpxe",
      via: "tftp",
      vendorClass: "PXEClient",
      rule: "bios",
    });
  });
  it("UEFI x64 gets ipxe.efi, ARM64 UEFI gets the configured ARM64 build", () => {
    expect(chooseBoot(classify(request({ type: 1, options: PXE_UEFI_X64 })), policy)).toMatchObject(
      {
        file: "ipxe.efi",
      },
    );
    const arm = classify(
      request({
        type: 1,
        options: [
          [60, t("PXEClient:Arch:00011:UNDI:003000")],
          [93, h("000b")],
        ],
      }),
    );
    expect(chooseBoot(arm, policy)).toMatchObject({ file: "grubnetaa64.efi", via: "tftp" });
    expect(chooseBoot(arm)).toEqual({
      action: "ignore",
      reason: "no UEFI boot file configured for arm64",
    });
  });
  it("HTTP boot gets a URL and HTTPClient", () => {
    const c = classify(
      request({
        type: 1,
        options: [
          [60, t("HTTPClient:Arch:00016:UNDI:003000")],
          [93, h("0010")],
        ],
      }),
    );
    expect(chooseBoot(c, policy)).toMatchObject({
      file: "http://10.0.0.1/ipxe.efi",
      via: "http",
      vendorClass: "HTTPClient",
    });
  });
  it("breaks the chainload loop: iPXE gets its script, never iPXE again", () => {
    const byUc = classify(request({ type: 1, options: [...PXE_BIOS, [77, t("iPXE")]] }));
    expect(chooseBoot(byUc, policy)).toMatchObject({
      file: "http://10.0.0.1/boot.ipxe",
      via: "ipxe-script",
    });
    const by175 = classify(request({ type: 1, options: [...PXE_BIOS, [175, ipxe175]] }));
    expect(chooseBoot(by175, policy)).toMatchObject({
      file: "http://10.0.0.1/boot.ipxe",
      rule: "option 175",
    });
    expect(chooseBoot(byUc, { bios: "undionly.kpxe" }).action).toBe("ignore");
  });
});

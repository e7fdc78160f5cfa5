import {
  DhcpMessage,
  DhcpOption,
  decodeMessage,
  defaultRegistry,
  encodeMessage,
  isDhcpError,
  type OptionCodec,
  OptionRegistry,
  optionError,
  toHex,
} from "@pxe/dhcp";
import { describe, expect, it } from "vitest";
import { ascii, message } from "./helpers.js";

function opt(code: number, data: number[]): number[] {
  return [code, data.length, ...data];
}

describe("typed option codecs on wire examples", () => {
  it("decodes the registry's structured options", () => {
    const bytes = message([
      ...opt(53, [3]),
      ...opt(1, [255, 255, 255, 0]),
      ...opt(3, [10, 0, 0, 1, 10, 0, 0, 2]),
      ...opt(2, [0xff, 0xff, 0xff, 0xf0]),
      ...opt(19, [1]),
      ...opt(51, [0, 0, 0x0e, 0x10]),
      ...opt(61, [1, 0x52, 0x54, 0, 0x12, 0x34, 0x56]),
      ...opt(77, [4, ...ascii("iPXE"), 3, ...ascii("foo")]),
      ...opt(80, []),
      ...opt(81, [0x05, 0, 0, 3, ...ascii("www"), 7, ...ascii("example"), 0]),
      ...opt(119, [
        3,
        ...ascii("eng"),
        7,
        ...ascii("example"),
        3,
        ...ascii("com"),
        0,
        3,
        ...ascii("dev"),
        0xc0,
        4,
      ]),
      ...opt(121, [24, 192, 168, 1, 10, 0, 0, 1, 0, 10, 0, 0, 254]),
      ...opt(124, [0, 0, 0x0d, 0xe9, 4, 3, ...ascii("abc")]),
      ...opt(125, [0, 0, 0x0d, 0xe9, 5, 1, 3, ...ascii("xyz")]),
      ...opt(150, [192, 168, 1, 1]),
      ...opt(93, [0, 7]),
      ...opt(60, ascii("PXEClient:Arch:00007:UNDI:003016")),
      ...opt(82, [1, 2, 0xab, 0xcd, 5, 4, 10, 1, 0, 0]),
      255,
    ]);
    const m = decodeMessage(bytes, { strict: true });
    const o = m.options;
    expect(m.type).toBe(3);
    expect(o.get(1)).toBe("255.255.255.0");
    expect(o.get(3)).toEqual(["10.0.0.1", "10.0.0.2"]);
    expect(o.get(2)).toBe(-16);
    expect(o.get(19)).toBe(true);
    expect(o.get(51)).toBe(3600);
    expect(o.get(61)).toEqual({ type: 1, id: Uint8Array.of(0x52, 0x54, 0, 0x12, 0x34, 0x56) });
    expect(o.get(77)).toEqual(["iPXE", "foo"]);
    expect(o.get(80)).toBe(true);
    expect(o.get(81)).toEqual({ flags: 5, rcode1: 0, rcode2: 0, name: "www.example." });
    expect(o.get(119)).toEqual(["eng.example.com.", "dev.example.com."]);
    expect(o.get(121)).toEqual([
      { destination: "192.168.1.0/24", router: "10.0.0.1" },
      { destination: "0.0.0.0/0", router: "10.0.0.254" },
    ]);
    expect(o.get(124)).toEqual([{ enterprise: 3561, data: [Uint8Array.from(ascii("abc"))] }]);
    expect(o.get(125)).toEqual([
      { enterprise: 3561, options: [{ code: 1, data: Uint8Array.from(ascii("xyz")) }] },
    ]);
    expect(o.get(150)).toEqual(["192.168.1.1"]);
    expect(o.get(93)).toEqual([7]);
    expect(o.get(60)).toBe("PXEClient:Arch:00007:UNDI:003016");
    expect(o.get(82)).toEqual([
      { code: 1, data: Uint8Array.of(0xab, 0xcd) },
      { code: 5, data: Uint8Array.of(10, 1, 0, 0) },
    ]);
    expect(defaultRegistry.name(82)).toBe("relayAgentInformation");
    expect(DhcpOption.vendorClassIdentifier).toBe(60);
    expect(encodeMessage(m)).toEqual(bytes);
  });

  it("reads the plain-string user class real firmware sends", () => {
    const m = decodeMessage(message([...opt(77, ascii("iPXE")), 255]));
    expect(m.options.get(77)).toBe("iPXE");
  });

  it("lenient: a duplicated fixed-size option takes the first value with a warning", () => {
    const bytes = message([...opt(54, [10, 0, 0, 1, 10, 0, 0, 2]), 255]);
    const m = decodeMessage(bytes);
    expect(m.options.get(54)).toBe("10.0.0.1");
    expect(m.warnings).toEqual([
      expect.objectContaining({ code: "repeated-fixed", offset: 246, optionCode: 54 }),
    ]);
    expect(() => decodeMessage(bytes, { strict: true })).toThrow(/option 54, at offset 246/);
  });

  it("lenient: junk in option 55 is a warning, strict an error", () => {
    const bytes = message([...opt(55, [1, 3, 0, 6]), 255]);
    const m = decodeMessage(bytes);
    expect(m.options.get(55)).toEqual([1, 3, 0, 6]);
    expect(m.warnings[0]).toMatchObject({ code: "list-junk", offset: 244, optionCode: 55 });
    expect(() => decodeMessage(bytes, { strict: true })).toThrow(/parameter request/);
  });

  it("lenient: a value its codec rejects is kept raw with an error", () => {
    const bytes = message([...opt(1, [255, 255, 0]), 255]);
    const m = decodeMessage(bytes);
    expect(m.options.get(1)).toBeUndefined();
    expect(toHex(m.options.getRaw(1)!)).toBe("ffff00");
    const entry = [...m.options][0]!;
    expect(entry.error?.code).toBe("bad-length");
    expect(m.warnings[0]).toMatchObject({ code: "bad-length", offset: 242, optionCode: 1 });
    expect(encodeMessage(m)).toEqual(bytes);
    try {
      decodeMessage(bytes, { strict: true });
      expect.unreachable();
    } catch (e) {
      expect(isDhcpError(e) && [e.code, e.offset, e.optionCode]).toEqual(["bad-length", 242, 1]);
    }
  });

  it("rejects DNS compression pointers that do not point back", () => {
    const m = decodeMessage(message([...opt(119, [3, ...ascii("abc"), 0xc0, 0]), 255]));
    expect(m.options.get(119)).toBeUndefined();
    expect(m.warnings[0]).toMatchObject({ code: "bad-value", optionCode: 119 });
  });

  it("splits a long 125 enterprise block and long 82 sub-options on encode", () => {
    const long = new Uint8Array(300).fill(1);
    const m = new DhcpMessage({
      options: [
        [125, [{ enterprise: 9, options: [{ code: 1, data: long }] }]],
        [82, [{ code: 2, data: long }]],
      ],
    });
    const back = decodeMessage(encodeMessage(m), { strict: true });
    const v125 = back.options.get(125)!;
    expect(v125.length).toBe(2);
    expect(v125.every((e) => e.enterprise === 9)).toBe(true);
    const joined = v125.flatMap((e) => e.options.flatMap((s) => [...s.data]));
    expect(joined.length).toBe(300);
    const v82 = back.options.get(82)!;
    expect(v82.map((s) => [s.code, s.data.length])).toEqual([
      [2, 255],
      [2, 45],
    ]);
  });

  it("rejects values that cannot be encoded with bad-value", () => {
    const m = new DhcpMessage();
    expect(() => m.options.set(1, "300.1.1.1")).toThrow(/not an IPv4 address/);
    expect(() => m.options.set(57, 70000)).toThrow(/0-65535/);
    expect(() => m.options.set(200, "text" as unknown as Uint8Array)).toThrow(/Uint8Array/);
  });
});

describe("registry extension point", () => {
  const arch: OptionCodec<{ arches: readonly number[] }> = {
    code: 93,
    name: "clientArch",
    decode(d, ctx) {
      if (d.length % 2 !== 0) throw optionError(ctx, "bad-length", "odd length");
      const arches: number[] = [];
      for (let i = 0; i < d.length; i += 2) arches.push((d[i]! << 8) | d[i + 1]!);
      return { arches };
    },
    encodingLength: (v) => v.arches.length * 2,
    encodeInto(v, out, off) {
      v.arches.forEach((a, i) => {
        out[off + 2 * i] = a >> 8;
        out[off + 2 * i + 1] = a & 0xff;
      });
      return v.arches.length * 2;
    },
  };

  it("overrides a codec in a separate registry without touching the default", () => {
    const reg = defaultRegistry.extend(arch);
    const bytes = message([...opt(93, [0, 7, 0, 9]), 255]);
    expect(decodeMessage(bytes, { registry: reg }).options.get(93)).toEqual({ arches: [7, 9] });
    expect(decodeMessage(bytes).options.get(93)).toEqual([7, 9]);
    expect(decodeMessage(bytes).options.get(arch)).toEqual({ arches: [7, 9] });
    expect(reg.name(93)).toBe("clientArch");
    expect(defaultRegistry.name(93)).toBe("clientSystemArchitecture");
    const built = new DhcpMessage({ registry: reg, options: [[93, { arches: [11] }]] });
    expect(decodeMessage(encodeMessage(built)).options.get(93)).toEqual([11]);
    const other = new OptionRegistry(defaultRegistry);
    other.register(arch);
    expect(other.get(93)).toBe(arch);
    expect(() => defaultRegistry.register(arch)).toThrow(/locked/);
    const m = new DhcpMessage();
    m.options.set(arch, { arches: [16] });
    expect(m.options.getRaw(93)).toEqual(Uint8Array.of(0, 16));
  });
});

// fast-check generators of valid typed option values and messages, shared by the property tests
// and the long fuzz campaign.
import fc from "fast-check";

const ip = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((a) => a.join("."));
const ips = fc.array(ip, { minLength: 1, maxLength: 6 });
const asciiText = (min: number, max: number) =>
  fc
    .array(fc.integer({ min: 0x20, max: 0x7e }), { minLength: min, maxLength: max })
    .map((cs) => String.fromCharCode(...cs));
const label = fc
  .array(fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789-"), {
    minLength: 1,
    maxLength: 20,
  })
  .map((a) => a.join(""));
const dnsName = fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => `${ls.join(".")}.`);
const bytes = (max: number, min = 0) => fc.uint8Array({ minLength: min, maxLength: max });
const u8 = fc.nat(255);
const u16 = fc.nat(0xffff);
const u32 = fc.nat(0xffffffff);
const sub = (max: number) =>
  fc.record({ code: fc.integer({ min: 1, max: 254 }), data: bytes(max) });

/** Generators of valid values, per option code of the default registry (a representative set). */
export const optionValues: Record<number, fc.Arbitrary<unknown>> = {
  1: ip,
  2: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
  3: ips,
  6: ips,
  12: asciiText(1, 80),
  13: u16,
  15: asciiText(1, 300),
  19: fc.boolean(),
  21: fc.array(fc.record({ address: ip, second: ip }), { minLength: 1, maxLength: 3 }),
  23: u8,
  25: fc.array(u16, { minLength: 1, maxLength: 5 }),
  33: fc.array(fc.record({ address: ip, second: ip }), { minLength: 1, maxLength: 3 }),
  43: bytes(400, 1),
  51: u32,
  54: ip,
  55: fc.array(fc.integer({ min: 1, max: 254 }), { minLength: 1, maxLength: 40 }),
  57: fc.integer({ min: 576, max: 0xffff }),
  60: asciiText(1, 60),
  61: fc.record({ type: u8, id: bytes(20, 1) }),
  66: asciiText(1, 60),
  67: asciiText(1, 120),
  68: fc.array(ip, { maxLength: 3 }),
  77: fc.oneof(
    fc.array(asciiText(1, 20), { minLength: 1, maxLength: 3 }),
    // plain-string form: first byte larger than the length, so it never looks like RFC 3004
    fc
      .tuple(fc.integer({ min: 0x41, max: 0x5a }), asciiText(0, 30))
      .map(([c, s]) => String.fromCharCode(c) + s),
  ),
  80: fc.constant(true),
  81: fc.oneof(
    fc.record({
      flags: fc.constantFrom(0, 1, 2, 3),
      rcode1: u8,
      rcode2: u8,
      name: asciiText(0, 40),
    }),
    fc.record({ flags: fc.constantFrom(4, 5), rcode1: u8, rcode2: u8, name: dnsName }),
  ),
  82: fc.array(sub(255), { minLength: 1, maxLength: 4 }),
  93: fc.array(u16, { minLength: 1, maxLength: 3 }),
  97: bytes(17, 17),
  118: ip,
  119: fc.array(dnsName, { minLength: 1, maxLength: 5 }),
  120: fc.oneof(
    fc.record({
      encoding: fc.constant(0 as const),
      names: fc.array(dnsName, { minLength: 1, maxLength: 3 }),
    }),
    fc.record({ encoding: fc.constant(1 as const), addresses: ips }),
  ),
  121: fc.array(
    fc.tuple(fc.integer({ min: 0, max: 32 }), ip, ip).map(([w, d, r]) => {
      const parts = d.split(".").map(Number);
      const sig = Math.ceil(w / 8);
      return { destination: `${parts.map((p, i) => (i < sig ? p : 0)).join(".")}/${w}`, router: r };
    }),
    { minLength: 1, maxLength: 4 },
  ),
  124: fc.array(fc.record({ enterprise: u32, data: fc.array(bytes(40, 0), { maxLength: 4 }) }), {
    minLength: 1,
    maxLength: 3,
  }),
  125: fc.array(fc.record({ enterprise: u32, options: fc.array(sub(60), { maxLength: 3 }) }), {
    minLength: 1,
    maxLength: 3,
  }),
  150: ips,
  151: fc.record({ status: u8, message: asciiText(0, 40) }),
  200: bytes(600),
  211: u32,
  252: asciiText(1, 100),
};

/** A plain typed message description (input of `new DhcpMessage`). */
export const typedMessage = fc
  .record({
    op: fc.constantFrom(1, 2),
    xid: u32,
    secs: u16,
    flags: fc.constantFrom(0, 0x8000),
    hops: fc.nat(16),
    ciaddr: ip,
    yiaddr: ip,
    siaddr: ip,
    giaddr: ip,
    chaddr: bytes(6, 6),
    sname: asciiText(0, 63).map((s) => s.replace(/\0/g, "")),
    file: asciiText(0, 127),
    type: fc.integer({ min: 1, max: 18 }),
    codes: fc.uniqueArray(fc.constantFrom(...Object.keys(optionValues).map(Number)), {
      maxLength: 12,
    }),
  })
  .chain((r) =>
    fc
      .tuple(...r.codes.map((c) => optionValues[c]!))
      .map((vals) => ({ ...r, options: r.codes.map((c, i) => [c, vals[i]] as [number, unknown]) })),
  );

import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  bytesEqual,
  DhcpMessage,
  DhcpView,
  decodeMessage,
  defaultRegistry,
  encodeInto,
  encodeMessage,
  isDhcpError,
  optionsToJSON,
} from "@pxe/dhcp";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { optionValues, typedMessage } from "./arbitraries.js";
import { DHCP_PORTS, readUdp } from "./pcap.js";

const COOKIE = [0x63, 0x82, 0x53, 0x63];

/** Decodes lenient and strict; only DhcpError may escape; decoded messages must round-trip. */
function checkBytes(b: Uint8Array): void {
  try {
    const v = new DhcpView(b);
    v.scan();
    for (const o of v.options()) v.get(o.code);
    const m = decodeMessage(b);
    optionsToJSON(m.options);
    expect(bytesEqual(encodeMessage(m), b)).toBe(true);
  } catch (e) {
    if (!isDhcpError(e)) throw e;
  }
  try {
    decodeMessage(b, { strict: true });
  } catch (e) {
    if (!isDhcpError(e)) throw e;
  }
}

const withCookie = fc
  .tuple(fc.uint8Array({ minLength: 236, maxLength: 236 }), fc.uint8Array({ maxLength: 400 }))
  .map(([h, o]) => Uint8Array.from([...h, ...COOKIE, ...o]));

/** TLV-shaped random options (more likely to exercise codecs than uniform bytes). */
const tlvOptions = fc
  .array(
    fc.oneof(
      fc.constant([0]),
      fc.constant([255]),
      fc
        .tuple(fc.integer({ min: 1, max: 254 }), fc.uint8Array({ maxLength: 40 }))
        .map(([c, d]) => [c, d.length, ...d]),
    ),
    { maxLength: 30 },
  )
  .chain((parts) =>
    fc.tuple(
      fc.uint8Array({ minLength: 236, maxLength: 236 }),
      fc.constant(parts.flat()),
      fc.constantFrom(0, 1, 2, 3),
    ),
  )
  .map(([h, o, ov]) => {
    const head = [...h];
    if (ov) o.unshift(52, 1, ov);
    return Uint8Array.from([...head, ...COOKIE, ...o]);
  });

function seeds(): Uint8Array[] {
  const out: Uint8Array[] = [
    encodeMessage(
      new DhcpMessage({
        options: [
          [53, 1],
          [55, [1, 3, 43, 60]],
          [60, "PXEClient:Arch:00007:UNDI:003016"],
          [93, [7]],
        ],
      }),
    ),
  ];
  const file = path.resolve(
    path.dirname(fileURLToPath(import.meta.url)),
    "../../../../shared/captures/public/danderson__netboot__dhcp4__testdata__dhcp.pcap",
  );
  if (existsSync(file)) {
    for (const d of readUdp(file)) if (DHCP_PORTS.has(d.dstPort)) out.push(d.payload.slice());
  } else console.warn(`mutation seeds: ${file} missing, using a built-in packet only`);
  return out;
}

const mutated = (bases: Uint8Array[]) =>
  fc
    .tuple(
      fc.constantFrom(...bases),
      fc.array(
        fc.tuple(
          fc.constantFrom("flip", "set", "truncate", "insert", "delete"),
          fc.nat(),
          fc.nat(255),
        ),
        { minLength: 1, maxLength: 6 },
      ),
    )
    .map(([base, muts]) => {
      let b = [...base];
      for (const [kind, at, val] of muts) {
        const i = b.length === 0 ? 0 : at % b.length;
        if (kind === "flip") b[i] = (b[i] ?? 0) ^ (1 << (val % 8));
        else if (kind === "set") b[i] = val;
        else if (kind === "truncate") b = b.slice(0, i);
        else if (kind === "insert") b.splice(i, 0, val);
        else b.splice(i, 1);
      }
      return Uint8Array.from(b);
    });

describe("fast-check properties", () => {
  it("arbitrary bytes: only DhcpError escapes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), (b) => checkBytes(b)),
      { numRuns: 300 },
    );
  });

  it("header + cookie + arbitrary bytes: only DhcpError, and every decoded message round-trips", () => {
    fc.assert(
      fc.property(withCookie, (b) => checkBytes(b)),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(tlvOptions, (b) => checkBytes(b)),
      { numRuns: 600 },
    );
  });

  it("mutated real packets: only DhcpError, and every decoded message round-trips", () => {
    fc.assert(
      fc.property(mutated(seeds()), (b) => checkBytes(b)),
      { numRuns: 800 },
    );
  });

  it("decode(encode(x)) equals x for arbitrary typed messages", () => {
    fc.assert(
      fc.property(typedMessage, (x) => {
        const msg = new DhcpMessage({ ...x, options: [[53, x.type], ...x.options] });
        const bytes = encodeMessage(msg);
        expect(bytes.length).toBeGreaterThanOrEqual(300);
        const back = decodeMessage(bytes, { strict: true });
        expect(back.warnings).toEqual([]);
        for (const k of [
          "op",
          "xid",
          "secs",
          "flags",
          "hops",
          "ciaddr",
          "yiaddr",
          "siaddr",
          "giaddr",
          "sname",
          "file",
        ] as const) {
          expect(back[k]).toBe(x[k]);
        }
        expect([...back.chaddr]).toEqual([...x.chaddr]);
        const got = new Map([...back.options].map((o) => [o.code, o.value]));
        expect(got.get(53)).toBe(x.type);
        for (const [c, v] of x.options) expect(got.get(c)).toEqual(v);
        expect(got.size).toBe(x.options.length + 1);
        // order rules: 53 first, 82 last, 60 before 43
        const order = back.options.codes();
        expect(order[0]).toBe(53);
        if (order.includes(82)) expect(order.at(-1)).toBe(82);
        if (order.includes(60) && order.includes(43)) {
          expect(order.indexOf(60)).toBeLessThan(order.indexOf(43));
        }
        // and the decoded message re-encodes to the same bytes
        expect(bytesEqual(encodeMessage(back), bytes)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("decode(encode(x)) with a size limit: overload or too-big, never a wrong message", () => {
    fc.assert(
      fc.property(typedMessage, fc.integer({ min: 300, max: 700 }), (x, maxSize) => {
        const msg = new DhcpMessage({
          ...x,
          sname: "",
          file: "",
          options: [[53, x.type], ...x.options],
        });
        let bytes: Uint8Array;
        try {
          bytes = encodeMessage(msg, { maxSize });
        } catch (e) {
          if (isDhcpError(e) && e.code === "too-big") return;
          throw e;
        }
        expect(bytes.length).toBeLessThanOrEqual(maxSize);
        const back = decodeMessage(bytes, { strict: true });
        for (const [c, v] of x.options) expect(back.options.get(c)).toEqual(v);
        expect(bytesEqual(encodeMessage(back), bytes)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it("modifying a decoded message (set, replace, delete) keeps it decodable with the new values", () => {
    const codes = Object.keys(optionValues).map(Number);
    const edit = fc.tuple(
      fc.constantFrom(...codes),
      fc.constantFrom(...codes).chain((c) => optionValues[c]!.map((v) => [c, v] as const)),
    );
    fc.assert(
      fc.property(
        typedMessage,
        fc.array(edit, { maxLength: 4 }),
        fc.integer({ min: 0, max: 3 }),
        (x, edits, ov) => {
          const msg = new DhcpMessage({
            ...x,
            sname: "",
            file: "",
            options: [[53, x.type], ...x.options],
          });
          const bytes = encodeMessage(msg, ov === 0 ? undefined : { maxSize: 400 + 100 * ov });
          const m = decodeMessage(bytes);
          const expected = new Map<number, unknown>(x.options.map(([c, v]) => [c, v]));
          for (const [del, [c, v]] of edits) {
            if (del !== 53) {
              m.options.delete(del);
              expected.delete(del);
            }
            m.options.set(c, v);
            expected.set(c, v);
          }
          let out: Uint8Array;
          try {
            out = encodeMessage(m, ov === 0 ? undefined : { maxSize: 400 + 100 * ov });
          } catch (e) {
            if (isDhcpError(e) && e.code === "too-big") return;
            throw e;
          }
          const back = decodeMessage(out, { strict: true });
          for (const [c, v] of expected) expect(back.options.get(c)).toEqual(v);
          expect(back.options.codes().filter((c) => c !== 52 && c !== 53).length).toBe(
            [...expected.keys()].length,
          );
        },
      ),
      { numRuns: 200 },
    );
  });

  it("each typed option round-trips through its codec, at an offset, with exact lengths", () => {
    for (const [code, arb] of Object.entries(optionValues)) {
      const codec = defaultRegistry.get(Number(code));
      if (!codec) continue;
      fc.assert(
        fc.property(arb, (v) => {
          const n = codec.encodingLength(v);
          const out = new Uint8Array(n + 8).fill(0xa5);
          expect(codec.encodeInto(v, out, 4)).toBe(n);
          expect(out[3]).toBe(0xa5);
          expect(out[4 + n]).toBe(0xa5);
          const ctx = {
            code: Number(code),
            offset: 0,
            strict: true,
            warn: (c: string) => {
              throw new Error(`unexpected warning ${c}`);
            },
          };
          expect(codec.decode(out.subarray(4, 4 + n), ctx)).toEqual(v);
          if (codec.decodeAt) expect(codec.decodeAt(out, 4, n, ctx)).toEqual(v);
        }),
        { numRuns: 60 },
      );
    }
  });

  it("encodeInto never throws anything but DhcpError on bad values", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 254 }), fc.anything(), (code, v) => {
        const m = new DhcpMessage();
        try {
          m.options.set(code, v);
          encodeInto(m, new Uint8Array(1500));
        } catch (e) {
          if (!isDhcpError(e)) throw e;
        }
      }),
      { numRuns: 500 },
    );
  });
});

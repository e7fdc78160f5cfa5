import { fc, test } from "@fast-check/vitest";
import {
  acceptOack,
  blockDistance,
  DEFAULT_WINDOW_BUDGET,
  datagramTruesize,
  decodePacket,
  encodeAck,
  encodeData,
  encodeError,
  encodeOack,
  encodePacket,
  encodeRequest,
  fromNetascii,
  isTftpError,
  NetasciiDecoder,
  NetasciiEncoder,
  negotiateServer,
  parseRequestOptions,
  requestOptionList,
  type TftpOption,
  toNetascii,
  tryDecodePacket,
  windowFit,
  wireBlock,
} from "@pxe/tftp";
import { describe, expect, it } from "vitest";

const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

describe("golden bytes", () => {
  it("RRQ as curl sends it", () => {
    const b = ascii("\0\x01boot.ipxe\0octet\0tsize\x000\0blksize\x00512\0timeout\x005\0");
    const p = decodePacket(b);
    expect(p).toMatchObject({ op: 1, filename: "boot.ipxe", mode: "octet" });
    if (p.op !== 1) throw new Error("op");
    expect(p.options.map((o) => [o.name, o.value, o.offset])).toEqual([
      ["tsize", "0", 18],
      ["blksize", "512", 26],
      ["timeout", "5", 38],
    ]);
    expect(hex(encodePacket(p))).toBe(hex(b));
  });

  it("DATA payload is a view into the caller's buffer", () => {
    const b = Uint8Array.of(0, 3, 0x12, 0x34, 9, 8, 7);
    const p = decodePacket(b);
    if (p.op !== 3) throw new Error("op");
    expect(p.block).toBe(0x1234);
    expect(p.data.buffer).toBe(b.buffer);
    expect(p.data.byteOffset).toBe(4);
    expect(Array.from(p.data)).toEqual([9, 8, 7]);
  });

  it("ACK, ERROR, OACK encode to the documented bytes", () => {
    expect(hex(encodeAck(0xfffe))).toBe("0004fffe");
    expect(hex(encodeError(1, "File not found"))).toBe(`00050001${hex(ascii("File not found"))}00`);
    expect(hex(encodeOack([{ name: "blksize", value: "1468" }]))).toBe(
      `0006${hex(ascii("blksize\x001468\0"))}`,
    );
    expect(hex(encodeData(1, Uint8Array.of(0xaa)))).toBe("00030001aa");
  });

  it("ERROR without its final NUL is accepted (some peers omit it)", () => {
    const p = decodePacket(ascii("\0\x05\0\x02no"));
    expect(p).toEqual({ op: 5, code: 2, message: "no" });
  });

  it("encodeAck writes in place into a caller buffer", () => {
    const buf = new Uint8Array(8).fill(0xa5);
    const v = encodeAck(7, buf, 2);
    expect(hex(buf)).toBe("a5a500040007a5a5");
    expect(v.byteOffset).toBe(2);
  });
});

describe("typed errors with offsets", () => {
  const cases: [string, Uint8Array, string, number][] = [
    ["empty", new Uint8Array(0), "truncated", 0],
    ["one byte", Uint8Array.of(0), "truncated", 1],
    ["opcode 9", Uint8Array.of(0, 9), "bad-opcode", 0],
    ["RRQ without NUL", ascii("\0\x01abc"), "unterminated", 2],
    ["RRQ without mode", ascii("\0\x01abc\0"), "truncated", 6],
    ["RRQ option without value", ascii("\0\x01a\0octet\0blksize\0"), "truncated", 18],
    ["RRQ empty option name", ascii("\0\x01a\0octet\0\0"), "bad-option", 10],
    ["short DATA", Uint8Array.of(0, 3, 0), "truncated", 3],
    ["long ACK", Uint8Array.of(0, 4, 0, 1, 0), "bad-length", 4],
    ["ERROR trailing bytes", ascii("\0\x05\0\x01x\0y"), "bad-length", 6],
    ["empty OACK", Uint8Array.of(0, 6), "truncated", 2],
  ];
  for (const [name, bytes, code, offset] of cases) {
    it(name, () => {
      const r = tryDecodePacket(bytes);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.error.code).toBe(code);
      expect(r.error.offset).toBe(offset);
      expect(isTftpError(r.error)).toBe(true);
    });
  }
});

const optName = fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,9}$/);
const optValue = fc.stringMatching(/^[ -~]{0,12}$/);
const option = fc.record({ name: optName, value: optValue });
const fileName = fc.string({ minLength: 0, maxLength: 40 }).filter((s) => !s.includes("\0"));

describe("properties", () => {
  test.prop([
    fc.constantFrom(1 as const, 2 as const),
    fileName,
    fc.constantFrom("octet", "netascii", "OCTET"),
    fc.array(option, { maxLength: 6 }),
  ])("request round-trips", (op, filename, mode, options) => {
    const b = encodeRequest(op, filename, mode, options);
    const p = decodePacket(b);
    if (p.op !== op) throw new Error("op");
    expect(p.filename).toBe(filename);
    expect(p.mode).toBe(mode);
    expect(p.options.map((o) => ({ name: o.name, value: o.value }))).toEqual(options);
    expect(hex(encodePacket(p))).toBe(hex(b));
  });

  test.prop([fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 2000 })])(
    "DATA round-trips",
    (block, data) => {
      const b = encodeData(block, data);
      const p = decodePacket(b);
      expect(p).toMatchObject({ op: 3, block });
      expect(hex(encodePacket(p))).toBe(hex(b));
    },
  );

  test.prop([
    fc.integer({ min: 0, max: 0xffff }),
    fc.string({ maxLength: 50 }).filter((s) => !s.includes("\0")),
  ])("ERROR round-trips", (code, message) => {
    const p = decodePacket(encodeError(code, message));
    expect(p).toEqual({ op: 5, code, message });
  });

  test.prop([fc.array(option, { minLength: 1, maxLength: 6 })])("OACK round-trips", (options) => {
    const b = encodeOack(options);
    expect(hex(encodePacket(decodePacket(b)))).toBe(hex(b));
  });

  test.prop([fc.uint8Array({ maxLength: 600 })])(
    "arbitrary bytes: a packet or a TftpError, nothing else",
    (b) => {
      try {
        const p = decodePacket(b);
        // Whatever decodes re-encodes without throwing.
        encodePacket(p);
      } catch (e) {
        expect(isTftpError(e)).toBe(true);
      }
    },
  );

  test.prop([
    fc.constantFrom(1 as const, 2 as const),
    fileName,
    fc.array(option, { maxLength: 4 }),
    fc.nat(),
    fc.integer({ min: 0, max: 255 }),
    fc.nat(),
  ])(
    "mutated requests: a packet or a TftpError with an offset inside the input",
    (op, f, opts, pos, byte, cut) => {
      const b = encodeRequest(op, f, "octet", opts);
      b[pos % b.length] = byte;
      const m = b.subarray(0, Math.max(0, b.length - (cut % 4)));
      const r = tryDecodePacket(m);
      if (!r.ok) {
        expect(r.error.offset).toBeGreaterThanOrEqual(0);
        expect(r.error.offset).toBeLessThanOrEqual(m.length);
      }
    },
  );

  test.prop([
    fc.uint8Array({ maxLength: 3000 }),
    fc.array(fc.nat({ max: 3000 }), { maxLength: 6 }),
  ])("netascii round-trips, also streamed in arbitrary chunks", (data, cuts) => {
    const wire = toNetascii(data);
    expect(hex(fromNetascii(wire))).toBe(hex(data));
    // Stream the wire form through the decoder in pieces.
    const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
    const dec = new NetasciiDecoder();
    const parts: Uint8Array[] = [];
    let at = 0;
    for (const p of [...points, wire.length]) {
      parts.push(dec.decode(wire.subarray(at, p)));
      at = p;
    }
    parts.push(dec.end());
    expect(hex(Buffer.concat(parts))).toBe(hex(data));
    // Encoding in pieces equals encoding at once.
    const enc = new NetasciiEncoder();
    const e2 = Buffer.concat(
      [...points, data.length].map((p, i, arr) =>
        enc.encode(
          data.subarray(
            i === 0 ? 0 : Math.min(arr[i - 1] ?? 0, data.length),
            Math.min(p, data.length),
          ),
        ),
      ),
    );
    expect(hex(e2)).toBe(hex(toNetascii(data)));
  });

  it("netascii: LF -> CR LF, CR -> CR NUL", () => {
    expect(hex(toNetascii(ascii("a\nb\rc")))).toBe(hex(ascii("a\r\nb\r\0c")));
    expect(hex(fromNetascii(ascii("a\r\nb\r\0c\r")))).toBe(hex(ascii("a\nb\rc\r")));
  });

  test.prop([
    fc.nat({ max: 2 ** 40 }),
    fc.integer({ min: 0, max: 70000 }),
    fc.constantFrom(0 as const, 1 as const),
  ])("absolute blocks: the wire form and the distance agree", (from, d, rollover) => {
    const w = wireBlock(from + d, rollover);
    expect(w).toBeGreaterThanOrEqual(rollover === 1 && from + d > 0 ? 1 : 0);
    expect(w).toBeLessThanOrEqual(0xffff);
    const cycle = rollover === 0 ? 65536 : 65535;
    if (from > 0 || rollover === 0) expect(blockDistance(from, w, rollover)).toBe(d % cycle);
  });

  it("rollover: 65535 is followed by 0 (default) or 1", () => {
    expect(wireBlock(65536, 0)).toBe(0);
    expect(wireBlock(65536, 1)).toBe(1);
    expect(wireBlock(65535 * 2 + 1, 1)).toBe(1);
    expect(blockDistance(65535, 0, 1)).toBe(-1);
  });
});

describe("option parsing and negotiation", () => {
  const o = (pairs: [string, string][]): TftpOption[] =>
    pairs.map(([name, value]) => ({ name, value }));

  it("names are case-insensitive; boundaries", () => {
    const r = parseRequestOptions(
      o([
        ["BLKSIZE", "8"],
        ["Timeout", "255"],
        ["tsize", "0"],
        ["WindowSize", "65535"],
        ["x-foo", "bar"],
      ]),
    );
    expect(r).toMatchObject({ blksize: 8, timeout: 255, tsize: 0, windowsize: 65535, invalid: [] });
    expect(r.unknown).toEqual([{ name: "x-foo", value: "bar" }]);
    const bad = parseRequestOptions(
      o([
        ["blksize", "7"],
        ["timeout", "0"],
        ["windowsize", "65536"],
        ["tsize", "-1"],
      ]),
    );
    expect(bad.invalid.sort()).toEqual(["blksize", "timeout", "tsize", "windowsize"]);
    expect(parseRequestOptions(o([["timeout", "256"]])).invalid).toEqual(["timeout"]);
    expect(parseRequestOptions(o([["windowsize", "0"]])).invalid).toEqual(["windowsize"]);
    expect(parseRequestOptions(o([["blksize", "65465"]])).blksize).toBe(65465);
  });

  it("no options (or only unknown ones): no OACK, RFC 1350 defaults", () => {
    for (const opts of [[], o([["foo", "bar"]])]) {
      const n = negotiateServer({ kind: "read", mode: "octet", options: opts, size: 10 });
      expect(n).toEqual({
        ok: true,
        oack: undefined,
        params: {
          blksize: 512,
          windowsize: 1,
          timeoutMs: undefined,
          tsize: undefined,
          rollover: 0,
        },
      });
    }
  });

  it("the OACK carries only what was asked and accepted, in the client's order", () => {
    const n = negotiateServer({
      kind: "read",
      mode: "octet",
      options: o([
        ["windowsize", "4"],
        ["blksize", "1468"],
      ]),
      size: 5000,
    });
    expect(n.ok && n.oack).toEqual(
      o([
        ["windowsize", "4"],
        ["blksize", "1468"],
      ]),
    );
  });

  it("blksize above the maximum gets the maximum (RFC 2348)", () => {
    const n = negotiateServer(
      { kind: "read", mode: "octet", options: o([["blksize", "70000"]]) },
      { maxBlksize: 8192 },
    );
    expect(n.ok && n.oack).toEqual(o([["blksize", "8192"]]));
  });

  it("node-tftp's timeout 3000 is left out, not refused", () => {
    const n = negotiateServer({
      kind: "read",
      mode: "octet",
      options: o([
        ["timeout", "3000"],
        ["blksize", "1468"],
        ["windowsize", "0"],
        ["tsize", "0"],
      ]),
      size: 12,
    });
    expect(n.ok && n.oack).toEqual(
      o([
        ["blksize", "1468"],
        ["tsize", "12"],
      ]),
    );
  });

  it("tsize is answered on RRQ only in octet mode and only with a known size", () => {
    const ask = o([["tsize", "0"]]);
    expect(
      negotiateServer({ kind: "read", mode: "netascii", options: ask, size: 3 }),
    ).toMatchObject({ oack: undefined });
    expect(negotiateServer({ kind: "read", mode: "octet", options: ask })).toMatchObject({
      oack: undefined,
    });
  });

  it("WRQ with a tsize beyond the space allowed: error 8; within: echoed", () => {
    const ask = o([["tsize", "1000"]]);
    expect(
      negotiateServer({ kind: "write", mode: "octet", options: ask, maxWriteSize: 999 }),
    ).toMatchObject({
      ok: false,
      code: 8,
    });
    expect(
      negotiateServer({ kind: "write", mode: "octet", options: ask, maxWriteSize: 1000 }),
    ).toMatchObject({
      ok: true,
      oack: ask,
    });
  });

  it("windowsize is capped by count and by bytes", () => {
    const n = negotiateServer(
      {
        kind: "read",
        mode: "octet",
        options: o([
          ["blksize", "8192"],
          ["windowsize", "64"],
        ]),
      },
      { maxBlksize: 8192, maxWindowsize: 32, maxWindowBytes: 65536 },
    );
    // 65536 bytes of socket buffer hold 3 datagrams of 8196 bytes (16392 bytes of truesize each).
    expect(n.ok && n.params.windowsize).toBe(3);
    expect(n.ok && n.oack?.find((x) => x.name === "windowsize")?.value).toBe("3");
  });

  it("by default a granted window fits a default Linux receive buffer (212992 bytes)", () => {
    const grant = (blksize: number, windowsize: number) => {
      const n = negotiateServer(
        {
          kind: "read",
          mode: "octet",
          options: o([
            ["blksize", String(blksize)],
            ["windowsize", String(windowsize)],
          ]),
        },
        { maxBlksize: 65464 },
      );
      return n.ok ? n.params.windowsize : -1;
    };
    expect(grant(512, 64)).toBe(64);
    expect(grant(1468, 64)).toBe(64);
    expect(grant(8192, 16)).toBe(11);
    expect(grant(65464, 16)).toBe(2);
    expect(windowFit(8192, DEFAULT_WINDOW_BUDGET)).toBe(11);
    expect(datagramTruesize(512)).toBe(2304);
    // Datagrams of blksize b that a 212992-byte receive buffer held, measured on loopback
    // (bench/c/udp-ceiling.c `fit`): a granted window must never be larger.
    const measuredFit: [number, number][] = [
      [512, 166],
      [1468, 92],
      [2263, 48],
      [4096, 25],
      [8192, 12],
      [16384, 12],
      [32768, 6],
      [65464, 3],
    ];
    for (const [b, fit] of measuredFit) {
      const g = grant(b, 65535);
      expect(g).toBeGreaterThanOrEqual(1);
      expect(g, `blksize ${b}`).toBeLessThanOrEqual(Math.min(64, fit));
    }
  });

  it("a declared receive buffer (rcvbuf) raises the window budget of a read, never the count cap", () => {
    const grant = (
      blksize: number,
      windowsize: number,
      rcvbuf: string | undefined,
      cfg: Parameters<typeof negotiateServer>[1] = {},
      kind: "read" | "write" = "read",
    ) => {
      const opts: [string, string][] = [
        ["blksize", String(blksize)],
        ["windowsize", String(windowsize)],
      ];
      if (rcvbuf !== undefined) opts.push(["rcvbuf", rcvbuf]);
      const n = negotiateServer(
        { kind, mode: "octet", options: o(opts) },
        { maxBlksize: 65464, maxWindowsize: 1024, ...cfg },
      );
      if (!n.ok) return { w: -1, oack: [] as string[] };
      return { w: n.params.windowsize, oack: (n.oack ?? []).map((x) => x.name) };
    };
    // without it: what a default buffer holds
    expect(grant(1468, 256, undefined).w).toBe(64);
    // 8 MiB declared: 90 % of it, 2944 bytes of truesize per 1472-byte datagram
    expect(grant(1468, 256, String(8 << 20)).w).toBe(256);
    expect(grant(1468, 4096, String(8 << 20), { maxWindowsize: 65535 }).w).toBe(
      Math.floor((0.9 * (8 << 20)) / 2944),
    );
    expect(grant(8192, 1024, String(2 << 20)).w).toBe(Math.floor((0.9 * (2 << 20)) / 16392));
    // a small declaration never lowers the default budget
    expect(grant(1468, 64, "1000").w).toBe(64);
    // capped at maxDeclaredRcvbuf (16 MiB by default; 0 ignores the option)
    expect(grant(1468, 65535, String(1 << 30)).w).toBe(1024);
    expect(grant(1468, 65535, String(1 << 30), { maxWindowsize: 65535 }).w).toBe(
      Math.floor((0.9 * (16 << 20)) / 2944),
    );
    expect(grant(1468, 256, String(8 << 20), { maxDeclaredRcvbuf: 0 }).w).toBe(64);
    // maxWindowsize still caps the count
    expect(grant(1468, 256, String(8 << 20), { maxWindowsize: 100 }).w).toBe(100);
    // an upload is received by the server: the client's buffer does not matter
    expect(grant(1468, 256, String(8 << 20), {}, "write").w).toBe(64);
    // never echoed; malformed values are ignored
    expect(grant(1468, 256, String(8 << 20)).oack).toEqual(["blksize", "windowsize"]);
    expect(grant(1468, 256, "-5").w).toBe(64);
    expect(grant(1468, 256, "0").w).toBe(64);
    expect(parseRequestOptions(o([["RcvBuf", "123"]])).rcvbuf).toBe(123);
    expect(parseRequestOptions(o([["rcvbuf", "x"]])).invalid).toEqual(["rcvbuf"]);
    expect(requestOptionList({ windowsize: 256, rcvbuf: 4096 })).toEqual(
      o([
        ["windowsize", "256"],
        ["rcvbuf", "4096"],
      ]),
    );
  });

  it("the timeout option is declined unless acceptTimeout is set (then echoed and used)", () => {
    const ask = o([
      ["timeout", "1"],
      ["blksize", "1468"],
    ]);
    const declined = negotiateServer({ kind: "read", mode: "octet", options: ask });
    expect(declined.ok && declined.oack).toEqual(o([["blksize", "1468"]]));
    expect(declined.ok && declined.params.timeoutMs).toBeUndefined();
    const honoured = negotiateServer(
      { kind: "read", mode: "octet", options: ask },
      { acceptTimeout: true },
    );
    expect(honoured.ok && honoured.oack).toEqual(ask);
    expect(honoured.ok && honoured.params.timeoutMs).toBe(1000);
  });

  it("the client refuses an OACK with unrequested or larger values", () => {
    expect(acceptOack({ blksize: 1468 }, o([["tsize", "5"]])).ok).toBe(false);
    expect(acceptOack({ blksize: 1468 }, o([["blksize", "1469"]])).ok).toBe(false);
    expect(acceptOack({ windowsize: 4 }, o([["windowsize", "8"]])).ok).toBe(false);
    expect(acceptOack({ timeout: 2 }, o([["timeout", "3"]])).ok).toBe(false);
    expect(
      acceptOack(
        { blksize: 1468, tsize: 0 },
        o([
          ["BLKSIZE", "1024"],
          ["tsize", "77"],
        ]),
      ),
    ).toEqual({
      ok: true,
      params: { blksize: 1024, windowsize: 1, timeoutMs: undefined, tsize: 77, rollover: 0 },
    });
  });
});

import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { fc } from "@fast-check/vitest";
import { isReplayError, readCapture } from "@pxe/replay/node";
import { describe, expect, it } from "vitest";
import { concat, dhcpFrame, epb, idb, pcapFile, shb } from "./build.js";

const repoRoot = resolve(import.meta.dirname, "../../..");
const shared = resolve(repoRoot, "../shared/captures");

/** Reads everything; returns normally or throws only a ReplayError. Never loops unboundedly. */
function readAll(bytes: Uint8Array): void {
  try {
    const s = readCapture(bytes);
    // Every frame needs at least 12 bytes of record/block header.
    expect(s.frames).toBeLessThanOrEqual(Math.ceil(bytes.length / 12));
    for (const e of s.errors) {
      expect(isReplayError(e)).toBe(true);
      // The reader's last-resort catch turns bugs into "internal error" entries: none allowed.
      expect(e.message).not.toMatch(/internal error/);
    }
    for (const d of s.datagrams) expect(d.payload.length).toBeLessThanOrEqual(65535);
  } catch (e) {
    if (!isReplayError(e)) throw e;
  }
}

const prefixes = [
  Uint8Array.of(0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0),
  Uint8Array.of(0xa1, 0xb2, 0xc3, 0xd4, 0, 2, 0, 4),
  Uint8Array.of(0x4d, 0x3c, 0xb2, 0xa1),
  Uint8Array.of(0xa1, 0xb2, 0xcd, 0x34),
  Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a),
  Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, 0x1c, 0, 0, 0, 0x4d, 0x3c, 0x2b, 0x1a),
  Uint8Array.of(0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0x1c, 0x1a, 0x2b, 0x3c, 0x4d),
  new Uint8Array(0),
];

/** Small real captures: this repo's own recording plus the small ones of ../shared (when present). */
function seeds(): { name: string; bytes: Uint8Array }[] {
  const out = [
    {
      name: "tftp-hpa-get.pcap",
      bytes: readFileSync(join(repoRoot, "test/captures/tftp-hpa-get.pcap")) as Uint8Array,
    },
  ];
  for (const sub of ["public", "lab"]) {
    let names: string[] = [];
    try {
      names = readdirSync(join(shared, sub));
    } catch {
      continue;
    }
    for (const n of names) {
      const p = join(shared, sub, n);
      if (/\.pcap(ng)?$/.test(n) && statSync(p).size <= 40_000)
        out.push({ name: n, bytes: readFileSync(p) });
    }
  }
  // Hand-built ones cover what the real ones lack: big-endian pcapng, several interfaces.
  out.push({
    name: "built.pcapng",
    bytes: concat(
      shb(false),
      idb(false, 1),
      idb(false, 113, { tsresol: 9 }),
      epb(false, 0, 1n, dhcpFrame()),
    ),
  });
  out.push({
    name: "built.pcap",
    bytes: pcapFile(1, [{ data: dhcpFrame() }], { variant: "ns", littleEndian: false }),
  });
  return out;
}

describe("fuzzing the capture reader", () => {
  if (!statSafe(shared))
    console.warn(`fuzz: ${shared} does not exist; fuzzing only this repo's capture and built ones`);

  it("throws nothing but ReplayError on arbitrary bytes (after every magic)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...prefixes),
        fc.uint8Array({ maxLength: 600 }),
        (prefix, rest) => {
          readAll(concat(prefix, rest));
        },
      ),
      { numRuns: 1500 },
    );
  });

  const all = seeds();
  it(`throws nothing but ReplayError on truncated and bit-flipped real captures (${all.length} seeds)`, () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...all),
        fc.nat(),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { maxLength: 8 }),
        fc.boolean(),
        (seed, cutAt, flips, cut) => {
          const b = seed.bytes.slice(0, cut ? cutAt % (seed.bytes.length + 1) : seed.bytes.length);
          for (const [at, bit] of flips)
            if (b.length > 0) b[at % b.length] = (b[at % b.length] as number) ^ (1 << bit);
          readAll(b);
        },
      ),
      { numRuns: 800 },
    );
  });

  it("throws nothing but ReplayError on damaged gzip input", () => {
    const gz = gzipSync(readFileSync(join(repoRoot, "test/captures/tftp-hpa-get.pcap")));
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.integer({ min: 0, max: 7 }), (cutAt, at, bit) => {
        const b = gz.slice(0, Math.max(2, cutAt % (gz.length + 1)));
        if (b.length > 2)
          b[2 + (at % (b.length - 2))] = (b[2 + (at % (b.length - 2))] as number) ^ (1 << bit);
        readAll(b);
      }),
      { numRuns: 300 },
    );
  });
});

function statSafe(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

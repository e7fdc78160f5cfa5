import { PxeOptionsError } from "./errors.js";

/** Big-endian unsigned 16-bit read; the caller has checked bounds. */
export function u16(b: Uint8Array, i: number): number {
  return ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);
}

/** Big-endian unsigned 32-bit read; the caller has checked bounds. */
export function u32(b: Uint8Array, i: number): number {
  return (
    (((b[i] ?? 0) << 24) | ((b[i + 1] ?? 0) << 16) | ((b[i + 2] ?? 0) << 8) | (b[i + 3] ?? 0)) >>> 0
  );
}

/** Writes a big-endian u16. */
export function putU16(b: Uint8Array, i: number, v: number): void {
  b[i] = (v >>> 8) & 0xff;
  b[i + 1] = v & 0xff;
}

/** Writes a big-endian u32. */
export function putU32(b: Uint8Array, i: number, v: number): void {
  b[i] = (v >>> 24) & 0xff;
  b[i + 1] = (v >>> 16) & 0xff;
  b[i + 2] = (v >>> 8) & 0xff;
  b[i + 3] = v & 0xff;
}

/**
 * Decodes bytes as a "binary string": one character per byte (ISO 8859-1). This is lossless, so
 * strings decoded here always encode back to the same bytes.
 */
export function latin1(b: Uint8Array, start: number, end: number): string {
  let s = "";
  for (let i = start; i < end; i++) s += String.fromCharCode(b[i] ?? 0);
  return s;
}

/** Encodes a binary string (code points 0-255) into `out` at `at`; throws on wider characters. */
export function putLatin1(out: Uint8Array, at: number, s: string, what: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0xff) {
      throw new PxeOptionsError(
        "bad-value",
        `${what}: character ${JSON.stringify(s[i])} at index ${i} does not fit in one byte`,
      );
    }
    out[at + i] = c;
  }
}

/** Checks that a binary string has only 0-255 code points. */
export function checkLatin1(s: string, what: string): void {
  for (let i = 0; i < s.length; i++) {
    if (s.charCodeAt(i) > 0xff) {
      throw new PxeOptionsError(
        "bad-value",
        `${what}: character ${JSON.stringify(s[i])} at index ${i} does not fit in one byte`,
      );
    }
  }
}

/** Formats 4 bytes at `i` as a dotted quad. */
export function ipv4(b: Uint8Array, i: number): string {
  return `${b[i] ?? 0}.${b[i + 1] ?? 0}.${b[i + 2] ?? 0}.${b[i + 3] ?? 0}`;
}

const IPV4_RE = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** Parses a dotted quad into 4 bytes written at `i`; throws a typed error on anything else. */
export function putIpv4(out: Uint8Array, i: number, s: string, what = "IPv4 address"): void {
  const m = IPV4_RE.exec(s);
  if (!m)
    throw new PxeOptionsError("bad-value", `${what}: ${JSON.stringify(s)} is not a dotted quad`);
  for (let k = 0; k < 4; k++) {
    const v = Number(m[k + 1]);
    if (v > 255)
      throw new PxeOptionsError("bad-value", `${what}: ${JSON.stringify(s)} has an octet > 255`);
    out[i + k] = v;
  }
}

/** Parses a dotted quad into a fresh 4-byte array. */
export function ipv4Bytes(s: string, what?: string): Uint8Array {
  const out = new Uint8Array(4);
  putIpv4(out, 0, s, what);
  return out;
}

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) =>
  i.toString(16).padStart(2, "0"),
);

/** Two lower-case hex digits of a byte. */
export function hexByte(b: number): string {
  return HEX[b & 0xff]!;
}

/** Lower-case hex of a byte range, optionally joined by `sep`. */
export function hex(b: Uint8Array, start = 0, end = b.length, sep = ""): string {
  let s = "";
  for (let i = start; i < end; i++) {
    if (i > start) s += sep;
    s += HEX[b[i] ?? 0];
  }
  return s;
}

/** Validates `(offset, length)` against a view and returns the absolute end. */
export function checkRange(view: Uint8Array, offset: number, length: number | undefined): number {
  const len = length ?? view.length - offset;
  if (
    !Number.isInteger(offset) ||
    !Number.isInteger(len) ||
    offset < 0 ||
    len < 0 ||
    offset + len > view.length
  ) {
    throw new PxeOptionsError(
      "out-of-range",
      `range [${offset}, ${offset + len}) is outside the ${view.length}-byte input`,
      offset < 0 || !Number.isInteger(offset) ? 0 : Math.min(offset, view.length),
    );
  }
  return offset + len;
}

/** Throws a typed error unless `v` is an integer in [0, max]. */
export function checkUint(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new PxeOptionsError("bad-value", `${what} must be an integer in 0..${max}, got ${v}`);
  }
}

import { DhcpError } from "./errors.js";

/** Dotted-quad text of the 4 bytes at `off` (the caller checks bounds). */
export function ipv4ToString(b: Uint8Array, off: number): string {
  return `${b[off]}.${b[off + 1]}.${b[off + 2]}.${b[off + 3]}`;
}

/**
 * Writes dotted-quad `ip` as 4 bytes at `off`. Throws {@link DhcpError} `bad-value` when `ip` is
 * not four decimal numbers 0-255.
 */
export function writeIpv4(ip: string, out: Uint8Array, off: number, optionCode?: number): void {
  let part = 0;
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= ip.length; i++) {
    const c = i < ip.length ? ip.charCodeAt(i) : 46;
    if (c === 46) {
      if (digits === 0 || value > 255 || part > 3) break;
      out[off + part] = value;
      part++;
      value = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      value = value * 10 + (c - 48);
      digits++;
    } else {
      part = -1;
      break;
    }
  }
  if (part !== 4) {
    throw new DhcpError(
      "bad-value",
      `not an IPv4 address: ${JSON.stringify(ip)}`,
      undefined,
      optionCode === undefined ? undefined : { optionCode },
    );
  }
}

/** Lower-case hex of `b`, optionally with a separator between bytes (`"aa:bb"`). */
export function toHex(b: Uint8Array, sep = ""): string {
  let s = "";
  for (let i = 0; i < b.length; i++) {
    if (i > 0 && sep) s += sep;
    s += (b[i]! < 16 ? "0" : "") + b[i]!.toString(16);
  }
  return s;
}

/** Parses hex (separators `:`, `-`, `.` and spaces ignored) into bytes; `bad-value` when malformed. */
export function fromHex(text: string): Uint8Array {
  const clean = text.replace(/[:\-.\s]/g, "");
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) {
    throw new DhcpError("bad-value", `not hex: ${JSON.stringify(text)}`);
  }
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/**
 * Decodes bytes as UTF-8 when they are valid UTF-8, else as Latin-1 (one char per byte), so any
 * byte string gives some text without throwing. Encoding the text back with {@link utf8Encode}
 * reproduces the bytes exactly in the UTF-8 case (raw bytes are kept for exact round trips anyway).
 */
export function decodeText(b: Uint8Array, start = 0, end = b.length): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (b[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return latin1(b, start, end);
  const u = utf8Decode(b, start, end);
  return u ?? latin1(b, start, end);
}

const fcc = String.fromCharCode;

function latin1(b: Uint8Array, start: number, end: number): string {
  if (end - start <= 64) {
    // Short strings (option text, file names): fixed-arity fromCharCode calls are several times
    // cheaper than `apply` over a subarray, which V8 handles through a generic slow path.
    let s = "";
    let i = start;
    for (; i + 8 <= end; i += 8) {
      s += fcc(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!, b[i + 4]!, b[i + 5]!, b[i + 6]!, b[i + 7]!);
    }
    for (; i < end; i++) s += fcc(b[i]!);
    return s;
  }
  if (end - start <= 1024) {
    const part = start === 0 && end === b.length ? b : b.subarray(start, end);
    return String.fromCharCode.apply(null, part as unknown as number[]);
  }
  let s = "";
  for (let i = start; i < end; i += 1024) s += latin1(b, i, Math.min(end, i + 1024));
  return s;
}

function utf8Decode(b: Uint8Array, start: number, end: number): string | undefined {
  let s = "";
  let i = start;
  while (i < end) {
    const c = b[i]!;
    let cp: number;
    let n: number;
    if (c < 0x80) {
      cp = c;
      n = 0;
    } else if (c >= 0xc2 && c < 0xe0) {
      cp = c & 0x1f;
      n = 1;
    } else if (c >= 0xe0 && c < 0xf0) {
      cp = c & 0x0f;
      n = 2;
    } else if (c >= 0xf0 && c < 0xf5) {
      cp = c & 0x07;
      n = 3;
    } else return undefined;
    if (i + n > end - 1) return undefined;
    for (let k = 1; k <= n; k++) {
      const d = b[i + k];
      if (d === undefined || (d & 0xc0) !== 0x80) return undefined;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (
      (n === 2 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) ||
      (n === 3 && (cp < 0x10000 || cp > 0x10ffff))
    ) {
      return undefined;
    }
    s += String.fromCodePoint(cp);
    i += n + 1;
  }
  return s;
}

/** Number of bytes {@link utf8Encode} writes for `s`. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** Writes `s` as UTF-8 at `off` (lone surrogates become U+FFFD); returns the bytes written. */
export function utf8Encode(s: string, out: Uint8Array, off: number): number {
  let p = off;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      out[p++] = c;
      continue;
    }
    if (c < 0x800) {
      out[p++] = 0xc0 | (c >> 6);
      out[p++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c < 0xe000) {
      const d = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (c < 0xdc00 && d >= 0xdc00 && d < 0xe000) {
        const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        out[p++] = 0xf0 | (cp >> 18);
        out[p++] = 0x80 | ((cp >> 12) & 0x3f);
        out[p++] = 0x80 | ((cp >> 6) & 0x3f);
        out[p++] = 0x80 | (cp & 0x3f);
        i++;
        continue;
      }
      c = 0xfffd;
    }
    out[p++] = 0xe0 | (c >> 12);
    out[p++] = 0x80 | ((c >> 6) & 0x3f);
    out[p++] = 0x80 | (c & 0x3f);
  }
  return p - off;
}

/** True when the two byte ranges are equal. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Minimal UTF-8 codec (the core build has no DOM/Node globals such as TextEncoder).
 *
 * @module
 */

/** Encodes a string as UTF-8; lone surrogates become U+FFFD. */
export function encodeUtf8(s: string): Uint8Array {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      } else c = 0xfffd;
    } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else
      out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return Uint8Array.from(out);
}

/**
 * Decodes UTF-8. With `fatal`, returns undefined on malformed input; otherwise malformed
 * sequences become U+FFFD.
 */
export function decodeUtf8(b: Uint8Array, fatal = false): string | undefined {
  let out = "";
  let i = 0;
  while (i < b.length) {
    const c = b[i] as number;
    let cp = -1;
    let n = 0;
    if (c < 0x80) {
      cp = c;
      n = 1;
    } else if (c >= 0xc2 && c < 0xe0) {
      n = 2;
      cp = c & 0x1f;
    } else if (c >= 0xe0 && c < 0xf0) {
      n = 3;
      cp = c & 0x0f;
    } else if (c >= 0xf0 && c < 0xf5) {
      n = 4;
      cp = c & 0x07;
    }
    let ok = cp >= 0 && i + n <= b.length;
    for (let k = 1; ok && k < n; k++) {
      const x = b[i + k] as number;
      if ((x & 0xc0) !== 0x80) ok = false;
      else cp = (cp << 6) | (x & 63);
    }
    if (ok && n > 1) {
      const min = n === 2 ? 0x80 : n === 3 ? 0x800 : 0x10000;
      if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) ok = false;
    }
    if (!ok) {
      if (fatal) return undefined;
      out += "\ufffd";
      i++;
      continue;
    }
    out += String.fromCodePoint(cp);
    i += n;
  }
  return out;
}

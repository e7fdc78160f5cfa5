/**
 * Character classes exactly as syslinux's C readers use them. The config is read as a byte
 * string; here it is a JS string whose code units stand for bytes (ASCII and Latin-1) or for
 * whole characters (anything above U+00FF, which never matches a keyword or a space).
 */

/** `my_isspace()` of com32/include/menu.h: any byte <= 0x20 (incl. NUL) or DEL. */
export function isSyslinuxSpace(c: number): boolean {
  return c <= 0x20 || c === 0x7f;
}

/** C `isspace()` (used by ldlinux's `skipspace()`): space, \t, \n, \v, \f, \r. */
export function isCSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * Folds one code unit the way `looking_at()` compares keywords: `((a ^ b) & ~0x20) == 0`.
 * Every keyword byte has bit 5 set, so the test is `(a | 0x20) == b` for ASCII input.
 */
export function foldKeywordChar(c: number): number {
  return c < 0x80 ? c | 0x20 : c;
}

/** Folds a whole word for keyword comparison (see {@link foldKeywordChar}). */
export function foldKeyword(word: string): string {
  let out = "";
  for (let i = 0; i < word.length; i++)
    out += String.fromCharCode(foldKeywordChar(word.charCodeAt(i)));
  return out;
}

/** Number of UTF-8 bytes the code unit at `i` of `s` stands for (surrogate pairs: 4 on the high half, 0 on the low). */
export function utf8Width(s: string, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 0x80) return 1;
  if (c < 0x800) return 2;
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = s.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) return 4;
    return 3;
  }
  if (c >= 0xdc00 && c <= 0xdfff) {
    const b = i > 0 ? s.charCodeAt(i - 1) : 0;
    if (b >= 0xd800 && b <= 0xdbff) return 0;
    return 3;
  }
  return 3;
}

/** C `atoi()`: optional leading whitespace, sign, decimal digits; junk after is ignored; none gives 0. */
export function cAtoi(s: string): number {
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") {
    neg = s[i] === "-";
    i++;
  }
  let v = 0;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c < 0x30 || c > 0x39) break;
    v = v * 10 + (c - 0x30);
    if (v > 0x7fffffff) v = 0x7fffffff;
    i++;
  }
  return neg ? -v : v;
}

/** C `strtoul(s, NULL, 0)` reduced to 32 bits: decimal, 0x hex or 0 octal; wraps a minus sign. */
export function cStrtoul0(s: string): number {
  if (/^[1-9]\d{0,8}$/.test(s)) return Number(s);
  let i = 0;
  while (i < s.length && isCSpace(s.charCodeAt(i))) i++;
  let neg = false;
  if (s[i] === "+" || s[i] === "-") {
    neg = s[i] === "-";
    i++;
  }
  let base = 10;
  if (
    s[i] === "0" &&
    (s[i + 1] === "x" || s[i + 1] === "X") &&
    /[0-9a-fA-F]/.test(s[i + 2] ?? "")
  ) {
    base = 16;
    i += 2;
  } else if (s[i] === "0") {
    base = 8;
  }
  let v = 0;
  let overflow = false;
  while (i < s.length) {
    const d = Number.parseInt(s[i] ?? "", base);
    if (Number.isNaN(d)) break;
    v = v * base + d;
    if (v > 0xffffffff) overflow = true;
    i++;
  }
  if (overflow) return 0xffffffff;
  return neg ? (0x100000000 - v) % 0x100000000 : v;
}

/** The first word of `s` (up to the first {@link isSyslinuxSpace} byte), as `refdup_word()` takes it. */
export function firstWord(s: string): string {
  let i = 0;
  while (i < s.length && !isSyslinuxSpace(s.charCodeAt(i))) i++;
  return s.slice(0, i);
}

/** `s` after its first word and the whitespace that follows it. */
export function afterFirstWord(s: string): string {
  let i = 0;
  while (i < s.length && !isSyslinuxSpace(s.charCodeAt(i))) i++;
  while (i < s.length && isSyslinuxSpace(s.charCodeAt(i))) i++;
  return s.slice(i);
}

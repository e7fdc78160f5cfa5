import { decodeText, ipv4ToString, toHex } from "./bytes.js";
import { DhcpError, type DhcpErrorCode, type DhcpWarning } from "./errors.js";

/**
 * Byte offsets of the BOOTP/DHCP fixed header (RFC 2131 §2, figure 1), as `[start, end)` pairs.
 *
 * ```text
 *  0      op | htype | hlen | hops
 *  4      xid (4)
 *  8      secs (2) | flags (2)
 *  12     ciaddr (4)   16 yiaddr (4)   20 siaddr (4)   24 giaddr (4)
 *  28     chaddr (16)
 *  44     sname (64)
 *  108    file (128)
 *  236    magic cookie 99.130.83.99, then options
 * ```
 */
export const DhcpField = {
  op: 0,
  htype: 1,
  hlen: 2,
  hops: 3,
  xid: 4,
  secs: 8,
  flags: 10,
  ciaddr: 12,
  yiaddr: 16,
  siaddr: 20,
  giaddr: 24,
  chaddr: 28,
  sname: 44,
  file: 108,
  cookie: 236,
  options: 240,
} as const;

/** Length of the fixed BOOTP header without the cookie (RFC 951). */
export const BOOTP_HEADER_LENGTH = 236;
/** Minimum BOOTP message length on the wire (RFC 951 §3: 300 bytes); encoders pad up to it. */
export const BOOTP_MIN_LENGTH = 300;
/** The DHCP magic cookie 99.130.83.99 as a big-endian number. */
export const MAGIC_COOKIE = 0x63825363;

/** Where an option instance was found: the options field, or `file`/`sname` under option 52. */
export const OptionArea = { options: 0, file: 1, sname: 2 } as const;
/** One of {@link OptionArea}'s values. */
export type OptionArea = (typeof OptionArea)[keyof typeof OptionArea];

/**
 * Kinds of layout entries a {@link DhcpView} records while scanning, in wire order: every option
 * instance, but also Pad runs, END, bytes after END and a truncated last option. These entries let
 * an unmodified decoded message be re-encoded byte for byte.
 */
export const EntryKind = {
  /** A complete option instance (code, length, data). */
  option: 0,
  /** A run of Pad (0) bytes before END. */
  pad: 1,
  /** The END (255) byte. */
  end: 2,
  /** Bytes after END (Pad bytes, or garbage when not all zero), or a BOOTP vendor area. */
  tail: 3,
  /** An option cut short by the end of its area (kept raw for round trips, not looked up). */
  truncated: 4,
} as const;
/** One of {@link EntryKind}'s values. */
export type EntryKind = (typeof EntryKind)[keyof typeof EntryKind];

/** One option instance found by {@link DhcpView.options}: a view, `data` is a subarray. */
export interface OptionView {
  /** Option code (1-254). */
  readonly code: number;
  /** Offset of the option's code byte in the message. */
  readonly offset: number;
  /** Length byte of this instance. */
  readonly length: number;
  /** The instance's value bytes (a subarray of the message, no copy). */
  readonly data: Uint8Array;
  /** Where the instance was found. */
  readonly area: OptionArea;
}

/** Options for {@link DhcpView} and the decoders. */
export interface ViewOptions {
  /** Turn every irregularity into a thrown {@link DhcpError} instead of a warning. Default false. */
  readonly strict?: boolean;
}

const EMPTY = new Uint8Array(0);

// The layout index holds one number per entry that packs the kind (bits 0-2), the area (bits 3-4),
// the code (bits 5-12; 0 for Pad runs, 255 for END and tails) and the offset (times 8192), so it
// stays a small integer (an unboxed V8 Smi) for offsets below 2^17. One comparison
// `(entry & OPTION_MASK) === code << 5` finds an option instance of a code. Lengths are not
// stored: an option's is its length byte, a Pad run ends where the next entry of its area starts,
// a tail or truncated option runs to the end of its area.
const META_OFFSET = 8192;
const OPTION_MASK = 0x1fe7;

// Shared scan buffer: entries are written here and copied out at the end of a scan. Messages of
// 2^17 bytes or more (longer than any UDP datagram) scan into a fresh array instead, so that
// offsets times 8192 stay Smis and this array keeps its fast element kind.
const SCRATCH_LIMIT = 131072;
const SCRATCH: number[] = [];
let cur: number[] = SCRATCH;

function metaOffset(m: number): number {
  return m < 4294967296 ? m >>> 13 : Math.floor(m / META_OFFSET);
}

/**
 * A zero-copy view of one BOOTP/DHCPv4 message over the caller's bytes.
 *
 * The constructor checks the fixed header and the magic cookie once (a `truncated` or
 * `bad-cookie` {@link DhcpError} otherwise); after that no accessor reads out of bounds. Options
 * are scanned lazily on first use into a small offset table (one array of numbers, no per-option
 * objects); values are returned as subarrays of the input. RFC 3396 concatenation (all
 * instances of a code, in the options field, then `file`, then `sname` when option 52 says so)
 * happens only in {@link DhcpView.get} and only when there is more than one instance.
 *
 * Lenient by default: irregularities are collected in {@link DhcpView.warnings}; with
 * `{ strict: true }` the first one is thrown. Scanning never throws anything but {@link DhcpError}.
 *
 * @example
 * ```ts
 * const v = new DhcpView(udpPayload);
 * if (v.messageType === 1 && v.has(93)) console.log(v.xid, v.get(60));
 * ```
 */
export class DhcpView {
  /** The message bytes (the caller's array, or a subarray of it). */
  readonly bytes: Uint8Array;
  /** True when the 4 bytes after the fixed header are the DHCP magic cookie. */
  readonly hasCookie: boolean;
  private readonly strict: boolean;
  private idx: number[] | undefined;
  private n = 0;
  private overloadValue = 0;
  private warns: DhcpWarning[] | undefined;
  private lazyTails = false;
  private first52 = -1;

  /** Checks the header and cookie; throws {@link DhcpError} `truncated` or `bad-cookie`. */
  constructor(bytes: Uint8Array, options?: ViewOptions) {
    this.bytes = bytes;
    this.strict = options?.strict === true;
    const len = bytes.length;
    if (len < BOOTP_HEADER_LENGTH) {
      throw new DhcpError(
        "truncated",
        `message is ${len} bytes, shorter than the 236-byte BOOTP header`,
        len,
      );
    }
    if (len >= 240 && isCookie(bytes)) {
      this.hasCookie = true;
    } else {
      // No cookie: a plain BOOTP message is fine when its vendor area does not start with
      // something else that pretends to be a cookie (all-zero start of the vendor area).
      for (let i = BOOTP_HEADER_LENGTH; i < len && i < 240; i++) {
        if (bytes[i] !== 0) {
          throw new DhcpError(
            len < 240 ? "truncated" : "bad-cookie",
            len < 240 ? "message ends inside the magic cookie" : "bad magic cookie",
            len < 240 ? len : BOOTP_HEADER_LENGTH,
          );
        }
      }
      this.hasCookie = false;
    }
  }

  /** Same as `new DhcpView(bytes, options)` followed by a full option scan (strict errors now). */
  static check(bytes: Uint8Array, options?: ViewOptions): DhcpView {
    const v = new DhcpView(bytes, options);
    v.scan();
    return v;
  }

  /** `op`: 1 BOOTREQUEST, 2 BOOTREPLY. */
  get op(): number {
    return this.bytes[0]!;
  }
  /** `htype`: hardware address type (1 = Ethernet). */
  get htype(): number {
    return this.bytes[1]!;
  }
  /** `hlen`: hardware address length (6 for Ethernet). */
  get hlen(): number {
    return this.bytes[2]!;
  }
  /** `hops`: relay hop count. */
  get hops(): number {
    return this.bytes[3]!;
  }
  /** `xid`: transaction ID chosen by the client (unsigned 32-bit). */
  get xid(): number {
    const b = this.bytes;
    return ((b[4]! << 24) | (b[5]! << 16) | (b[6]! << 8) | b[7]!) >>> 0;
  }
  /** `secs`: seconds elapsed since the client began acquisition. */
  get secs(): number {
    return (this.bytes[8]! << 8) | this.bytes[9]!;
  }
  /** `flags`: 16-bit flags field (bit 15 = broadcast). */
  get flags(): number {
    return (this.bytes[10]! << 8) | this.bytes[11]!;
  }
  /** The BROADCAST flag (RFC 2131 §2, figure 2). */
  get broadcast(): boolean {
    return (this.bytes[10]! & 0x80) !== 0;
  }
  /** `ciaddr`: client IP address, dotted quad. */
  get ciaddr(): string {
    return ipv4ToString(this.bytes, 12);
  }
  /** `yiaddr`: "your" (client) IP address. */
  get yiaddr(): string {
    return ipv4ToString(this.bytes, 16);
  }
  /** `siaddr`: next server IP address (the TFTP server for PXE). */
  get siaddr(): string {
    return ipv4ToString(this.bytes, 20);
  }
  /** `giaddr`: relay agent IP address. */
  get giaddr(): string {
    return ipv4ToString(this.bytes, 24);
  }
  /** `chaddr` limited to `hlen` bytes (at most 16): a subarray. */
  get chaddr(): Uint8Array {
    const n = Math.min(this.hlen, 16);
    return this.bytes.subarray(28, 28 + n);
  }
  /** The whole 16-byte `chaddr` field. */
  get chaddrField(): Uint8Array {
    return this.bytes.subarray(28, 44);
  }
  /** `chaddr` as colon-separated lower-case hex (`"52:54:00:12:34:56"`). */
  get chaddrText(): string {
    return toHex(this.chaddr, ":");
  }
  /** The 64-byte `sname` field (a subarray). */
  get snameField(): Uint8Array {
    return this.bytes.subarray(44, 108);
  }
  /** The 128-byte `file` field (a subarray). */
  get fileField(): Uint8Array {
    return this.bytes.subarray(108, 236);
  }
  /** `sname` text up to the first NUL, or `""` when option 52 puts options there. */
  get sname(): string {
    return this.overload & 2 ? "" : cString(this.bytes, 44, 108);
  }
  /** `file` text up to the first NUL, or `""` when option 52 puts options there. */
  get file(): string {
    return this.overload & 1 ? "" : cString(this.bytes, 108, 236);
  }
  /** The magic cookie as a number, or `undefined` for a BOOTP message without one. */
  get cookie(): number | undefined {
    return this.hasCookie ? MAGIC_COOKIE : undefined;
  }
  /** Option 52's value when valid (1 = `file`, 2 = `sname`, 3 = both), else 0. */
  get overload(): number {
    this.scan();
    return this.overloadValue;
  }
  /** Option 53 (DHCP message type), or `undefined` when absent (plain BOOTP). */
  get messageType(): number | undefined {
    return this.u8(53);
  }
  /** Irregularities found by the scan (lenient mode), in wire order. */
  get warnings(): readonly DhcpWarning[] {
    this.scan();
    if (this.lazyTails) {
      this.lazyTails = false;
      for (let i = 0; i < this.n; i++) {
        if (this.entryKind(i) !== EntryKind.tail || !this.hasCookie) continue;
        const a = this.entryArea(i);
        const o = this.entryOffset(i);
        this.checkTail(o, o + this.entryLength(i), areaName(a));
      }
      this.warns?.sort((x, y) => x.offset - y.offset);
    }
    return this.warns ?? [];
  }

  /** Number of layout entries (options, Pad runs, END, tail, truncated option). */
  get entryCount(): number {
    this.scan();
    return this.n;
  }
  /** Kind of layout entry `i` (see {@link EntryKind}). */
  entryKind(i: number): EntryKind {
    return (this.idx![i]! & 7) as EntryKind;
  }
  /** Area of layout entry `i` (see {@link OptionArea}). */
  entryArea(i: number): OptionArea {
    return ((this.idx![i]! >> 3) & 3) as OptionArea;
  }
  /** Option code of entry `i` (0 for Pad runs, 255 for END, -1 for a tail). */
  entryCode(i: number): number {
    const m = this.idx![i]!;
    return (m & 7) === EntryKind.tail ? -1 : (m >> 5) & 0xff;
  }
  /** Offset of entry `i`: its code byte, or the first byte of a run/tail. */
  entryOffset(i: number): number {
    return metaOffset(this.idx![i]!);
  }
  /** Data length of option entry `i`; byte count of a Pad run, tail or truncated option. */
  entryLength(i: number): number {
    const idx = this.idx!;
    const m = idx[i]!;
    const o = metaOffset(m);
    const kind = m & 7;
    if (kind === EntryKind.option) return this.bytes[o + 1]!;
    if (kind === EntryKind.end) return 0;
    const area = (m >> 3) & 3;
    if (kind === EntryKind.pad && i + 1 < this.n) {
      const next = idx[i + 1]!;
      if (((next >> 3) & 3) === area) return metaOffset(next) - o;
    }
    return (
      (area === OptionArea.options ? this.bytes.length : area === OptionArea.file ? 236 : 108) - o
    );
  }
  /** Value bytes of option entry `i` (subarray); the raw bytes of other kinds. */
  entryData(i: number): Uint8Array {
    const m = this.idx![i]!;
    const o = metaOffset(m);
    if ((m & 7) === EntryKind.option) return this.bytes.subarray(o + 2, o + 2 + this.bytes[o + 1]!);
    return this.bytes.subarray(o, o + this.entryLength(i));
  }

  /** Index (for the `entry*` accessors) of the first instance of `code`, or -1. */
  find(code: number, from = 0): number {
    if (this.idx === undefined) this.scan();
    // Codes are integers 1-254 (this also rejects fractions, negatives and NaN).
    if ((code & 0xff) !== code) return -1;
    const idx = this.idx!;
    const key = code << 5;
    for (let i = Math.max(from, 0), n = this.n; i < n; i++) {
      if ((idx[i]! & OPTION_MASK) === key) return i;
    }
    return -1;
  }
  /** True when option `code` is present. */
  has(code: number): boolean {
    return this.find(code) >= 0;
  }
  /** Number of instances of option `code` (RFC 3396 splits count separately). */
  count(code: number): number {
    let c = 0;
    for (let i = this.find(code); i >= 0; i = this.find(code, i + 1)) c++;
    return c;
  }
  /**
   * The value of option `code`: a subarray when there is one instance, a new array holding the
   * concatenation of all instances in wire order (RFC 3396) when there are several, `undefined`
   * when absent.
   */
  get(code: number): Uint8Array | undefined {
    const first = this.find(code);
    if (first < 0) return undefined;
    const next = this.find(code, first + 1);
    if (next < 0) return this.entryData(first);
    let total = 0;
    for (let i = first; i >= 0; i = this.find(code, i + 1)) total += this.entryLength(i);
    const out = new Uint8Array(total);
    let p = 0;
    for (let i = first; i >= 0; i = this.find(code, i + 1)) {
      out.set(this.entryData(i), p);
      p += this.entryLength(i);
    }
    return out;
  }

  /**
   * Offset of the value of the first instance of `code` (its first data byte), or -1 when absent.
   * With {@link DhcpView.valueLength} this reads values without creating subarrays.
   */
  valueOffset(code: number): number {
    const i = this.find(code);
    return i < 0 ? -1 : metaOffset(this.idx![i]!) + 2;
  }
  /** Length of the first instance of `code`, or -1 when absent. */
  valueLength(code: number): number {
    const i = this.find(code);
    return i < 0 ? -1 : this.bytes[metaOffset(this.idx![i]!) + 1]!;
  }
  /** First byte of option `code`'s value, `undefined` when absent or empty. */
  u8(code: number): number | undefined {
    const i = this.find(code);
    if (i < 0) return undefined;
    const o = metaOffset(this.idx![i]!);
    return this.bytes[o + 1]! < 1 ? undefined : this.bytes[o + 2];
  }
  /** First big-endian 16-bit number of option `code`'s value, `undefined` when absent/short. */
  u16(code: number): number | undefined {
    const i = this.find(code);
    if (i < 0) return undefined;
    const o = metaOffset(this.idx![i]!) + 2;
    if (this.bytes[o - 1]! < 2) return undefined;
    return (this.bytes[o]! << 8) | this.bytes[o + 1]!;
  }
  /** First big-endian 32-bit number of option `code`'s value, `undefined` when absent/short. */
  u32(code: number): number | undefined {
    const i = this.find(code);
    if (i < 0) return undefined;
    const o = metaOffset(this.idx![i]!) + 2;
    if (this.bytes[o - 1]! < 4) return undefined;
    const b = this.bytes;
    return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
  }
  /** True when option `code`'s (first instance) value starts with the ASCII text `prefix`. */
  startsWith(code: number, prefix: string): boolean {
    const i = this.find(code);
    if (i < 0) return false;
    const o = metaOffset(this.idx![i]!) + 2;
    if (this.bytes[o - 1]! < prefix.length) return false;
    for (let k = 0; k < prefix.length; k++) {
      if (this.bytes[o + k] !== prefix.charCodeAt(k)) return false;
    }
    return true;
  }

  /** Iterates the option instances in wire order (Pad, END and irregular bytes are skipped). */
  *options(): IterableIterator<OptionView> {
    const n = this.entryCount;
    for (let i = 0; i < n; i++) {
      if (this.entryKind(i) !== EntryKind.option) continue;
      const offset = this.entryOffset(i);
      const length = this.entryLength(i);
      yield {
        code: this.entryCode(i),
        offset,
        length,
        data: this.bytes.subarray(offset + 2, offset + 2 + length),
        area: this.entryArea(i),
      };
    }
  }

  /** Runs the option scan now (it otherwise runs on first option access). Idempotent. */
  scan(): void {
    if (this.idx !== undefined) return;
    // Entries go to a shared scratch array (no per-view growth) and are copied out once, at the
    // exact size, when the scan ends or throws (strict mode).
    cur = this.bytes.length < SCRATCH_LIMIT ? SCRATCH : [];
    try {
      this.scanAll();
    } finally {
      this.idx = cur.slice(0, this.n);
      cur = SCRATCH;
    }
  }

  private scanAll(): void {
    const len = this.bytes.length;
    if (!this.hasCookie) {
      if (len > BOOTP_HEADER_LENGTH) {
        this.push(EntryKind.tail, OptionArea.options, -1, BOOTP_HEADER_LENGTH);
      }
      for (let i = 240; i < len; i++) {
        if (this.bytes[i] !== 0) {
          this.warn("bad-cookie", "vendor area without magic cookie holds data (not decoded)", i);
          break;
        }
      }
      return;
    }
    this.scanArea(240, len, OptionArea.options);
    const first52 = this.first52;
    if (first52 >= 0) {
      const o = metaOffset(cur[first52]!);
      const l = this.bytes[o + 1]!;
      const v = l >= 1 ? this.bytes[o + 2]! : 0;
      if (l !== 1 || v < 1 || v > 3) {
        this.warn(
          "bad-overload",
          `option 52 must hold one byte 1-3 (length ${l}, value ${v})`,
          o,
          52,
        );
      }
      if (v >= 1 && v <= 3) this.overloadValue = v;
    }
    if (this.overloadValue & 1) this.scanArea(108, 236, OptionArea.file);
    if (this.overloadValue & 2) this.scanArea(44, 108, OptionArea.sname);
  }

  private push(kind: number, area: number, code: number, offset: number): void {
    cur[this.n++] = (kind | (area << 3) | ((code & 0xff) << 5)) + offset * META_OFFSET;
  }

  private warn(code: DhcpErrorCode, message: string, offset: number, optionCode?: number): void {
    if (this.strict) {
      throw new DhcpError(
        code,
        message,
        offset,
        optionCode === undefined ? undefined : { optionCode },
      );
    }
    if (this.warns === undefined) this.warns = [];
    this.warns.push({ code, message, offset, optionCode });
  }

  private checkTail(p: number, end: number, where: string): void {
    const b = this.bytes;
    let i = p;
    // Unrolled: Pad tails are often a few hundred bytes (padding to 300 or more).
    while (i + 8 <= end) {
      if (
        (b[i]! |
          b[i + 1]! |
          b[i + 2]! |
          b[i + 3]! |
          b[i + 4]! |
          b[i + 5]! |
          b[i + 6]! |
          b[i + 7]!) !==
        0
      ) {
        break;
      }
      i += 8;
    }
    for (; i < end; i++) {
      if (b[i] !== 0) {
        this.warn("trailing-bytes", `non-Pad bytes after END in ${where}`, i);
        return;
      }
    }
  }

  private scanArea(start: number, end: number, area: OptionArea): void {
    const b = this.bytes;
    const s = cur;
    const a8 = area << 3;
    // The entry count lives in a local in the loop; it is stored back before any other call.
    let n = this.n;
    let p = start;
    while (p < end) {
      const c = b[p]!;
      if (c === 0) {
        const q = p;
        while (p < end && b[p] === 0) p++;
        s[n++] = (EntryKind.pad | a8) + q * META_OFFSET;
        continue;
      }
      if (c === 255) {
        this.n = n;
        this.push(EntryKind.end, area, 255, p);
        p++;
        if (p < end) {
          this.push(EntryKind.tail, area, -1, p);
          // Checking that the tail is all Pad is deferred to `warnings` in lenient mode.
          if (this.strict) this.checkTail(p, end, areaName(area));
          else this.lazyTails = true;
        }
        return;
      }
      if (p + 1 >= end || p + 2 + b[p + 1]! > end) {
        this.n = n;
        this.push(EntryKind.truncated, area, c, p);
        this.warn("truncated-option", `option ${c} runs past the end of ${areaName(area)}`, p, c);
        return;
      }
      const l = b[p + 1]!;
      s[n++] = (EntryKind.option | a8 | (c << 5)) + p * META_OFFSET;
      if (c === 52) {
        this.n = n;
        if (area !== OptionArea.options) {
          this.warn("bad-overload", `option 52 inside ${areaName(area)} is ignored`, p, 52);
        } else if (this.first52 < 0) this.first52 = n - 1;
      }
      p += 2 + l;
    }
    this.n = n;
    this.warn("missing-end", `no END option in ${areaName(area)}`, end);
  }
}

function areaName(area: OptionArea): string {
  return area === OptionArea.options ? "options" : area === OptionArea.file ? "file" : "sname";
}

function isCookie(b: Uint8Array): boolean {
  return b[236] === 0x63 && b[237] === 0x82 && b[238] === 0x53 && b[239] === 0x63;
}

function cString(b: Uint8Array, start: number, end: number): string {
  let e = start;
  while (e < end && b[e] !== 0) e++;
  return e === start ? "" : decodeText(b, start, e);
}

/** An empty byte array (shared; never written). */
export const EMPTY_BYTES: Uint8Array = EMPTY;

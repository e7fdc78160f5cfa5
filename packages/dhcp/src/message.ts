import {
  bytesEqual,
  decodeText,
  fromHex,
  toHex,
  utf8Encode,
  utf8Length,
  writeIpv4,
} from "./bytes.js";
import type {
  ClasslessRoute,
  ClientFqdn,
  ClientIdentifier,
  Ipv4Pair,
  SipServers,
  StatusCode,
  SubOption,
  VendorClassEntry,
  VendorSpecificEntry,
} from "./codecs.js";
import { DhcpError, type DhcpErrorCode, type DhcpWarning, isDhcpError } from "./errors.js";
import type { DecodeContext, OptionCodec, OptionRegistry } from "./registry.js";
import { defaultRegistry } from "./standard.js";
import { BOOTP_MIN_LENGTH, DhcpView, EntryKind, OptionArea, type ViewOptions } from "./view.js";

/**
 * Value types of the standard options whose codec this package fixes (PXE-related codes
 * 43/60/77/93/94/97/175/208-211 are left out on purpose: @pxe/pxe-options may register richer
 * codecs for them, so `get(93)` is `unknown`; use `get(codec)` for a typed result).
 */
export interface StandardOptionValues {
  1: string;
  2: number;
  3: readonly string[];
  6: readonly string[];
  12: string;
  15: string;
  21: readonly Ipv4Pair[];
  26: number;
  28: string;
  33: readonly Ipv4Pair[];
  42: readonly string[];
  50: string;
  51: number;
  52: number;
  53: number;
  54: string;
  55: readonly number[];
  56: string;
  57: number;
  58: number;
  59: number;
  61: ClientIdentifier;
  66: string;
  67: string;
  80: true;
  81: ClientFqdn;
  82: readonly SubOption[];
  118: string;
  119: readonly string[];
  120: SipServers;
  121: readonly ClasslessRoute[];
  124: readonly VendorClassEntry[];
  125: readonly VendorSpecificEntry[];
  150: readonly string[];
  151: StatusCode;
  252: string;
}

/** Options for {@link decodeMessage}. */
export interface DecodeOptions extends ViewOptions {
  /** Codecs to decode option values with (default {@link defaultRegistry}). */
  readonly registry?: OptionRegistry;
}

/** Options for {@link encodeMessage}, {@link encodeInto} and {@link encodingLength}. */
export interface EncodeOptions {
  /**
   * Largest message (UDP payload) to produce, e.g. option 57 minus 28. When the options do not
   * fit, the encoder moves options into `file` and then `sname` with option 52 (if `overload`
   * allows and those fields are empty), else throws `too-big`. Default: no limit.
   */
  readonly maxSize?: number;
  /** Allow overflowing into `file`/`sname` with option 52 when `maxSize` requires it. Default true. */
  readonly overload?: boolean;
  /** Pad (after END) up to this length. Default 300 (the BOOTP minimum); 0 disables padding. */
  readonly minSize?: number;
  /**
   * Ignore the layout recorded at decode and encode in canonical order. Default false, i.e. a
   * decoded message re-encodes byte for byte and modified ones keep their option order.
   */
  readonly canonical?: boolean;
}

/** One logical option of a message, as iterated from {@link DhcpOptions}. */
export interface DhcpOptionEntry {
  /** Option code. */
  readonly code: number;
  /** camelCase name from the registry, or `option<N>`. */
  readonly name: string;
  /** Typed value (raw `Uint8Array` when there is no codec), `undefined` when it failed to decode. */
  readonly value: unknown;
  /** Why the value failed to decode (lenient mode only). */
  readonly error?: DhcpError;
}

/** One logical option. A decoded single-instance value stays a range of the input until needed. */
class Entry {
  code: number;
  value: unknown;
  hasValue: boolean;
  error: DhcpError | undefined;
  /** Absolute offset of the value in the decoded input (for decoding errors). */
  offset: number;
  private bytes: Uint8Array | undefined;
  /** @internal input holding the value at `offset` (when `bytes` is not materialised yet) */
  src: Uint8Array | undefined;
  /** @internal */
  len: number;

  constructor(code: number, raw: Uint8Array | undefined, value: unknown, hasValue: boolean) {
    this.code = code;
    this.value = value;
    this.hasValue = hasValue;
    this.error = undefined;
    this.offset = 0;
    this.bytes = raw;
    this.src = undefined;
    this.len = 0;
  }

  /** Wire bytes of the (concatenated) value: set at decode, or encoded by `set`. */
  get raw(): Uint8Array | undefined {
    if (this.bytes === undefined && this.src !== undefined) {
      this.bytes = this.src.subarray(this.offset, this.offset + this.len);
    }
    return this.bytes;
  }
  set raw(v: Uint8Array | undefined) {
    this.bytes = v;
    this.src = undefined;
  }
}

/** What a decoded message remembers to re-encode byte for byte: the view (bytes + entries). */
interface Layout {
  readonly view: DhcpView;
  readonly overload: number;
  readonly cookie: boolean;
}

/** Decode context shared by all options of one message decode (mutated per option). */
class Ctx implements DecodeContext {
  code = 0;
  offset = 0;
  constructor(
    readonly strict: boolean,
    readonly warns: DhcpWarning[] | undefined,
  ) {}
  warn(c: DhcpErrorCode, message: string, rel = 0): void {
    if (this.strict) throw new DhcpError(c, message, this.offset + rel, { optionCode: this.code });
    this.warns?.push({ code: c, message, offset: this.offset + rel, optionCode: this.code });
  }
}

/**
 * The options of a {@link DhcpMessage}: an ordered map from code to value. Each code appears
 * once (instances split by RFC 3396 are joined); order is wire order for decoded messages and
 * insertion order for new ones. Values are snapshots: `set` encodes (and so validates) the value
 * at once, and a decoded value is a view of the input bytes, so changing a value object in place
 * does not change the message: call {@link DhcpOptions.set} with the new value.
 */
export class DhcpOptions implements Iterable<DhcpOptionEntry> {
  /** @internal */
  readonly list: Entry[] = [];
  /** The registry used to decode and encode values. */
  readonly registry: OptionRegistry;

  constructor(registry: OptionRegistry = defaultRegistry) {
    this.registry = registry;
  }

  /** Number of distinct option codes. */
  get size(): number {
    return this.list.length;
  }

  private entry(code: number): Entry | undefined {
    const l = this.list;
    for (let i = 0; i < l.length; i++) if (l[i]!.code === code) return l[i];
    return undefined;
  }

  /** True when option `code` is present. */
  has(code: number | OptionCodec<unknown>): boolean {
    return this.entry(typeof code === "number" ? code : code.code) !== undefined;
  }

  /**
   * The typed value of an option, or `undefined` when absent or undecodable. With a codec
   * argument, the value is decoded with that codec (typed as its `T`; it may throw
   * {@link DhcpError} when the bytes do not fit that codec).
   */
  get<C extends keyof StandardOptionValues>(code: C): StandardOptionValues[C] | undefined;
  get<T>(codec: OptionCodec<T>): T | undefined;
  get(code: number): unknown;
  get(code: number | OptionCodec<unknown>): unknown {
    if (typeof code !== "number") {
      const e = this.entry(code.code);
      if (e === undefined) return undefined;
      if (this.registry.get(code.code) === code) {
        if (!e.hasValue) this.decodeEntry(e, new Ctx(false, undefined));
        return e.value;
      }
      const ctx = new Ctx(true, undefined);
      ctx.code = code.code;
      ctx.offset = e.offset;
      return code.decode(e.raw!, ctx);
    }
    const e = this.entry(code);
    if (e === undefined) return undefined;
    if (!e.hasValue) this.decodeEntry(e, new Ctx(false, undefined));
    return e.value;
  }

  /** The wire bytes of an option's (concatenated) value. */
  getRaw(code: number): Uint8Array | undefined {
    return this.entry(code)?.raw;
  }

  /**
   * Sets an option to a typed value, encoding it now (`bad-value` {@link DhcpError} when the codec
   * cannot encode it). An existing option keeps its position; a new one is appended. With a codec
   * argument that codec encodes the value. An option without a codec takes `Uint8Array` bytes.
   * Returns `this`.
   */
  set<C extends keyof StandardOptionValues>(code: C, value: StandardOptionValues[C]): this;
  set<T>(codec: OptionCodec<T>, value: T): this;
  set(code: number, value: unknown): this;
  set(code: number | OptionCodec<unknown>, value: unknown): this {
    const c = typeof code === "number" ? code : code.code;
    checkCode(c);
    const codec = typeof code === "number" ? this.registry.get(c) : code;
    let raw: Uint8Array;
    if (codec === undefined) {
      if (!(value instanceof Uint8Array)) {
        throw new DhcpError(
          "bad-value",
          "an option without a codec needs Uint8Array bytes",
          undefined,
          { optionCode: c },
        );
      }
      raw = value;
    } else {
      raw = encodeValue(codec, value);
    }
    // The value is kept when the registry's codec is the one that encoded it.
    const keep = codec === undefined || codec === this.registry.get(c);
    const e = this.entry(c);
    if (e) {
      e.raw = raw;
      e.value = keep ? value : undefined;
      e.hasValue = keep;
      e.error = undefined;
    } else {
      this.list.push(new Entry(c, raw, keep ? value : undefined, keep));
    }
    return this;
  }

  /** Sets an option's raw value bytes (kept as given, decoded on demand). Returns `this`. */
  setRaw(code: number, bytes: Uint8Array): this {
    checkCode(code);
    const e = this.entry(code);
    if (e) {
      e.raw = bytes;
      e.hasValue = false;
      e.value = undefined;
      e.error = undefined;
    } else {
      this.list.push(new Entry(code, bytes, undefined, false));
    }
    return this;
  }

  /** Removes an option; returns whether it was present. */
  delete(code: number): boolean {
    const i = this.list.findIndex((e) => e.code === code);
    if (i < 0) return false;
    this.list.splice(i, 1);
    return true;
  }

  /** Option codes in order. */
  codes(): number[] {
    return this.list.map((e) => e.code);
  }

  /** Iterates `{ code, name, value, error? }` in order. */
  *[Symbol.iterator](): IterableIterator<DhcpOptionEntry> {
    for (const e of this.list) {
      if (!e.hasValue) this.decodeEntry(e, new Ctx(false, undefined));
      const name = this.registry.name(e.code);
      yield e.error
        ? { code: e.code, name, value: undefined, error: e.error }
        : { code: e.code, name, value: e.value };
    }
  }

  /** @internal decodes `e.raw` with the registry; errors become `e.error` (lenient) or throw. */
  decodeEntry(e: Entry, ctx: Ctx): void {
    const codec = this.registry.get(e.code);
    e.hasValue = true;
    if (codec === undefined) {
      e.value = e.raw;
      return;
    }
    ctx.code = e.code;
    ctx.offset = e.offset;
    try {
      const src = e.src;
      e.value =
        src !== undefined && codec.decodeAt !== undefined
          ? codec.decodeAt(src, e.offset, e.len, ctx)
          : codec.decode(e.raw!, ctx);
    } catch (err) {
      if (ctx.strict) throw err;
      const de = isDhcpError(err)
        ? err
        : new DhcpError("bad-value", `codec failed: ${String(err)}`, e.offset, {
            optionCode: e.code,
            cause: err,
          });
      e.value = undefined;
      e.error = de;
      ctx.warns?.push({
        code: de.code,
        message: de.message,
        offset: de.offset ?? e.offset,
        optionCode: e.code,
      });
    }
  }
}

function checkCode(c: number): void {
  if (!Number.isInteger(c) || c < 1 || c > 254) {
    throw new DhcpError("bad-value", `option code must be 1-254, got ${c}`);
  }
}

function encodeValue(codec: OptionCodec<unknown>, value: unknown): Uint8Array {
  try {
    const n = codec.encodingLength(value);
    const out = new Uint8Array(n);
    const w = codec.encodeInto(value, out, 0);
    if (w !== n) {
      throw new DhcpError("bad-value", `codec wrote ${w} bytes, announced ${n}`, undefined, {
        optionCode: codec.code,
      });
    }
    return out;
  } catch (err) {
    if (isDhcpError(err)) {
      if (err.optionCode !== undefined) throw err;
      throw new DhcpError(err.code, err.message, err.offset, {
        optionCode: codec.code,
        cause: err,
      });
    }
    throw new DhcpError("bad-value", `cannot encode value: ${String(err)}`, undefined, {
      optionCode: codec.code,
      cause: err,
    });
  }
}

/** A plain typed description of a message, for {@link DhcpMessage}'s constructor. */
export interface DhcpMessageInit {
  /** 1 BOOTREQUEST (default), 2 BOOTREPLY. */
  readonly op?: number;
  /** Hardware type, default 1 (Ethernet). */
  readonly htype?: number;
  /** Hardware address length; default `chaddr.length` (6). */
  readonly hlen?: number;
  readonly hops?: number;
  readonly xid?: number;
  readonly secs?: number;
  /** Whole flags field; see also `broadcast`. */
  readonly flags?: number;
  /** Sets bit 15 of `flags`. */
  readonly broadcast?: boolean;
  readonly ciaddr?: string;
  readonly yiaddr?: string;
  readonly siaddr?: string;
  readonly giaddr?: string;
  /** Client hardware address: bytes or hex text (`"52:54:00:12:34:56"`). */
  readonly chaddr?: Uint8Array | string;
  /** Server host name (at most 63 bytes, written NUL-terminated). */
  readonly sname?: string;
  /** Boot file name (at most 127 bytes, written NUL-terminated). */
  readonly file?: string;
  /** Options as `[code, value]` pairs, in order (values typed per the registry). */
  readonly options?: Iterable<readonly [number, unknown]>;
  /** Registry for the option values (default {@link defaultRegistry}). */
  readonly registry?: OptionRegistry;
}

function parseIp(s: string): number {
  const tmp = IP_TMP;
  writeIpv4(s, tmp, 0);
  return ((tmp[0]! << 24) | (tmp[1]! << 16) | (tmp[2]! << 8) | tmp[3]!) >>> 0;
}
const IP_TMP = new Uint8Array(4);

function ipText(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 0xff}.${(n >>> 8) & 0xff}.${n & 0xff}`;
}

function readU32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0;
}

/** `text` as a NUL-padded field of `size` bytes; `bad-value` when it does not fit with a NUL. */
function fieldBytes(text: string, size: number, what: string): Uint8Array {
  const n = utf8Length(text);
  if (n >= size) {
    throw new DhcpError("bad-value", `${what} is ${n} bytes; at most ${size - 1} fit with the NUL`);
  }
  const out = new Uint8Array(size);
  utf8Encode(text, out, 0);
  return out;
}

function cText(b: Uint8Array, start: number, end: number): string {
  let e = start;
  while (e < end && b[e] !== 0) e++;
  return e === start ? "" : decodeText(b, start, e);
}

/**
 * A typed, mutable DHCPv4 message: header fields as properties and {@link DhcpOptions}.
 * Build one from a plain object, or get one from {@link decodeMessage} and modify it; encode it
 * with {@link encodeMessage} or {@link encodeInto}. A decoded message remembers its layout (option
 * instances, Pad, bytes after END, overload) so an unmodified one re-encodes byte for byte and a
 * modified one keeps its option order. Decoded header fields, values and raw bytes are read from
 * the input lazily: copy the input first if you reuse its buffer.
 */
export class DhcpMessage {
  /** `op`: 1 BOOTREQUEST, 2 BOOTREPLY. */
  op: number;
  /** `htype`: hardware address type. */
  htype: number;
  /** `hlen`: hardware address length. */
  hlen: number;
  /** `hops`. */
  hops: number;
  /** `xid`: transaction ID (unsigned 32-bit). */
  xid: number;
  /** `secs`. */
  secs: number;
  /** `flags` (bit 15 = broadcast). */
  flags: number;
  /** False for a BOOTP message without magic cookie (and so without options). */
  cookie: boolean;
  /** The options, in order. */
  readonly options: DhcpOptions;
  /** Irregularities found when this message was decoded (lenient mode). */
  readonly warnings: DhcpWarning[];

  /** @internal addresses as unsigned 32-bit numbers */
  a0 = 0;
  /** @internal */
  a1 = 0;
  /** @internal */
  a2 = 0;
  /** @internal */
  a3 = 0;
  /** @internal decoded input (header fields not yet materialised are read from it) */
  src: Uint8Array | undefined;
  /** @internal the layout recorded at decode */
  layout: Layout | undefined;
  /** @internal option 52 of the decoded input: its overloaded fields hold options, not text */
  srcOverload = 0;
  private ch: Uint8Array | undefined;
  /** @internal set text, or undefined when not set since decode */
  snameText: string | undefined;
  /** @internal */
  fileText: string | undefined;
  /** @internal the 64/128-byte field to write, when set */
  snameBytes: Uint8Array | undefined;
  /** @internal */
  fileBytes: Uint8Array | undefined;

  constructor(init?: DhcpMessageInit) {
    this.op = init?.op ?? 1;
    this.htype = init?.htype ?? 1;
    this.hops = init?.hops ?? 0;
    this.xid = init?.xid ?? 0;
    this.secs = init?.secs ?? 0;
    this.flags = (init?.flags ?? 0) | (init?.broadcast ? 0x8000 : 0);
    this.cookie = true;
    this.options = new DhcpOptions(init?.registry ?? defaultRegistry);
    this.warnings = [];
    this.src = undefined;
    this.layout = undefined;
    this.snameText = undefined;
    this.fileText = undefined;
    this.snameBytes = undefined;
    this.fileBytes = undefined;
    this.ch = undefined;
    this.hlen = 6;
    if (init === undefined) return;
    if (init.chaddr !== undefined) {
      this.ch = typeof init.chaddr === "string" ? fromHex(init.chaddr) : init.chaddr;
      this.hlen = this.ch.length;
    }
    if (init.hlen !== undefined) this.hlen = init.hlen;
    if (init.ciaddr !== undefined) this.a0 = parseIp(init.ciaddr);
    if (init.yiaddr !== undefined) this.a1 = parseIp(init.yiaddr);
    if (init.siaddr !== undefined) this.a2 = parseIp(init.siaddr);
    if (init.giaddr !== undefined) this.a3 = parseIp(init.giaddr);
    if (init.sname !== undefined) this.sname = init.sname;
    if (init.file !== undefined) this.file = init.file;
    if (init.options) for (const [c, v] of init.options) this.options.set(c, v);
  }

  /** `ciaddr`, dotted quad. */
  get ciaddr(): string {
    return ipText(this.a0);
  }
  set ciaddr(v: string) {
    this.a0 = parseIp(v);
  }
  /** `yiaddr`, dotted quad. */
  get yiaddr(): string {
    return ipText(this.a1);
  }
  set yiaddr(v: string) {
    this.a1 = parseIp(v);
  }
  /** `siaddr`, dotted quad. */
  get siaddr(): string {
    return ipText(this.a2);
  }
  set siaddr(v: string) {
    this.a2 = parseIp(v);
  }
  /** `giaddr`, dotted quad. */
  get giaddr(): string {
    return ipText(this.a3);
  }
  set giaddr(v: string) {
    this.a3 = parseIp(v);
  }

  /** `chaddr` (the first `hlen` bytes, at most 16). */
  get chaddr(): Uint8Array {
    if (this.ch === undefined) {
      this.ch =
        this.src !== undefined
          ? this.src.subarray(28, 28 + Math.min(this.hlen, 16))
          : new Uint8Array(Math.min(this.hlen, 16));
    }
    return this.ch;
  }
  set chaddr(v: Uint8Array) {
    if (v.length > 16) throw new DhcpError("bad-value", "chaddr is longer than 16 bytes");
    this.ch = v;
  }
  /** @internal true when chaddr was never read or set since decode */
  get chaddrUntouched(): boolean {
    return this.ch === undefined;
  }

  /** `sname` text (empty when overloaded with options). Setting it checks it fits (63 bytes). */
  get sname(): string {
    if (this.snameText === undefined) {
      this.snameText =
        this.src === undefined || this.srcOverload & 2 ? "" : cText(this.src, 44, 108);
    }
    return this.snameText;
  }
  set sname(v: string) {
    this.snameBytes = fieldBytes(v, 64, "sname");
    this.snameText = v;
  }
  /** `file` text (empty when overloaded with options). Setting it checks it fits (127 bytes). */
  get file(): string {
    if (this.fileText === undefined) {
      this.fileText =
        this.src === undefined || this.srcOverload & 1 ? "" : cText(this.src, 108, 236);
    }
    return this.fileText;
  }
  set file(v: string) {
    this.fileBytes = fieldBytes(v, 128, "file");
    this.fileText = v;
  }

  /** The BROADCAST flag (bit 15 of `flags`). */
  get broadcast(): boolean {
    return (this.flags & 0x8000) !== 0;
  }
  set broadcast(v: boolean) {
    this.flags = v ? this.flags | 0x8000 : this.flags & 0x7fff;
  }

  /** Option 53 (message type), `undefined` for BOOTP. */
  get type(): number | undefined {
    const v = this.options.get(53);
    return typeof v === "number" ? v : undefined;
  }

  /** `chaddr` as colon-separated hex. */
  get chaddrText(): string {
    return toHex(this.chaddr, ":");
  }

  /** Forgets the decoded layout: the next encode uses canonical order. */
  resetLayout(): void {
    this.layout = undefined;
  }

  /** A JSON-friendly description: header fields and `options: [{ code, name, value }]`. */
  toJSON(): Record<string, unknown> {
    return {
      op: this.op,
      htype: this.htype,
      hlen: this.hlen,
      hops: this.hops,
      xid: this.xid,
      secs: this.secs,
      flags: this.flags,
      ciaddr: this.ciaddr,
      yiaddr: this.yiaddr,
      siaddr: this.siaddr,
      giaddr: this.giaddr,
      chaddr: this.chaddrText,
      sname: this.sname,
      file: this.file,
      options: optionsToJSON(this.options),
    };
  }
}

/** `[{ code, name, value }]` with values in JSON-friendly form (bytes as hex). */
export function optionsToJSON(
  options: DhcpOptions,
): Array<{ code: number; name: string; value: unknown; error?: string }> {
  const out: Array<{ code: number; name: string; value: unknown; error?: string }> = [];
  for (const o of options) {
    if (o.error) {
      out.push({
        code: o.code,
        name: o.name,
        value: toHex(options.getRaw(o.code) ?? new Uint8Array(0)),
        error: o.error.message,
      });
      continue;
    }
    const codec = options.registry.get(o.code);
    out.push({
      code: o.code,
      name: o.name,
      value: codec?.toJSON ? codec.toJSON(o.value) : toJSONValue(o.value),
    });
  }
  return out;
}

/** Converts a decoded value to JSON-friendly form: `Uint8Array` becomes hex, recursively. */
export function toJSONValue(v: unknown): unknown {
  if (v instanceof Uint8Array) return toHex(v);
  if (Array.isArray(v)) return v.map(toJSONValue);
  if (v !== null && typeof v === "object") {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) o[k] = toJSONValue(x);
    return o;
  }
  return v;
}

/**
 * Decodes a message: header, options (RFC 3396-concatenated, each value decoded through the
 * registry) and the layout needed to re-encode it byte for byte. Lenient by default:
 * irregularities are in `message.warnings` (offset and option code), and an option whose value its
 * codec rejects is kept raw with an `error`. With `{ strict: true }` the first irregularity
 * throws. Never throws anything but {@link DhcpError}.
 */
export function decodeMessage(bytes: Uint8Array, options?: DecodeOptions): DhcpMessage {
  const view = new DhcpView(bytes, options);
  return messageFromView(view, options);
}

/** Result of {@link tryDecodeMessage}. */
export type DecodeResult =
  | { readonly ok: true; readonly message: DhcpMessage }
  | { readonly ok: false; readonly error: DhcpError };

/**
 * {@link decodeMessage} for server hot paths fed hostile input: returns the error instead of
 * throwing it (a server drops the packet, counts it and keeps serving).
 */
export function tryDecodeMessage(bytes: Uint8Array, options?: DecodeOptions): DecodeResult {
  try {
    return { ok: true, message: decodeMessage(bytes, options) };
  } catch (e) {
    if (isDhcpError(e)) return { ok: false, error: e };
    throw e;
  }
}

/** Like {@link decodeMessage}, from an existing view (strictness is taken from `options`). */
export function messageFromView(view: DhcpView, options?: DecodeOptions): DhcpMessage {
  const strict = options?.strict === true;
  view.scan();
  const m = new DhcpMessage(options?.registry ? { registry: options.registry } : undefined);
  const b = view.bytes;
  m.src = b;
  m.op = b[0]!;
  m.htype = b[1]!;
  m.hlen = b[2]!;
  m.hops = b[3]!;
  m.xid = readU32(b, 4);
  m.secs = (b[8]! << 8) | b[9]!;
  m.flags = (b[10]! << 8) | b[11]!;
  m.a0 = readU32(b, 12);
  m.a1 = readU32(b, 16);
  m.a2 = readU32(b, 20);
  m.a3 = readU32(b, 24);
  m.cookie = view.hasCookie;
  const warns = m.warnings;
  const vw = view.warnings;
  for (let i = 0; i < vw.length; i++) warns.push(vw[i]!);
  m.layout = { view, overload: view.overload, cookie: view.hasCookie };
  m.srcOverload = view.overload;
  const n = view.entryCount;
  const list = m.options.list;
  // Pass 1 (no codec runs, so the shared stamp table cannot be reentered): one Entry per code in
  // order of first instance, each keeping a range of the input; a subarray is made only when
  // asked for. A code seen again is joined (RFC 3396) instead.
  let gen = (stampGen + 1) >>> 0;
  if (gen === 0) {
    STAMPS.fill(0);
    gen = 1;
  }
  stampGen = gen;
  let multi = false;
  for (let i = 0; i < n; i++) {
    if (view.entryKind(i) !== EntryKind.option) continue;
    const code = view.entryCode(i);
    if (STAMPS[code] === gen) {
      const e = list[SLOTS[code]!]!;
      if (e.src !== undefined) {
        e.src = undefined;
        multi = true;
      }
      continue;
    }
    STAMPS[code] = gen;
    SLOTS[code] = list.length;
    const e = new Entry(code, undefined, undefined, false);
    e.offset = view.entryOffset(i) + 2;
    e.src = b;
    e.len = view.entryLength(i);
    list.push(e);
  }
  // Pass 2: join split options, then decode in order of first instance.
  const ctx = new Ctx(strict, warns);
  for (let k = 0; k < list.length; k++) {
    const e = list[k]!;
    if (multi && e.src === undefined) e.raw = view.get(e.code);
    m.options.decodeEntry(e, ctx);
  }
  return m;
}

// Per-code stamps for messageFromView's first pass (a code was seen in this decode when its stamp
// is the current generation) and the list index of its entry.
const STAMPS = new Uint32Array(256);
const SLOTS = new Uint8Array(256);
let stampGen = 0;

/**
 * Starts a reply to `request` (BOOTREPLY): copies `xid`, `htype`, `hlen`, `chaddr`, `flags` and
 * `giaddr`, echoes option 61 (RFC 6842) and option 82 (RFC 3046, kept last by the encoder), then
 * applies `init` (whose options come after the echoed ones, except 53/54 which the encoder puts
 * first).
 */
export function createReply(request: DhcpMessage, init: DhcpMessageInit = {}): DhcpMessage {
  const m = new DhcpMessage({
    op: 2,
    htype: request.htype,
    hlen: request.hlen,
    chaddr: request.chaddr.slice(),
    xid: request.xid,
    flags: request.flags,
    giaddr: request.giaddr,
    registry: init.registry ?? request.options.registry,
    ...init,
    options: [],
  });
  const id = request.options.getRaw(61);
  if (id) m.options.setRaw(61, id);
  if (init.options) for (const [c, v] of init.options) m.options.set(c, v);
  const relay = request.options.getRaw(82);
  if (relay) m.options.setRaw(82, relay);
  return m;
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

/** Encodes into a new array of exactly the encoded length. */
export function encodeMessage(msg: DhcpMessage, options?: EncodeOptions): Uint8Array {
  const out = new Uint8Array(encodingLength(msg, options));
  const n = encodeInto(msg, out, 0, options);
  return n === out.length ? out : out.subarray(0, n);
}

let scratch = new Uint8Array(2048);

/** Bytes {@link encodeInto} will write for `msg` (it encodes into a scratch buffer to know). */
export function encodingLength(msg: DhcpMessage, options?: EncodeOptions): number {
  for (;;) {
    try {
      return encodeInto(msg, scratch, 0, options);
    } catch (err) {
      if (isDhcpError(err) && err.code === "buffer-too-small" && scratch.length < 1 << 20) {
        scratch = new Uint8Array(scratch.length * 4);
        continue;
      }
      throw err;
    }
  }
}

/**
 * Encodes `msg` at `out[offset]` (no allocation on the canonical path) and returns the number
 * of bytes written. Throws {@link DhcpError} `buffer-too-small` when `out` has no room, `too-big`
 * when `maxSize` cannot be met.
 *
 * Order: the decoded layout when there is one (see {@link DhcpMessage}); otherwise 53 and 54
 * first, then insertion order with 60 moved before 43, 82 last, END, then Pad up to `minSize`.
 * Values over 255 bytes are split into consecutive instances (RFC 3396). Option 52 belongs to
 * the encoder: outside a byte-for-byte layout re-encode it is written only when `maxSize` makes
 * the encoder overflow into `file`/`sname`.
 */
export function encodeInto(
  msg: DhcpMessage,
  out: Uint8Array,
  offset = 0,
  options?: EncodeOptions,
): number {
  if (msg.src !== undefined && options?.canonical !== true) {
    const layout = msg.layout;
    if (layout !== undefined) {
      const n = encodeWithLayout(msg, layout, out, offset, options);
      if (n >= 0) return n;
    }
  }
  return encodeCanonical(msg, out, offset, options);
}

function need(out: Uint8Array, end: number): void {
  if (end > out.length) {
    throw new DhcpError("buffer-too-small", `output buffer needs ${end} bytes`, out.length);
  }
}

function put32(out: Uint8Array, p: number, v: number): void {
  out[p] = v >>> 24;
  out[p + 1] = (v >>> 16) & 0xff;
  out[p + 2] = (v >>> 8) & 0xff;
  out[p + 3] = v & 0xff;
}

/** Zeroes `out[from, to)`: a loop for short runs (cheaper than a call of the `fill` builtin). */
function zero(out: Uint8Array, from: number, to: number): void {
  if (to - from > 24) out.fill(0, from, to);
  else for (let i = from; i < to; i++) out[i] = 0;
}

function copy(src: Uint8Array, from: number, len: number, out: Uint8Array, p: number): void {
  if (len > 24) out.set(src.subarray(from, from + len), p);
  else for (let i = 0; i < len; i++) out[p + i] = src[from + i]!;
}

/** Writes the 236-byte header; `skipSname`/`skipFile` leave overloaded fields to the caller. */
function writeHeader(
  msg: DhcpMessage,
  out: Uint8Array,
  o: number,
  skipSname: boolean,
  skipFile: boolean,
): void {
  need(out, o + 236);
  out[o] = msg.op;
  out[o + 1] = msg.htype;
  out[o + 2] = msg.hlen;
  out[o + 3] = msg.hops;
  put32(out, o + 4, msg.xid);
  out[o + 8] = msg.secs >>> 8;
  out[o + 9] = msg.secs & 0xff;
  out[o + 10] = msg.flags >>> 8;
  out[o + 11] = msg.flags & 0xff;
  put32(out, o + 12, msg.a0);
  put32(out, o + 16, msg.a1);
  put32(out, o + 20, msg.a2);
  put32(out, o + 24, msg.a3);
  const src = msg.src;
  if (msg.chaddrUntouched) {
    if (src !== undefined) copy(src, 28, 16, out, o + 28);
    else zero(out, o + 28, o + 44);
  } else {
    const ch = msg.chaddr;
    // Keep the decoded field's bytes after chaddr when chaddr itself is unchanged.
    if (src !== undefined && bytesEqual(src.subarray(28, 28 + ch.length), ch)) {
      copy(src, 28, 16, out, o + 28);
    } else {
      copy(ch, 0, ch.length, out, o + 28);
      zero(out, o + 28 + ch.length, o + 44);
    }
  }
  // A field that held options in the decoded input is not text: never copy it as such.
  const ov = msg.srcOverload;
  const sSrc = ov & 2 ? undefined : src;
  const fSrc = ov & 1 ? undefined : src;
  if (!skipSname) writeField(msg.snameBytes, msg.snameText, sSrc, 44, 64, out, o);
  if (!skipFile) writeField(msg.fileBytes, msg.fileText, fSrc, 108, 128, out, o);
}

function writeField(
  bytes: Uint8Array | undefined,
  text: string | undefined,
  src: Uint8Array | undefined,
  at: number,
  size: number,
  out: Uint8Array,
  o: number,
): void {
  if (bytes === undefined || (src !== undefined && cText(src, at, at + size) === text)) {
    // Unchanged since decode: write the original field (bytes after the NUL included).
    if (src !== undefined) copy(src, at, size, out, o + at);
    else out.fill(0, o + at, o + at + size);
    return;
  }
  out.set(bytes, o + at);
}

function writeCookie(out: Uint8Array, p: number): void {
  need(out, p + 4);
  out[p] = 0x63;
  out[p + 1] = 0x82;
  out[p + 2] = 0x53;
  out[p + 3] = 0x63;
}

/** Writes option `code` with value `raw` (split over 255 bytes) at `p`; returns the new position. */
function writeOption(code: number, raw: Uint8Array, out: Uint8Array, p: number): number {
  const len = raw.length;
  if (len <= 255) {
    if (p + 2 + len > out.length) need(out, p + 2 + len);
    out[p] = code;
    out[p + 1] = len;
    copy(raw, 0, len, out, p + 2);
    return p + 2 + len;
  }
  let q = 0;
  while (q < len) {
    const l = Math.min(255, len - q);
    need(out, p + 2 + l);
    out[p] = code;
    out[p + 1] = l;
    copy(raw, q, l, out, p + 2);
    p += 2 + l;
    q += l;
  }
  return p;
}

function optionSize(e: Entry): number {
  const len = e.raw!.length;
  return len + 2 * Math.max(1, Math.ceil(len / 255));
}

function encodeCanonical(
  msg: DhcpMessage,
  out: Uint8Array,
  offset: number,
  options: EncodeOptions | undefined,
): number {
  const list = msg.options.list;
  const minSize = options?.minSize ?? BOOTP_MIN_LENGTH;
  const maxSize = options?.maxSize;
  if (!msg.cookie) {
    if (list.length > 0) {
      throw new DhcpError("bad-value", "a BOOTP message without cookie has no options");
    }
    writeHeader(msg, out, offset, false, false);
    const end = Math.max(offset + 236, offset + minSize);
    need(out, end);
    out.fill(0, offset + 236, end);
    return end - offset;
  }
  if (maxSize !== undefined) {
    let total = 241;
    for (const e of list) if (e.code !== 52) total += optionSize(e);
    if (total > maxSize) return encodeOverloaded(msg, out, offset, options, maxSize);
  }
  writeHeader(msg, out, offset, false, false);
  writeCookie(out, offset + 236);
  let p = offset + 240;
  let i60 = -1;
  let i43 = -1;
  let has54 = false;
  let has82 = false;
  for (let i = 0; i < list.length; i++) {
    const c = list[i]!.code;
    if (c === 53) p = writeOption(53, list[i]!.raw!, out, p);
    else if (c === 60) i60 = i;
    else if (c === 43) i43 = i;
    else if (c === 54) has54 = true;
    else if (c === 82) has82 = true;
  }
  if (has54) {
    for (let i = 0; i < list.length; i++) {
      if (list[i]!.code === 54) p = writeOption(54, list[i]!.raw!, out, p);
    }
  }
  const moved60 = i60 > i43 && i43 >= 0;
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    const c = e.code;
    // 52 is the encoder's own business: written only when it overloads sname/file.
    if (c === 53 || c === 54 || c === 82 || c === 52) continue;
    if (c === 60 && moved60) continue;
    if (c === 43 && moved60) p = writeOption(60, list[i60]!.raw!, out, p);
    p = writeOption(c, e.raw!, out, p);
  }
  if (has82) {
    for (let i = 0; i < list.length; i++) {
      if (list[i]!.code === 82) p = writeOption(82, list[i]!.raw!, out, p);
    }
  }
  need(out, p + 1);
  out[p++] = 255;
  const end = offset + minSize;
  if (p < end) {
    need(out, end);
    zero(out, p, end);
    p = end;
  }
  return p - offset;
}

/** Canonical order of entries, as encodeCanonical writes them (52 left out). */
function canonicalOrder(list: readonly Entry[]): Entry[] {
  const out: Entry[] = [];
  let i60 = -1;
  let i43 = -1;
  list.forEach((e, i) => {
    if (e.code === 60) i60 = i;
    if (e.code === 43) i43 = i;
  });
  const moved60 = i60 > i43 && i43 >= 0;
  for (const e of list) if (e.code === 53) out.push(e);
  for (const e of list) if (e.code === 54) out.push(e);
  for (const e of list) {
    if (e.code === 53 || e.code === 54 || e.code === 82 || e.code === 52) continue;
    if (e.code === 60 && moved60) continue;
    if (e.code === 43 && moved60) out.push(list[i60]!);
    out.push(e);
  }
  for (const e of list) if (e.code === 82) out.push(e);
  return out;
}

interface Piece {
  code: number;
  data: Uint8Array;
}

function encodeOverloaded(
  msg: DhcpMessage,
  out: Uint8Array,
  offset: number,
  options: EncodeOptions | undefined,
  maxSize: number,
): number {
  if (options?.overload === false) {
    throw new DhcpError("too-big", `options do not fit in ${maxSize} bytes and overload is off`);
  }
  // Instances (<= 255 bytes each) in canonical order.
  const pieces: Piece[] = [];
  for (const e of canonicalOrder(msg.options.list)) {
    const bytes = e.raw!;
    let q = 0;
    do {
      pieces.push({ code: e.code, data: bytes.subarray(q, q + 255) });
      q += 255;
    } while (q < bytes.length);
  }
  const lead = pieces.findIndex((x) => x.code !== 53 && x.code !== 54);
  const areas: Piece[][] = [[], [], []];
  const caps = [maxSize - 240 - 1 - 3, msg.file === "" ? 127 : -1, msg.sname === "" ? 63 : -1];
  const used = [0, 0, 0];
  let a = 0;
  pieces.forEach((x, i) => {
    const size = 2 + x.data.length;
    if (i < (lead < 0 ? pieces.length : lead)) {
      areas[0]!.push(x);
      used[0]! += size;
      return;
    }
    while (a < 3 && used[a]! + size > caps[a]!) a++;
    if (a >= 3) {
      throw new DhcpError(
        "too-big",
        `options do not fit in ${maxSize} bytes even with overload`,
        undefined,
        { optionCode: x.code },
      );
    }
    areas[a]!.push(x);
    used[a]! += size;
  });
  if (used[0]! > caps[0]!) {
    throw new DhcpError("too-big", `options do not fit in ${maxSize} bytes even with overload`);
  }
  const ov = (areas[1]!.length > 0 ? 1 : 0) | (areas[2]!.length > 0 ? 2 : 0);
  if (ov !== 0) {
    const at = lead < 0 ? areas[0]!.length : lead;
    areas[0]!.splice(at, 0, { code: 52, data: Uint8Array.of(ov) });
  }
  writeHeader(msg, out, offset, (ov & 2) !== 0, (ov & 1) !== 0);
  writeCookie(out, offset + 236);
  const writeArea = (ps: Piece[], start: number, end: number | undefined): number => {
    let p = start;
    for (const x of ps) p = writeOption(x.code, x.data, out, p);
    need(out, p + 1);
    out[p++] = 255;
    if (end !== undefined) out.fill(0, p, end);
    return p;
  };
  if (ov & 1) writeArea(areas[1]!, offset + 108, offset + 236);
  if (ov & 2) writeArea(areas[2]!, offset + 44, offset + 108);
  let p = writeArea(areas[0]!, offset + 240, undefined);
  const end = offset + Math.min(options?.minSize ?? BOOTP_MIN_LENGTH, maxSize);
  if (p < end) {
    need(out, end);
    zero(out, p, end);
    p = end;
  }
  return p - offset;
}

/**
 * Re-encodes following the decoded layout. Returns -1 when the layout cannot be followed (an
 * option inside overloaded `sname`/`file` changed, an overloaded field was set, the cookie flag
 * changed, or `maxSize` asks for less); the caller then encodes canonically.
 */
function encodeWithLayout(
  msg: DhcpMessage,
  layout: Layout,
  out: Uint8Array,
  offset: number,
  options: EncodeOptions | undefined,
): number {
  const list = msg.options.list;
  const view = layout.view;
  const src = view.bytes;
  const n = view.entryCount;
  if (msg.cookie !== layout.cookie) return -1;
  const ov = layout.overload;
  if ((ov & 1 && msg.fileBytes !== undefined) || (ov & 2 && msg.snameBytes !== undefined)) {
    return -1;
  }
  // Per-code total length in the layout; codes inside overloaded areas must be unchanged.
  const layoutLen = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    if (view.entryKind(i) !== EntryKind.option) continue;
    const c = view.entryCode(i);
    layoutLen.set(c, (layoutLen.get(c) ?? 0) + view.entryLength(i));
  }
  const byCode = new Map<number, Entry>();
  for (const e of list) byCode.set(e.code, e);
  for (let i = 0; i < n; i++) {
    if (view.entryKind(i) !== EntryKind.option || view.entryArea(i) === OptionArea.options)
      continue;
    const e = byCode.get(view.entryCode(i));
    if (e === undefined || e.raw!.length !== layoutLen.get(e.code)) return -1;
  }
  if (options?.maxSize !== undefined) {
    let total = 240;
    for (let i = 0; i < n; i++) {
      if (view.entryArea(i) !== OptionArea.options) continue;
      total += view.entryLength(i) + (view.entryKind(i) === EntryKind.option ? 2 : 0);
      total += view.entryKind(i) === EntryKind.end ? 1 : 0;
    }
    for (const e of list) {
      if (!layoutLen.has(e.code) || e.raw!.length !== layoutLen.get(e.code)) total += optionSize(e);
    }
    if (total > options.maxSize) return -1;
  }
  writeHeader(msg, out, offset, (ov & 2) !== 0, (ov & 1) !== 0);
  if (!msg.cookie) {
    const len = src.length - 236;
    need(out, offset + 236 + len);
    copy(src, 236, len, out, offset + 236);
    return 236 + len;
  }
  writeCookie(out, offset + 236);
  const cursor = new Map<number, number>();
  const done = new Set<number>();
  const newOnes = list.filter((e) => !layoutLen.has(e.code));
  let insertAt = -1;
  for (let i = 0; i < n && insertAt < 0; i++) {
    if (view.entryArea(i) !== OptionArea.options) continue;
    const k = view.entryKind(i);
    if ((k === EntryKind.option && view.entryCode(i) === 82) || k === EntryKind.end) insertAt = i;
  }
  const pos = [offset + 240, offset + 108, offset + 44];
  const writeNew = (): void => {
    for (const e of newOnes) pos[0] = writeOption(e.code, e.raw!, out, pos[0]!);
  };
  for (let i = 0; i < n; i++) {
    if (i === insertAt) writeNew();
    const area = view.entryArea(i);
    const kind = view.entryKind(i);
    const len = view.entryLength(i);
    const p = pos[area]!;
    if (kind !== EntryKind.option) {
      const at = view.entryOffset(i);
      const total = kind === EntryKind.end ? 1 : len;
      need(out, p + total);
      copy(src, at, total, out, p);
      pos[area] = p + total;
      continue;
    }
    const code = view.entryCode(i);
    const e = byCode.get(code);
    if (e === undefined || done.has(code)) continue;
    const raw = e.raw!;
    if (raw.length === layoutLen.get(code)) {
      const from = cursor.get(code) ?? 0;
      need(out, p + 2 + len);
      out[p] = code;
      out[p + 1] = len;
      copy(raw, from, len, out, p + 2);
      cursor.set(code, from + len);
      pos[area] = p + 2 + len;
    } else {
      pos[area] = writeOption(code, raw, out, p);
      done.add(code);
    }
  }
  if (insertAt < 0) writeNew();
  let p = pos[0]!;
  const minLen = src.length >= BOOTP_MIN_LENGTH ? (options?.minSize ?? BOOTP_MIN_LENGTH) : 0;
  if (p < offset + minLen) {
    need(out, offset + minLen);
    out.fill(0, p, offset + minLen);
    p = offset + minLen;
  }
  return p - offset;
}

export type { SubOption };

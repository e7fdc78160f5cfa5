import { DhcpError, type DhcpErrorCode } from "./errors.js";

/**
 * What a codec's `decode` is given besides the value bytes: where the value sits in the message
 * (for error offsets) and a `warn` callback for irregular-but-usable values. In strict mode `warn`
 * throws a {@link DhcpError}; in lenient mode it records a warning and returns.
 */
export interface DecodeContext {
  /** The option code being decoded. */
  readonly code: number;
  /** Absolute offset in the message of the first value byte (of the first instance). */
  readonly offset: number;
  /** True when irregularities must be errors. */
  readonly strict: boolean;
  /** Reports an irregularity at `offset + relOffset` (throws in strict mode). */
  warn(code: DhcpErrorCode, message: string, relOffset?: number): void;
}

/**
 * A typed codec for one DHCPv4 option code: the extension point of the registry.
 *
 * - `decode` receives the whole (RFC 3396-concatenated) value and returns a typed value; it throws
 *   {@link DhcpError} (with `optionCode` and an offset, see {@link optionError}) when the bytes
 *   cannot be a value of this option. It must never throw anything else on any input.
 * - `encodingLength` and `encodeInto` write the value bytes only (no code/length header; the
 *   message encoder adds those and splits values over 255 bytes). `encodeInto` returns the number
 *   of bytes written, which equals `encodingLength(value)`.
 * - `decode(encode(v))` must deep-equal `v` for every valid `v`.
 *
 * @typeParam T - the decoded value type.
 */
export interface OptionCodec<T = unknown> {
  /** Option code, 1-254. */
  readonly code: number;
  /** camelCase name (`"vendorClassIdentifier"`), used in JSON and human output. */
  readonly name: string;
  /** Decodes a value; throws {@link DhcpError} when the bytes cannot be one. */
  decode(data: Uint8Array, ctx: DecodeContext): T;
  /**
   * Optional fast path: decodes the value held in `bytes[offset, offset + length)` without a
   * subarray. Must return exactly what `decode(bytes.subarray(offset, offset + length), ctx)`
   * returns (the decoder uses it for single-instance values read straight from the input).
   */
  decodeAt?(bytes: Uint8Array, offset: number, length: number, ctx: DecodeContext): T;
  /** Bytes `encodeInto` will write for `value`. */
  encodingLength(value: T): number;
  /** Writes `value` at `out[offset]`; returns the number of bytes written. */
  encodeInto(value: T, out: Uint8Array, offset: number): number;
  /** Optional JSON-friendly form of a value (default: bytes become hex strings). */
  toJSON?(value: T): unknown;
}

/** Builds the {@link DhcpError} a codec throws for `ctx`'s option at relative offset `rel`. */
export function optionError(
  ctx: DecodeContext,
  code: DhcpErrorCode,
  message: string,
  rel = 0,
): DhcpError {
  return new DhcpError(code, message, ctx.offset + rel, { optionCode: ctx.code });
}

/**
 * A table of option codecs by code. Registries are plain objects: create one from another to
 * extend or override codecs without touching the original (`new OptionRegistry(defaultRegistry)`
 * or `defaultRegistry.extend(codec...)`), so registration is never forced to be a global side
 * effect. Codes without a codec decode to raw `Uint8Array` bytes and round-trip unchanged.
 */
export class OptionRegistry {
  private readonly codecs: Array<OptionCodec<unknown> | undefined>;
  private locked = false;

  /** A new registry holding the codecs of `base` (if given) and then `codecs`. */
  constructor(base?: OptionRegistry, codecs: readonly OptionCodec<unknown>[] = []) {
    this.codecs = base ? base.codecs.slice() : new Array(256).fill(undefined);
    for (const c of codecs) this.register(c);
  }

  /** Adds or replaces the codec for `codec.code`. Returns `this` for chaining. */
  register<T>(codec: OptionCodec<T>): this {
    if (this.locked) {
      throw new DhcpError("locked", "this registry is locked; extend it instead", undefined, {
        optionCode: codec.code,
      });
    }
    if (!Number.isInteger(codec.code) || codec.code < 1 || codec.code > 254) {
      throw new DhcpError("bad-value", `option code must be 1-254, got ${codec.code}`);
    }
    this.codecs[codec.code] = codec as OptionCodec<unknown>;
    return this;
  }

  /** A new registry with this one's codecs plus (overriding) `codecs`. */
  extend(...codecs: readonly OptionCodec<unknown>[]): OptionRegistry {
    return new OptionRegistry(this, codecs);
  }

  /** Makes {@link OptionRegistry.register} throw from now on (the default registry is locked). */
  lock(): this {
    this.locked = true;
    return this;
  }

  /** The codec for `code`, if any. */
  get(code: number): OptionCodec<unknown> | undefined {
    return this.codecs[code];
  }

  /** The codec's name, or `option<N>` (`pad`/`end` for 0/255). */
  name(code: number): string {
    if (code === 0) return "pad";
    if (code === 255) return "end";
    return this.codecs[code]?.name ?? `option${code}`;
  }

  /** Codes that have a codec, ascending. */
  codes(): number[] {
    const out: number[] = [];
    for (let i = 1; i < 255; i++) if (this.codecs[i]) out.push(i);
    return out;
  }
}

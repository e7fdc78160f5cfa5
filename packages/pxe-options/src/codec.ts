import { checkRange } from "./bytes.js";

/** Options accepted by every decoder of this package. */
export interface DecodeOptions {
  /**
   * When true, structurally valid but semantically wrong parts (a known sub-option with the wrong
   * length, say) are kept as raw bytes instead of throwing. Framing errors (a sub-option running
   * past the end of its option) always throw. Default false.
   */
  readonly lenient?: boolean;
}

/**
 * A typed codec for the value of one DHCP option (the bytes after code and length).
 *
 * `decode` reads `length` bytes of `view` from `offset` (absolute offsets in errors), `encodingLength`
 * says how many bytes `encode` will write and `encode` writes them into `target` at `offset` (or a
 * fresh array). For every value `v` a codec accepts, `decode(encode(v))` equals `v`.
 */
export interface OptionCodec<T> {
  /** DHCP option code. */
  readonly code: number;
  /** Short kebab-case name, e.g. `"client-system-architecture"`. */
  readonly name: string;
  /** Decodes an option value; throws {@link PxeOptionsError} with the absolute offset on bad input. */
  decode(view: Uint8Array, offset?: number, length?: number, options?: DecodeOptions): T;
  /** Number of bytes {@link OptionCodec.encode} writes for `value`. */
  encodingLength(value: T): number;
  /** Encodes `value`; returns the written bytes (a view of `target` when one is given). */
  encode(value: T, target?: Uint8Array, offset?: number): Uint8Array;
}

/** Builds a codec from its three primitive functions, handling the target/offset plumbing. */
export function defineCodec<T>(spec: {
  code: number;
  name: string;
  decode: (view: Uint8Array, start: number, end: number, options: DecodeOptions) => T;
  encodingLength: (value: T) => number;
  write: (value: T, out: Uint8Array, at: number) => void;
}): OptionCodec<T> {
  return {
    code: spec.code,
    name: spec.name,
    decode(view, offset = 0, length, options = {}) {
      const end = checkRange(view, offset, length);
      return spec.decode(view, offset, end, options);
    },
    encodingLength: spec.encodingLength,
    encode(value, target, offset = 0) {
      const n = spec.encodingLength(value);
      const out = target ?? new Uint8Array(n);
      checkRange(out, offset, n);
      spec.write(value, out, offset);
      return out.subarray(offset, offset + n);
    },
  };
}

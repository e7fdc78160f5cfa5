import {
  checkLatin1,
  checkUint,
  ipv4,
  latin1,
  putIpv4,
  putLatin1,
  putU16,
  putU32,
  u16,
  u32,
} from "./bytes.js";
import { type DecodeOptions, defineCodec, type OptionCodec } from "./codec.js";
import { PxeOptionsError } from "./errors.js";

/**
 * A value shape: how one kind of sub-option value is laid out. `decode` returns undefined when the
 * bytes do not fit the shape (the caller turns that into an error or a raw sub-option).
 */
export interface Shape<T> {
  /** Human description of the layout, used in error messages. */
  readonly layout: string;
  decode(view: Uint8Array, start: number, end: number): T | undefined;
  length(value: T): number;
  write(value: T, out: Uint8Array, at: number, what: string): void;
}

function fixed<T>(
  n: number,
  layout: string,
  decode: (v: Uint8Array, i: number) => T,
  write: (v: T, out: Uint8Array, at: number, what: string) => void,
): Shape<T> {
  return {
    layout,
    decode: (v, s, e) => (e - s === n ? decode(v, s) : undefined),
    length: () => n,
    write,
  };
}

/** Unsigned byte. */
export const U8: Shape<number> = fixed(
  1,
  "1 byte",
  (v, i) => v[i] ?? 0,
  (x, out, at, what) => {
    checkUint(x, 0xff, what);
    out[at] = x;
  },
);
/** Signed byte. */
export const I8: Shape<number> = fixed(
  1,
  "1 signed byte",
  (v, i) => ((v[i] ?? 0) << 24) >> 24,
  (x, out, at, what) => {
    if (!Number.isInteger(x) || x < -128 || x > 127) {
      throw new PxeOptionsError("bad-value", `${what} must be an integer in -128..127, got ${x}`);
    }
    out[at] = x & 0xff;
  },
);
/** Big-endian u16. */
export const U16: Shape<number> = fixed(
  2,
  "2 bytes",
  (v, i) => u16(v, i),
  (x, out, at, what) => {
    checkUint(x, 0xffff, what);
    putU16(out, at, x);
  },
);
/** Big-endian u32. */
export const U32: Shape<number> = fixed(
  4,
  "4 bytes",
  (v, i) => u32(v, i),
  (x, out, at, what) => {
    checkUint(x, 0xffffffff, what);
    putU32(out, at, x);
  },
);
/** IPv4 address as a dotted quad. */
export const IPV4: Shape<string> = fixed(
  4,
  "an IPv4 address (4 bytes)",
  (v, i) => ipv4(v, i),
  (x, out, at, what) => putIpv4(out, at, x, what),
);
/** Binary string (one character per byte), any length. */
export const TEXT: Shape<string> = {
  layout: "text",
  decode: (v, s, e) => latin1(v, s, e),
  length: (x) => x.length,
  write: (x, out, at, what) => {
    checkLatin1(x, what);
    putLatin1(out, at, x, what);
  },
};
/** Raw bytes, zero-copy on decode. */
export const BYTES: Shape<Uint8Array> = {
  layout: "bytes",
  decode: (v, s, e) => v.subarray(s, e),
  length: (x) => x.length,
  write: (x, out, at) => out.set(x, at),
};
/** List of big-endian u32. */
export const U32_LIST: Shape<number[]> = {
  layout: "a list of 4-byte values",
  decode: (v, s, e) => {
    if ((e - s) % 4 !== 0) return undefined;
    const out: number[] = [];
    for (let i = s; i < e; i += 4) out.push(u32(v, i));
    return out;
  },
  length: (x) => 4 * x.length,
  write: (x, out, at, what) =>
    x.forEach((n, k) => {
      checkUint(n, 0xffffffff, what);
      putU32(out, at + 4 * k, n);
    }),
};

/** One sub-option of an encapsulated option, as decoded. */
export interface SubOptionBase<N extends string, V> {
  /** Sub-option code. */
  readonly code: number;
  /** Sub-option name from the space's table (`"raw"` for unknown or kept-raw sub-options). */
  readonly name: N;
  /** Typed value. */
  readonly value: V;
}

/** Union of sub-option entries for a name-to-value-type map. */
export type SubOptionOf<M> = {
  [K in keyof M & string]: SubOptionBase<K, M[K]>;
}[keyof M & string];

/** A decoded encapsulated option: its sub-options in wire order, and whether an End (255) closed it. */
export interface Encapsulated<S> {
  /** Sub-options in wire order (Pad bytes dropped). */
  readonly options: readonly S[];
  /** True when the value was terminated by sub-option 255 (End); encoding writes End when true. */
  readonly end: boolean;
}

/** Definition of one sub-option of a space. */
export interface SubOptionDef {
  readonly name: string;
  readonly shape: Shape<unknown>;
}

/**
 * Builds a codec for an encapsulated option whose sub-options are TLVs (code, length, value), with
 * 0 = Pad and 255 = End, typed by `defs` (code -> name + shape). Unknown codes are kept as
 * `{ name: "raw", value: bytes }`.
 */
export function encapsulatedCodec<S extends { code: number; name: string; value: unknown }>(
  code: number,
  name: string,
  what: string,
  defs: ReadonlyMap<number, SubOptionDef>,
): OptionCodec<Encapsulated<S>> {
  const decode = (
    view: Uint8Array,
    start: number,
    end: number,
    opts: DecodeOptions,
  ): Encapsulated<S> => {
    const options: S[] = [];
    let i = start;
    let sawEnd = false;
    while (i < end) {
      const c = view[i] ?? 0;
      if (c === 0) {
        i++;
        continue;
      }
      if (c === 255) {
        sawEnd = true;
        break;
      }
      if (i + 1 >= end) {
        throw new PxeOptionsError("truncated", `${what} sub-option ${c} has no length byte`, i);
      }
      const len = view[i + 1] ?? 0;
      if (i + 2 + len > end) {
        throw new PxeOptionsError(
          "truncated",
          `${what} sub-option ${c} claims ${len} bytes but only ${end - i - 2} remain`,
          i,
        );
      }
      const def = defs.get(c);
      let entry: { code: number; name: string; value: unknown } | undefined;
      if (def) {
        const v = def.shape.decode(view, i + 2, i + 2 + len);
        if (v !== undefined) entry = { code: c, name: def.name, value: v };
        else if (!opts.lenient) {
          throw new PxeOptionsError(
            "bad-length",
            `${what} sub-option ${c} (${def.name}) must be ${def.shape.layout}, got ${len} bytes`,
            i,
          );
        }
      }
      options.push(
        (entry ?? { code: c, name: "raw", value: view.subarray(i + 2, i + 2 + len) }) as S,
      );
      i += 2 + len;
    }
    return { options, end: sawEnd };
  };
  const shapeOf = (o: S): Shape<unknown> => {
    if (o.name === "raw") return BYTES as Shape<unknown>;
    const def = defs.get(o.code);
    if (!def || def.name !== o.name) {
      throw new PxeOptionsError(
        "bad-value",
        `${what} sub-option ${o.code} is not named ${JSON.stringify(o.name)}`,
      );
    }
    return def.shape;
  };
  const encodingLength = (v: Encapsulated<S>): number => {
    let n = v.end ? 1 : 0;
    for (const o of v.options) n += 2 + shapeOf(o).length(o.value);
    return n;
  };
  const write = (v: Encapsulated<S>, out: Uint8Array, at: number): void => {
    let i = at;
    for (const o of v.options) {
      checkUint(o.code, 254, `${what} sub-option code`);
      if (o.code === 0) throw new PxeOptionsError("bad-value", `${what} sub-option code 0 is Pad`);
      const shape = shapeOf(o);
      const len = shape.length(o.value);
      if (len > 255) {
        throw new PxeOptionsError(
          "too-long",
          `${what} sub-option ${o.code} (${o.name}) is ${len} bytes; a sub-option holds at most 255`,
        );
      }
      out[i] = o.code;
      out[i + 1] = len;
      shape.write(o.value, out, i + 2, `${what} sub-option ${o.code} (${o.name})`);
      i += 2 + len;
    }
    if (v.end) out[i] = 255;
  };
  return defineCodec<Encapsulated<S>>({ code, name, decode, encodingLength, write });
}

/** First sub-option named `name`, typed. */
export function findSub<M, K extends keyof M & string>(
  enc: Encapsulated<SubOptionOf<M>> | undefined,
  name: K,
): M[K] | undefined {
  if (!enc) return undefined;
  for (const o of enc.options) if (o.name === name) return o.value as M[K];
  return undefined;
}

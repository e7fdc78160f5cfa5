import { decodeText, ipv4ToString, toHex, utf8Encode, utf8Length, writeIpv4 } from "./bytes.js";
import { DhcpError } from "./errors.js";
import { type DecodeContext, type OptionCodec, optionError } from "./registry.js";

// ---------------------------------------------------------------------------------------------
// Primitive codec factories. Each returns a plain object implementing OptionCodec<T>.
// ---------------------------------------------------------------------------------------------

function badValue(code: number, message: string): DhcpError {
  return new DhcpError("bad-value", message, undefined, { optionCode: code });
}

function checkFixed(data: Uint8Array, size: number, ctx: DecodeContext): void {
  checkFixedLen(data.length, size, ctx);
}

function checkFixedLen(len: number, size: number, ctx: DecodeContext): void {
  if (len === size) return;
  if (len > size && len % size === 0) {
    ctx.warn(
      "repeated-fixed",
      `fixed ${size}-byte option repeated ${len / size} times; using the first`,
      size,
    );
    return;
  }
  throw optionError(ctx, "bad-length", `expected ${size} bytes, got ${len}`);
}

function checkList(len: number, size: number, ctx: DecodeContext, min = 1): void {
  if (len % size !== 0 || len < min * size) {
    throw optionError(
      ctx,
      "bad-length",
      `expected a multiple of ${size} bytes (at least ${min * size}), got ${len}`,
    );
  }
}

function checkUint(code: number, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw badValue(code, `expected an integer 0-${max}, got ${v}`);
  }
}

/** Option holding one IPv4 address (dotted-quad string). */
export function ipv4Option(code: number, name: string): OptionCodec<string> {
  return {
    code,
    name,
    decode(d, ctx) {
      checkFixed(d, 4, ctx);
      return ipv4ToString(d, 0);
    },
    decodeAt(b, o, l, ctx) {
      checkFixedLen(l, 4, ctx);
      return ipv4ToString(b, o);
    },
    encodingLength: () => 4,
    encodeInto(v, out, off) {
      writeIpv4(v, out, off, code);
      return 4;
    },
  };
}

/** Option holding a list of IPv4 addresses (at least `min`, default 1). */
export function ipv4ListOption(
  code: number,
  name: string,
  min = 1,
): OptionCodec<readonly string[]> {
  return {
    code,
    name,
    decode(d, ctx) {
      checkList(d.length, 4, ctx, min);
      const out: string[] = [];
      for (let i = 0; i < d.length; i += 4) out.push(ipv4ToString(d, i));
      return out;
    },
    encodingLength: (v) => v.length * 4,
    encodeInto(v, out, off) {
      for (let i = 0; i < v.length; i++) writeIpv4(v[i]!, out, off + 4 * i, code);
      return v.length * 4;
    },
  };
}

/** A pair of IPv4 addresses (policy filter address/mask, static route destination/router). */
export interface Ipv4Pair {
  readonly address: string;
  readonly second: string;
}

/** Option holding a list of address pairs (options 21 and 33). */
export function ipv4PairListOption(code: number, name: string): OptionCodec<readonly Ipv4Pair[]> {
  return {
    code,
    name,
    decode(d, ctx) {
      checkList(d.length, 8, ctx);
      const out: Ipv4Pair[] = [];
      for (let i = 0; i < d.length; i += 8) {
        out.push({ address: ipv4ToString(d, i), second: ipv4ToString(d, i + 4) });
      }
      return out;
    },
    encodingLength: (v) => v.length * 8,
    encodeInto(v, out, off) {
      for (let i = 0; i < v.length; i++) {
        writeIpv4(v[i]!.address, out, off + 8 * i, code);
        writeIpv4(v[i]!.second, out, off + 8 * i + 4, code);
      }
      return v.length * 8;
    },
  };
}

/** Option holding one unsigned integer of `size` bytes (1, 2 or 4), big-endian. */
export function uintOption(code: number, name: string, size: 1 | 2 | 4): OptionCodec<number> {
  const max = size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
  return {
    code,
    name,
    decode(d, ctx) {
      checkFixed(d, size, ctx);
      return readUint(d, 0, size);
    },
    decodeAt(b, o, l, ctx) {
      checkFixedLen(l, size, ctx);
      return readUint(b, o, size);
    },
    encodingLength: () => size,
    encodeInto(v, out, off) {
      checkUint(code, v, max);
      writeUint(v, out, off, size);
      return size;
    },
  };
}

/** Option holding a signed 32-bit integer (option 2, time offset). */
export function int32Option(code: number, name: string): OptionCodec<number> {
  return {
    code,
    name,
    decode(d, ctx) {
      checkFixed(d, 4, ctx);
      return readUint(d, 0, 4) | 0;
    },
    encodingLength: () => 4,
    encodeInto(v, out, off) {
      if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
        throw badValue(code, `expected a signed 32-bit integer, got ${v}`);
      }
      writeUint(v >>> 0, out, off, 4);
      return 4;
    },
  };
}

/** Option holding a list of unsigned integers of `size` bytes (at least `min`, default 1). */
export function uintListOption(
  code: number,
  name: string,
  size: 1 | 2 | 4,
  min = 1,
): OptionCodec<readonly number[]> {
  const max = size === 1 ? 0xff : size === 2 ? 0xffff : 0xffffffff;
  const listAt = (d: Uint8Array, o: number, l: number, ctx: DecodeContext): number[] => {
    checkList(l, size, ctx, min);
    const out = new Array<number>(l / size);
    if (size === 1) for (let k = 0; k < l; k++) out[k] = d[o + k]!;
    else if (size === 2)
      for (let k = 0, i = o; k < out.length; k++, i += 2) out[k] = (d[i]! << 8) | d[i + 1]!;
    else for (let k = 0, i = o; k < out.length; k++, i += 4) out[k] = readUint(d, i, 4);
    return out;
  };
  return {
    code,
    name,
    decode: (d, ctx) => listAt(d, 0, d.length, ctx),
    decodeAt: listAt,
    encodingLength: (v) => v.length * size,
    encodeInto(v, out, off) {
      for (let i = 0; i < v.length; i++) {
        checkUint(code, v[i]!, max);
        writeUint(v[i]!, out, off + i * size, size);
      }
      return v.length * size;
    },
  };
}

/** Option holding a boolean byte (0 or 1). */
export function flagOption(code: number, name: string): OptionCodec<boolean> {
  return {
    code,
    name,
    decode(d, ctx) {
      checkFixed(d, 1, ctx);
      if (d[0]! > 1) throw optionError(ctx, "bad-value", `expected 0 or 1, got ${d[0]}`);
      return d[0] === 1;
    },
    encodingLength: () => 1,
    encodeInto(v, out, off) {
      out[off] = v ? 1 : 0;
      return 1;
    },
  };
}

/** Option holding text (UTF-8 when valid, else Latin-1), at least `min` bytes (default 1). */
export function textOption(code: number, name: string, min = 1): OptionCodec<string> {
  return {
    code,
    name,
    decode(d, ctx) {
      if (d.length < min) {
        throw optionError(ctx, "bad-length", `expected at least ${min} bytes, got ${d.length}`);
      }
      return decodeText(d);
    },
    decodeAt(b, o, l, ctx) {
      if (l < min) throw optionError(ctx, "bad-length", `expected at least ${min} bytes, got ${l}`);
      return decodeText(b, o, o + l);
    },
    encodingLength: (v) => utf8Length(v),
    encodeInto: (v, out, off) => utf8Encode(v, out, off),
  };
}

/** Option holding opaque bytes (at least `min`, default 0). JSON form: lower-case hex. */
export function bytesOption(code: number, name: string, min = 0): OptionCodec<Uint8Array> {
  return {
    code,
    name,
    decode(d, ctx) {
      if (d.length < min) {
        throw optionError(ctx, "bad-length", `expected at least ${min} bytes, got ${d.length}`);
      }
      return d;
    },
    encodingLength: (v) => v.length,
    encodeInto(v, out, off) {
      out.set(v, off);
      return v.length;
    },
    toJSON: (v) => toHex(v),
  };
}

/** Option that must be empty (80 Rapid Commit): decodes to `true`. */
export function emptyOption(code: number, name: string): OptionCodec<true> {
  return {
    code,
    name,
    decode(d, ctx) {
      if (d.length !== 0) throw optionError(ctx, "bad-length", `expected 0 bytes, got ${d.length}`);
      return true;
    },
    encodingLength: () => 0,
    encodeInto: () => 0,
  };
}

/** DHCP message types (option 53), RFC 2132 §9.6, RFC 4388, RFC 6926, RFC 7724. */
export const MessageType = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
  FORCERENEW: 9,
  LEASEQUERY: 10,
  LEASEUNASSIGNED: 11,
  LEASEUNKNOWN: 12,
  LEASEACTIVE: 13,
  BULKLEASEQUERY: 14,
  LEASEQUERYDONE: 15,
  ACTIVELEASEQUERY: 16,
  LEASEQUERYSTATUS: 17,
  TLS: 18,
} as const;
/** A DHCP message type number (known or not). */
export type MessageType = (typeof MessageType)[keyof typeof MessageType] | (number & {});

const MESSAGE_TYPE_NAMES: string[] = [];
for (const [k, v] of Object.entries(MessageType)) MESSAGE_TYPE_NAMES[v] = k;

/** Upper-case name of a message type (`"DISCOVER"`), `"BOOTP"` for `undefined`, else `TYPE<n>`. */
export function messageTypeName(type: number | undefined): string {
  if (type === undefined) return "BOOTP";
  return MESSAGE_TYPE_NAMES[type] ?? `TYPE${type}`;
}

/** Option 55: parameter request list, with the lenient handling of junk codes 0/255 in it. */
export function parameterListOption(code: number, name: string): OptionCodec<readonly number[]> {
  const inner = uintListOption(code, name, 1);
  const prlAt = (d: Uint8Array, o: number, l: number, ctx: DecodeContext): number[] => {
    if (l === 0) throw optionError(ctx, "bad-length", "empty parameter request list");
    const out = new Array<number>(l);
    let junk = -1;
    for (let i = 0; i < l; i++) {
      const c = d[o + i]!;
      if ((c === 0 || c === 255) && junk < 0) junk = i;
      out[i] = c;
    }
    if (junk >= 0) ctx.warn("list-junk", `code ${d[o + junk]} in a parameter request list`, junk);
    return out;
  };
  return {
    ...inner,
    decode: (d, ctx) => prlAt(d, 0, d.length, ctx),
    decodeAt: prlAt,
  };
}

/** Option 61 value: hardware type (0 = not a hardware address) and identifier bytes. */
export interface ClientIdentifier {
  readonly type: number;
  readonly id: Uint8Array;
}

/** Option 61 (RFC 2132 §9.14): type byte + identifier. */
export function clientIdOption(code: number, name: string): OptionCodec<ClientIdentifier> {
  return {
    code,
    name,
    decode(d, ctx) {
      if (d.length < 2)
        throw optionError(ctx, "bad-length", `expected >= 2 bytes, got ${d.length}`);
      return { type: d[0]!, id: d.subarray(1) };
    },
    encodingLength: (v) => 1 + v.id.length,
    encodeInto(v, out, off) {
      checkUint(code, v.type, 255);
      out[off] = v.type;
      out.set(v.id, off + 1);
      return 1 + v.id.length;
    },
    toJSON: (v) => ({ type: v.type, id: toHex(v.id, ":") }),
  };
}

/**
 * Option 77 (RFC 3004): a list of user classes (`string[]`), or the plain string real firmware
 * (iPXE, Windows) sends instead (`string`). Bytes that parse as an RFC 3004 list decode as a list.
 */
export function userClassOption(
  code: number,
  name: string,
): OptionCodec<string | readonly string[]> {
  return {
    code,
    name,
    decode(d, ctx) {
      if (d.length === 0) throw optionError(ctx, "bad-length", "empty user class");
      const list: string[] = [];
      let p = 0;
      while (p < d.length) {
        const l = d[p]!;
        if (l === 0 || p + 1 + l > d.length) break;
        list.push(decodeText(d, p + 1, p + 1 + l));
        p += 1 + l;
      }
      if (p === d.length) return list;
      return decodeText(d);
    },
    encodingLength(v) {
      if (typeof v === "string") return utf8Length(v);
      let n = 0;
      for (const s of v) n += 1 + utf8Length(s);
      return n;
    },
    encodeInto(v, out, off) {
      if (typeof v === "string") return utf8Encode(v, out, off);
      let p = off;
      for (const s of v) {
        const l = utf8Length(s);
        if (l < 1 || l > 255) throw badValue(code, "each user class must be 1-255 bytes");
        out[p] = l;
        p += 1 + utf8Encode(s, out, p + 1);
      }
      return p - off;
    },
  };
}

// ---- DNS names (RFC 1035 §3.1, compression §4.1.4; RFC 3397 for option 119) ----

function decodeDnsNames(d: Uint8Array, ctx: DecodeContext, allowCompression: boolean): string[] {
  const names: string[] = [];
  let p = 0;
  while (p < d.length) {
    const labels: string[] = [];
    let q = p;
    let jumped = false;
    let hops = 0;
    let terminated = false;
    while (q < d.length) {
      const l = d[q]!;
      if (l === 0) {
        if (!jumped) p = q + 1;
        terminated = true;
        break;
      }
      if ((l & 0xc0) === 0xc0) {
        if (!allowCompression || q + 1 >= d.length) {
          throw optionError(ctx, "bad-value", "bad DNS compression pointer", q);
        }
        const target = ((l & 0x3f) << 8) | d[q + 1]!;
        if (target >= q || ++hops > 64) {
          throw optionError(ctx, "bad-value", "DNS compression pointer does not point back", q);
        }
        if (!jumped) p = q + 2;
        jumped = true;
        q = target;
        continue;
      }
      if ((l & 0xc0) !== 0 || q + 1 + l > d.length) {
        throw optionError(ctx, "bad-value", "bad DNS label length", q);
      }
      labels.push(decodeText(d, q + 1, q + 1 + l));
      q += 1 + l;
    }
    if (!terminated) {
      // Unterminated last name: a partial name (RFC 4702 allows it in option 81).
      p = d.length;
      names.push(labels.join("."));
      break;
    }
    names.push(`${labels.join(".")}.`);
  }
  return names;
}

/** Encodes names as DNS wire format; names ending in "." are terminated by a zero label. */
function dnsNamesLength(names: readonly string[], code: number): number {
  let n = 0;
  for (const name of names) n += dnsNameLength(name, code);
  return n;
}

function dnsNameLength(name: string, code: number): number {
  if (name === ".") return 1;
  const fq = name.endsWith(".");
  const labels = (fq ? name.slice(0, -1) : name).split(".");
  let n = fq ? 1 : 0;
  for (const l of labels) {
    const ll = utf8Length(l);
    if (ll < 1 || ll > 63) throw badValue(code, `bad DNS label in ${JSON.stringify(name)}`);
    n += 1 + ll;
  }
  return n;
}

function encodeDnsNames(
  names: readonly string[],
  out: Uint8Array,
  off: number,
  code: number,
): number {
  let p = off;
  for (const name of names) {
    dnsNameLength(name, code);
    if (name === ".") {
      out[p++] = 0;
      continue;
    }
    const fq = name.endsWith(".");
    for (const l of (fq ? name.slice(0, -1) : name).split(".")) {
      const n = utf8Encode(l, out, p + 1);
      out[p] = n;
      p += 1 + n;
    }
    if (fq) out[p++] = 0;
  }
  return p - off;
}

/**
 * Option holding a list of DNS names in wire format (119 domain search with compression, 88,
 * 137, 141, 213). Decoded names are fully qualified (`"example.com."`); the encoder writes them
 * without compression (decoders accept both).
 */
export function dnsNameListOption(code: number, name: string): OptionCodec<readonly string[]> {
  return {
    code,
    name,
    decode(d, ctx) {
      if (d.length === 0) throw optionError(ctx, "bad-length", "empty name list");
      return decodeDnsNames(d, ctx, true);
    },
    encodingLength: (v) => dnsNamesLength(v, code),
    encodeInto: (v, out, off) => encodeDnsNames(v, out, off, code),
  };
}

/** Option 81 (RFC 4702): client FQDN. `name` is DNS wire format when flag E (0x04) is set. */
export interface ClientFqdn {
  readonly flags: number;
  readonly rcode1: number;
  readonly rcode2: number;
  readonly name: string;
}

/** Option 81 codec. */
export function clientFqdnOption(code: number, name: string): OptionCodec<ClientFqdn> {
  return {
    code,
    name,
    decode(d, ctx) {
      if (d.length < 3)
        throw optionError(ctx, "bad-length", `expected >= 3 bytes, got ${d.length}`);
      const flags = d[0]!;
      const rest = d.subarray(3);
      const sub = shiftContext(ctx, 3);
      const text =
        flags & 0x04
          ? rest.length === 0
            ? ""
            : decodeDnsNames(rest, sub, false).join("")
          : decodeText(rest);
      return { flags, rcode1: d[1]!, rcode2: d[2]!, name: text };
    },
    encodingLength: (v) =>
      3 + (v.flags & 0x04 ? (v.name === "" ? 0 : dnsNameLength(v.name, code)) : utf8Length(v.name)),
    encodeInto(v, out, off) {
      checkUint(code, v.flags, 255);
      checkUint(code, v.rcode1, 255);
      checkUint(code, v.rcode2, 255);
      out[off] = v.flags;
      out[off + 1] = v.rcode1;
      out[off + 2] = v.rcode2;
      const n =
        v.flags & 0x04
          ? v.name === ""
            ? 0
            : encodeDnsNames([v.name], out, off + 3, code)
          : utf8Encode(v.name, out, off + 3);
      return 3 + n;
    },
  };
}

// ---- Sub-option spaces (82, and raw TLV helpers for 43/175 users) ----

/** One sub-option instance: code and value bytes. */
export interface SubOption {
  readonly code: number;
  readonly data: Uint8Array;
}

/** Relay agent information sub-options (RFC 3046, 3527, 3993, 4030, 5010, 5107, 6925, 6607). */
export const RelayAgentSubOption = {
  circuitId: 1,
  remoteId: 2,
  docsisDeviceClass: 4,
  linkSelection: 5,
  subscriberId: 6,
  radiusAttributes: 7,
  authentication: 8,
  vendorSpecific: 9,
  flags: 10,
  serverIdentifierOverride: 11,
  relayId: 12,
  accessTechnologyType: 13,
  accessNetworkName: 14,
  accessPointName: 15,
  accessPointBssid: 16,
  operatorId: 17,
  operatorRealm: 18,
  relayPortNumber: 19,
  vss: 151,
  vssControl: 152,
} as const;

const RELAY_NAMES: string[] = [];
for (const [k, v] of Object.entries(RelayAgentSubOption)) RELAY_NAMES[v] = k;

/** Name of a relay agent sub-option (`"circuitId"`), `sub<N>` when unknown. */
export function relayAgentSubOptionName(code: number): string {
  return RELAY_NAMES[code] ?? `sub${code}`;
}

/**
 * Decodes a TLV sub-option space (code, length, data; no Pad/END unless `padEnd`). Throws
 * `bad-length` at the offset of a sub-option that runs past the end.
 */
export function decodeSubOptions(
  d: Uint8Array,
  ctx: DecodeContext,
  padEnd = false,
): readonly SubOption[] {
  const out: SubOption[] = [];
  let p = 0;
  while (p < d.length) {
    const c = d[p]!;
    if (padEnd && c === 0) {
      p++;
      continue;
    }
    if (padEnd && c === 255) break;
    if (p + 1 >= d.length || p + 2 + d[p + 1]! > d.length) {
      throw optionError(ctx, "bad-length", `sub-option ${c} runs past the end`, p);
    }
    out.push({ code: c, data: d.subarray(p + 2, p + 2 + d[p + 1]!) });
    p += 2 + d[p + 1]!;
  }
  return out;
}

/** Bytes {@link encodeSubOptions} writes: values over 255 bytes become several instances. */
export function subOptionsLength(subs: readonly SubOption[]): number {
  let n = 0;
  for (const s of subs) n += s.data.length + 2 * Math.max(1, Math.ceil(s.data.length / 255));
  return n;
}

/**
 * Writes sub-options as TLVs; a value over 255 bytes is split into consecutive instances of the
 * same sub-code (RFC 3396 applied to the sub-option space, as Kea does).
 */
export function encodeSubOptions(subs: readonly SubOption[], out: Uint8Array, off: number): number {
  let p = off;
  for (const s of subs) {
    if (!Number.isInteger(s.code) || s.code < 0 || s.code > 255) {
      throw new DhcpError("bad-value", `sub-option code must be 0-255, got ${s.code}`);
    }
    let rest = s.data.length;
    let q = 0;
    do {
      const l = Math.min(255, rest);
      out[p] = s.code;
      out[p + 1] = l;
      out.set(s.data.subarray(q, q + l), p + 2);
      p += 2 + l;
      q += l;
      rest -= l;
    } while (rest > 0);
  }
  return p - off;
}

function subOptionsJSON(subs: readonly SubOption[], nameOf: (c: number) => string): unknown {
  return subs.map((s) => ({ code: s.code, name: nameOf(s.code), value: toHex(s.data) }));
}

/** Option 82 (RFC 3046): a list of sub-options in wire order. */
export function relayAgentOption(code: number, name: string): OptionCodec<readonly SubOption[]> {
  return {
    code,
    name,
    decode(d, ctx) {
      if (d.length === 0) throw optionError(ctx, "bad-length", "empty relay agent information");
      return decodeSubOptions(d, ctx);
    },
    encodingLength: subOptionsLength,
    encodeInto: encodeSubOptions,
    toJSON: (v) =>
      v.map((s) => ({
        code: s.code,
        name: relayAgentSubOptionName(s.code),
        // link selection (RFC 3527) and server identifier override (RFC 5107) are addresses
        value:
          (s.code === 5 || s.code === 11) && s.data.length === 4
            ? ipv4ToString(s.data, 0)
            : toHex(s.data),
      })),
  };
}

/** Option 121 (RFC 3442) route: destination prefix (`"10.0.0.0/8"`) and router. */
export interface ClasslessRoute {
  readonly destination: string;
  readonly router: string;
}

/** Option 121 codec. */
export function classlessRouteOption(
  code: number,
  name: string,
): OptionCodec<readonly ClasslessRoute[]> {
  return {
    code,
    name,
    decode(d, ctx) {
      if (d.length < 5)
        throw optionError(ctx, "bad-length", `expected >= 5 bytes, got ${d.length}`);
      const out: ClasslessRoute[] = [];
      let p = 0;
      while (p < d.length) {
        const width = d[p]!;
        const sig = Math.ceil(width / 8);
        if (width > 32 || p + 1 + sig + 4 > d.length) {
          throw optionError(ctx, "bad-value", `bad classless route (prefix /${width})`, p);
        }
        const a = [0, 0, 0, 0];
        for (let i = 0; i < sig; i++) a[i] = d[p + 1 + i]!;
        out.push({
          destination: `${a.join(".")}/${width}`,
          router: ipv4ToString(d, p + 1 + sig),
        });
        p += 1 + sig + 4;
      }
      return out;
    },
    encodingLength(v) {
      let n = 0;
      for (const r of v) n += 1 + Math.ceil(prefixWidth(r.destination, code) / 8) + 4;
      return n;
    },
    encodeInto(v, out, off) {
      let p = off;
      const tmp = new Uint8Array(4);
      for (const r of v) {
        const width = prefixWidth(r.destination, code);
        const sig = Math.ceil(width / 8);
        writeIpv4(r.destination.slice(0, r.destination.indexOf("/")), tmp, 0, code);
        out[p] = width;
        for (let i = 0; i < sig; i++) out[p + 1 + i] = tmp[i]!;
        writeIpv4(r.router, out, p + 1 + sig, code);
        p += 1 + sig + 4;
      }
      return p - off;
    },
  };
}

function prefixWidth(dest: string, code: number): number {
  const slash = dest.indexOf("/");
  const w = slash < 0 ? Number.NaN : Number(dest.slice(slash + 1));
  if (!Number.isInteger(w) || w < 0 || w > 32) throw badValue(code, `bad prefix ${dest}`);
  return w;
}

/** Option 124 (RFC 3925) entry: enterprise number and its vendor class data items. */
export interface VendorClassEntry {
  readonly enterprise: number;
  readonly data: readonly Uint8Array[];
}

/** Option 124 codec. */
export function vendorClassOption(
  code: number,
  name: string,
): OptionCodec<readonly VendorClassEntry[]> {
  return {
    code,
    name,
    decode(d, ctx) {
      const out: VendorClassEntry[] = [];
      let p = 0;
      if (d.length === 0) throw optionError(ctx, "bad-length", "empty option 124");
      while (p < d.length) {
        const end = enterpriseEntryEnd(d, p, ctx, "vendor class entry runs past the end");
        const enterprise = readUint(d, p, 4);
        const items: Uint8Array[] = [];
        let q = p + 5;
        while (q < end) {
          if (q + 1 + d[q]! > end) {
            throw optionError(ctx, "bad-length", "vendor class item runs past its entry", q);
          }
          items.push(d.subarray(q + 1, q + 1 + d[q]!));
          q += 1 + d[q]!;
        }
        out.push({ enterprise, data: items });
        p = end;
      }
      return out;
    },
    encodingLength(v) {
      let n = 0;
      for (const e of v) for (const x of e.data) n += 1 + x.length;
      return n + 5 * v.length;
    },
    encodeInto(v, out, off) {
      let p = off;
      for (const e of v) {
        checkUint(code, e.enterprise, 0xffffffff);
        writeUint(e.enterprise, out, p, 4);
        let q = p + 5;
        for (const x of e.data) {
          out[q] = x.length;
          out.set(x, q + 1);
          q += 1 + x.length;
        }
        if (q - p - 5 > 255) throw badValue(code, "vendor class entry over 255 bytes");
        out[p + 4] = q - p - 5;
        p = q;
      }
      return p - off;
    },
    toJSON: (v) => v.map((e) => ({ enterprise: e.enterprise, data: e.data.map((x) => toHex(x)) })),
  };
}

/** Option 125 (RFC 3925) entry: enterprise number and its sub-options. */
export interface VendorSpecificEntry {
  readonly enterprise: number;
  readonly options: readonly SubOption[];
}

/**
 * Option 125 codec. On encode, an enterprise whose sub-options exceed 255 bytes is written as
 * several entries with the same enterprise number (RFC 3925 §4), split between sub-options.
 */
export function vendorSpecificOption(
  code: number,
  name: string,
): OptionCodec<readonly VendorSpecificEntry[]> {
  const chunks = (e: VendorSpecificEntry): SubOption[][] => {
    const groups: SubOption[][] = [[]];
    let size = 0;
    for (const s of e.options) {
      const parts: SubOption[] = [];
      // A block holds at most 255 bytes, so a sub-option part holds at most 253.
      for (let q = 0; q < s.data.length || parts.length === 0; q += 253) {
        parts.push({ code: s.code, data: s.data.subarray(q, q + 253) });
      }
      for (const part of parts) {
        const l = part.data.length + 2;
        if (size + l > 255) {
          groups.push([]);
          size = 0;
        }
        groups[groups.length - 1]!.push(part);
        size += l;
      }
    }
    return groups;
  };
  return {
    code,
    name,
    decode(d, ctx) {
      if (d.length === 0) throw optionError(ctx, "bad-length", "empty option 125");
      const out: VendorSpecificEntry[] = [];
      let p = 0;
      while (p < d.length) {
        const end = enterpriseEntryEnd(d, p, ctx, "vendor-specific entry runs past the end");
        out.push({
          enterprise: readUint(d, p, 4),
          options: decodeSubOptions(d.subarray(p + 5, end), shiftContext(ctx, p + 5)),
        });
        p = end;
      }
      return out;
    },
    encodingLength(v) {
      let n = 0;
      for (const e of v) for (const g of chunks(e)) n += 5 + subOptionsLength(g);
      return n;
    },
    encodeInto(v, out, off) {
      let p = off;
      for (const e of v) {
        checkUint(code, e.enterprise, 0xffffffff);
        for (const g of chunks(e)) {
          writeUint(e.enterprise, out, p, 4);
          const n = encodeSubOptions(g, out, p + 5);
          out[p + 4] = n;
          p += 5 + n;
        }
      }
      return p - off;
    },
    toJSON: (v) =>
      v.map((e) => ({
        enterprise: e.enterprise,
        options: subOptionsJSON(e.options, (c) => `sub${c}`),
      })),
  };
}

/** Option 151 (RFC 6926) status code. */
export interface StatusCode {
  readonly status: number;
  readonly message: string;
}

/** Option 151 codec. */
export function statusCodeOption(code: number, name: string): OptionCodec<StatusCode> {
  return {
    code,
    name,
    decode(d, ctx) {
      if (d.length < 1) throw optionError(ctx, "bad-length", "empty status code");
      return { status: d[0]!, message: decodeText(d, 1) };
    },
    encodingLength: (v) => 1 + utf8Length(v.message),
    encodeInto(v, out, off) {
      checkUint(code, v.status, 255);
      out[off] = v.status;
      return 1 + utf8Encode(v.message, out, off + 1);
    },
  };
}

/** Option 120 (RFC 3361): SIP servers, as DNS names (encoding 0) or IPv4 addresses (1). */
export type SipServers =
  | { readonly encoding: 0; readonly names: readonly string[] }
  | { readonly encoding: 1; readonly addresses: readonly string[] };

/** Option 120 codec. */
export function sipServersOption(code: number, name: string): OptionCodec<SipServers> {
  const names = dnsNameListOption(code, name);
  const ips = ipv4ListOption(code, name);
  return {
    code,
    name,
    decode(d, ctx) {
      if (d.length < 2) throw optionError(ctx, "bad-length", "option 120 too short");
      if (d[0] === 0) {
        return { encoding: 0, names: names.decode(d.subarray(1), shiftContext(ctx, 1)) };
      }
      if (d[0] === 1) {
        return { encoding: 1, addresses: ips.decode(d.subarray(1), shiftContext(ctx, 1)) };
      }
      throw optionError(ctx, "bad-value", `unknown SIP server encoding ${d[0]}`);
    },
    encodingLength: (v) =>
      1 + (v.encoding === 0 ? names.encodingLength(v.names) : ips.encodingLength(v.addresses)),
    encodeInto(v, out, off) {
      out[off] = v.encoding;
      return (
        1 +
        (v.encoding === 0
          ? names.encodeInto(v.names, out, off + 1)
          : ips.encodeInto(v.addresses, out, off + 1))
      );
    },
  };
}

/**
 * The context for a value that starts `by` bytes into the current one: offsets (and warnings'
 * relative offsets) move by `by`.
 */
function shiftContext(ctx: DecodeContext, by: number): DecodeContext {
  return {
    code: ctx.code,
    offset: ctx.offset + by,
    strict: ctx.strict,
    warn: (c, m, r = 0) => ctx.warn(c, m, r + by),
  };
}

/**
 * End of the RFC 3925 entry (enterprise number, length byte, data) at `p`; throws `bad-length`
 * with `message` at `p` when the entry runs past the end of `d`.
 */
function enterpriseEntryEnd(d: Uint8Array, p: number, ctx: DecodeContext, message: string): number {
  if (p + 5 > d.length || p + 5 + d[p + 4]! > d.length) {
    throw optionError(ctx, "bad-length", message, p);
  }
  return p + 5 + d[p + 4]!;
}

function readUint(d: Uint8Array, p: number, size: 1 | 2 | 4): number {
  if (size === 1) return d[p]!;
  if (size === 2) return (d[p]! << 8) | d[p + 1]!;
  return ((d[p]! << 24) | (d[p + 1]! << 16) | (d[p + 2]! << 8) | d[p + 3]!) >>> 0;
}

function writeUint(v: number, out: Uint8Array, p: number, size: 1 | 2 | 4): void {
  if (size === 1) out[p] = v;
  else if (size === 2) {
    out[p] = v >>> 8;
    out[p + 1] = v & 0xff;
  } else {
    out[p] = v >>> 24;
    out[p + 1] = (v >>> 16) & 0xff;
    out[p + 2] = (v >>> 8) & 0xff;
    out[p + 3] = v & 0xff;
  }
}

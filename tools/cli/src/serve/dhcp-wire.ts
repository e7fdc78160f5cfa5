/**
 * TEMPORARY (issue 9): a minimal DHCPv4 message reader/writer for `pxe serve`, to be replaced by
 * `@pxe/dhcp`'s views and builders once that package exports them. Only what the boot server
 * needs: the fixed header, options as raw bytes (no overload, no RFC 3396 concatenation).
 */

/** A decoded DHCPv4 message (fields copied out; small messages, tools layer). */
export interface DhcpMessage {
  op: number;
  htype: number;
  hlen: number;
  hops: number;
  xid: number;
  secs: number;
  flags: number;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  giaddr: string;
  chaddr: Uint8Array;
  sname: string;
  file: string;
  /** Options by code (the first occurrence; later occurrences are appended, RFC 3396 style). */
  options: Map<number, Uint8Array>;
}

/** Why a datagram was not a DHCP message. */
export class DhcpWireError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} at offset ${offset}`);
    this.name = "DhcpWireError";
    this.offset = offset;
  }
}

const MAGIC = 0x63825363;
const HEADER = 236;

function ip(b: Uint8Array, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

function cstr(b: Uint8Array, o: number, n: number): string {
  let end = o;
  while (end < o + n && b[end] !== 0) end++;
  return new TextDecoder("latin1").decode(b.subarray(o, end));
}

/** Decodes a BOOTP/DHCP datagram; throws {@link DhcpWireError} naming the offset. */
export function decodeDhcp(b: Uint8Array): DhcpMessage {
  if (b.length < HEADER + 4)
    throw new DhcpWireError(`message too short (${b.length} bytes)`, b.length);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const hlen = b[2] ?? 0;
  if (hlen > 16) throw new DhcpWireError(`hlen ${hlen} > 16`, 2);
  if (dv.getUint32(HEADER) !== MAGIC) throw new DhcpWireError("no DHCP magic cookie", HEADER);
  const options = new Map<number, Uint8Array>();
  let o = HEADER + 4;
  while (o < b.length) {
    const code = b[o] ?? 255;
    if (code === 0) {
      o++;
      continue;
    }
    if (code === 255) break;
    if (o + 1 >= b.length) throw new DhcpWireError(`option ${code} has no length`, o);
    const len = b[o + 1] ?? 0;
    if (o + 2 + len > b.length)
      throw new DhcpWireError(`option ${code} overruns the message (length ${len})`, o);
    const val = b.subarray(o + 2, o + 2 + len);
    const prev = options.get(code);
    if (prev) {
      const joined = new Uint8Array(prev.length + val.length);
      joined.set(prev);
      joined.set(val, prev.length);
      options.set(code, joined);
    } else options.set(code, val);
    o += 2 + len;
  }
  return {
    op: b[0] ?? 0,
    htype: b[1] ?? 0,
    hlen,
    hops: b[3] ?? 0,
    xid: dv.getUint32(4),
    secs: dv.getUint16(8),
    flags: dv.getUint16(10),
    ciaddr: ip(b, 12),
    yiaddr: ip(b, 16),
    siaddr: ip(b, 20),
    giaddr: ip(b, 24),
    chaddr: b.slice(28, 28 + hlen),
    sname: cstr(b, 44, 64),
    file: cstr(b, 108, 128),
    options,
  };
}

/** What a reply is built from. */
export interface DhcpReplySpec {
  xid: number;
  flags: number;
  chaddr: Uint8Array;
  htype: number;
  giaddr: string;
  ciaddr?: string;
  yiaddr?: string;
  siaddr?: string;
  file?: string;
  /** Options in order; the end option is added. */
  options: Array<[number, Uint8Array]>;
}

function putIp(b: Uint8Array, o: number, s: string | undefined): void {
  if (!s) return;
  const p = s.split(".").map(Number);
  for (let i = 0; i < 4; i++) b[o + i] = p[i] ?? 0;
}

/** Encodes a BOOTREPLY (op 2); options longer than 255 bytes are split (RFC 3396). */
export function encodeDhcpReply(r: DhcpReplySpec): Uint8Array {
  const parts: number[] = [];
  for (const [code, val] of r.options) {
    let off = 0;
    do {
      const n = Math.min(255, val.length - off);
      parts.push(code, n, ...val.subarray(off, off + n));
      off += n;
    } while (off < val.length);
  }
  parts.push(255);
  const size = Math.max(300, HEADER + 4 + parts.length);
  const b = new Uint8Array(size);
  const dv = new DataView(b.buffer);
  b[0] = 2;
  b[1] = r.htype;
  b[2] = Math.min(16, r.chaddr.length);
  dv.setUint32(4, r.xid);
  dv.setUint16(10, r.flags);
  putIp(b, 12, r.ciaddr);
  putIp(b, 16, r.yiaddr);
  putIp(b, 20, r.siaddr);
  putIp(b, 24, r.giaddr);
  b.set(r.chaddr.subarray(0, 16), 28);
  if (r.file) b.set(new TextEncoder().encode(r.file).subarray(0, 127), 108);
  dv.setUint32(HEADER, MAGIC);
  b.set(parts, HEADER + 4);
  return b;
}

/** Dotted quad from 4 option bytes (undefined when the option is not 4 bytes). */
export function optIp(v: Uint8Array | undefined): string | undefined {
  return v && v.length === 4 ? ip(v, 0) : undefined;
}

/** Four bytes of a dotted quad. */
export function ipBytes(s: string): Uint8Array {
  const b = new Uint8Array(4);
  putIp(b, 0, s);
  return b;
}

/** A u32 in network order. */
export function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0);
  return b;
}

/** ASCII/latin1 bytes of a string. */
export function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

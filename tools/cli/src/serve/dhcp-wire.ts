/**
 * DHCPv4 messages for `pxe serve`: requests are read with `@pxe/dhcp`'s {@link DhcpView};
 * replies are still assembled here.
 *
 * TEMPORARY (issue 9): {@link encodeDhcpReply} is to be replaced by `@pxe/dhcp`'s builders /
 * `@pxe/pxe-options`' reply builders.
 */
import { DhcpView, EntryKind } from "@pxe/dhcp";

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

/**
 * Decodes a BOOTP/DHCP datagram with `@pxe/dhcp`'s zero-copy {@link DhcpView} (lenient scan,
 * RFC 3396 concatenation) and copies out what the boot server needs; throws `@pxe/dhcp`'s
 * `DhcpError` (with the offset) for a datagram that is not a DHCP message.
 */
export function decodeDhcp(b: Uint8Array): DhcpMessage {
  const v = DhcpView.check(b);
  if (!v.hasCookie) throw new DhcpWireError("no DHCP magic cookie", HEADER);
  const options = new Map<number, Uint8Array>();
  for (let i = 0; i < v.entryCount; i++) {
    if (v.entryKind(i) !== EntryKind.option) continue;
    const code = v.entryCode(i);
    if (!options.has(code)) {
      const val = v.get(code);
      if (val !== undefined) options.set(code, val);
    }
  }
  if (v.hlen > 16) throw new DhcpWireError(`hlen ${v.hlen} > 16`, 2);
  return {
    op: v.op,
    htype: v.htype,
    hlen: v.hlen,
    hops: v.hops,
    xid: v.xid,
    secs: v.secs,
    flags: v.flags,
    ciaddr: v.ciaddr,
    yiaddr: v.yiaddr,
    siaddr: v.siaddr,
    giaddr: v.giaddr,
    chaddr: v.chaddr.slice(),
    sname: v.sname,
    file: v.file,
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

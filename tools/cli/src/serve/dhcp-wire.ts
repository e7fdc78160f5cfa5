/**
 * DHCPv4 requests for `pxe serve`, read with `@pxe/dhcp`'s {@link DhcpView}. Replies are built
 * with `@pxe/pxe-options`' reply builders and `encodeReply` (see `dhcp-policy.ts`).
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

function putIp(b: Uint8Array, o: number, s: string | undefined): void {
  if (!s) return;
  const p = s.split(".").map(Number);
  for (let i = 0; i < 4; i++) b[o + i] = p[i] ?? 0;
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

/** ASCII/latin1 bytes of a string. */
export function ascii(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

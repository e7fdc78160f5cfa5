/**
 * Hand-built frames and capture files for the tests: Ethernet/SLL/raw/loopback link headers,
 * IPv4/IPv6 (with fragments and extension headers), UDP, classic pcap (every magic) and pcapng
 * (both byte orders, several interfaces and sections).
 */

export function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function u16be(v: number): Uint8Array {
  return Uint8Array.of((v >> 8) & 0xff, v & 0xff);
}

function ip4(addr: string): number[] {
  return addr.split(".").map(Number);
}

function ip6(addr: string): number[] {
  const [head = "", tail = ""] = addr.includes("::") ? addr.split("::") : [addr, ""];
  const h = head === "" ? [] : head.split(":");
  const t = tail === "" ? [] : tail.split(":");
  const groups = [...h, ...Array(8 - h.length - t.length).fill("0"), ...t].map((g) =>
    Number.parseInt(g, 16),
  );
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

export interface UdpSpec {
  src?: string;
  dst?: string;
  srcPort?: number;
  dstPort?: number;
  payload?: Uint8Array;
  /** Override the UDP length field. */
  udpLength?: number;
}

export function udp(spec: UdpSpec): Uint8Array {
  const payload = spec.payload ?? new Uint8Array(0);
  const len = spec.udpLength ?? payload.length + 8;
  return concat(
    u16be(spec.srcPort ?? 68),
    u16be(spec.dstPort ?? 67),
    u16be(len),
    u16be(0),
    payload,
  );
}

export interface Ipv4Spec {
  src?: string;
  dst?: string;
  protocol?: number;
  id?: number;
  /** Fragment offset in bytes (multiple of 8). */
  fragOffset?: number;
  more?: boolean;
  totalLength?: number;
  ihl?: number;
  version?: number;
}

export function ipv4(spec: Ipv4Spec, payload: Uint8Array): Uint8Array {
  const ihl = spec.ihl ?? 5;
  const hdr = new Uint8Array(Math.max(20, ihl * 4));
  hdr[0] = ((spec.version ?? 4) << 4) | ihl;
  const total = spec.totalLength ?? hdr.length + payload.length;
  hdr.set(u16be(total), 2);
  hdr.set(u16be(spec.id ?? 0x1234), 4);
  const frag = ((spec.more ?? false) ? 0x2000 : 0) | ((spec.fragOffset ?? 0) / 8);
  hdr.set(u16be(frag), 6);
  hdr[8] = 64;
  hdr[9] = spec.protocol ?? 17;
  hdr.set(ip4(spec.src ?? "10.0.0.1"), 12);
  hdr.set(ip4(spec.dst ?? "10.0.0.2"), 16);
  return concat(hdr, payload);
}

export interface Ipv6Spec {
  src?: string;
  dst?: string;
  nextHeader?: number;
  payloadLength?: number;
}

export function ipv6(spec: Ipv6Spec, payload: Uint8Array): Uint8Array {
  const hdr = new Uint8Array(40);
  hdr[0] = 0x60;
  hdr.set(u16be(spec.payloadLength ?? payload.length), 4);
  hdr[6] = spec.nextHeader ?? 17;
  hdr[7] = 64;
  hdr.set(ip6(spec.src ?? "fe80::1"), 8);
  hdr.set(ip6(spec.dst ?? "ff02::1:2"), 24);
  return concat(hdr, payload);
}

/** An IPv6 extension header of 8 bytes (hop-by-hop, routing, destination options). */
export function ext6(next: number): Uint8Array {
  return Uint8Array.of(next, 0, 1, 4, 0, 0, 0, 0);
}

/** An IPv6 fragment header. */
export function frag6(next: number, offset: number, more: boolean, id: number): Uint8Array {
  return concat(
    Uint8Array.of(next, 0),
    u16be(offset | (more ? 1 : 0)),
    Uint8Array.of(id >>> 24, (id >> 16) & 0xff, (id >> 8) & 0xff, id & 0xff),
  );
}

export function ethernet(type: number, payload: Uint8Array, vlanTags: number[] = []): Uint8Array {
  const tags = vlanTags.map((tpid, i) => concat(u16be(tpid), u16be(100 + i)));
  // Each tag is a TPID followed by the TCI; the final EtherType comes after the tags.
  const macs = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1);
  if (tags.length === 0) return concat(macs, u16be(type), payload);
  // Layout: macs, TPID1, TCI1, TPID2, TCI2, ..., type, payload
  return concat(macs, ...tags, u16be(type), payload);
}

export function sll(type: number, payload: Uint8Array): Uint8Array {
  const h = new Uint8Array(16);
  h.set(u16be(0), 0); // packet type: to us
  h.set(u16be(1), 2); // ARPHRD_ETHER
  h.set(u16be(6), 4);
  h.set(u16be(type), 14);
  return concat(h, payload);
}

export function sll2(type: number, payload: Uint8Array): Uint8Array {
  const h = new Uint8Array(20);
  h.set(u16be(type), 0);
  h.set(u16be(1), 8); // ARPHRD_ETHER
  h[11] = 6;
  return concat(h, payload);
}

export function nullHeader(family: number, littleEndian: boolean, payload: Uint8Array): Uint8Array {
  const h = new Uint8Array(4);
  new DataView(h.buffer).setUint32(0, family, littleEndian);
  return concat(h, payload);
}

/** A DHCP-ish UDP datagram over IPv4 over Ethernet. */
export function dhcpFrame(payloadLength = 240): Uint8Array {
  return ethernet(0x0800, ipv4({}, udp({ payload: new Uint8Array(payloadLength).fill(1) })));
}

export interface PcapRecord {
  data: Uint8Array;
  sec?: number;
  frac?: number;
  originalLength?: number;
}

export type PcapVariant = "us" | "ns" | "modified";

const PCAP_MAGIC: Record<PcapVariant, number> = {
  us: 0xa1b2c3d4,
  ns: 0xa1b23c4d,
  modified: 0xa1b2cd34,
};

/** A classic pcap file of the given byte order and variant. */
export function pcapFile(
  linkType: number,
  records: PcapRecord[],
  opts: { littleEndian?: boolean; variant?: PcapVariant; snapLength?: number } = {},
): Uint8Array {
  const le = opts.littleEndian ?? true;
  const variant = opts.variant ?? "us";
  const recHdr = variant === "modified" ? 24 : 16;
  const size = 24 + records.reduce((n, r) => n + recHdr + r.data.length, 0);
  const out = new Uint8Array(size);
  const v = new DataView(out.buffer);
  v.setUint32(0, PCAP_MAGIC[variant], le);
  v.setUint16(4, 2, le);
  v.setUint16(6, 4, le);
  v.setUint32(16, opts.snapLength ?? 262144, le);
  v.setUint32(20, linkType, le);
  let o = 24;
  for (const r of records) {
    v.setUint32(o, r.sec ?? 1_700_000_000, le);
    v.setUint32(o + 4, r.frac ?? 0, le);
    v.setUint32(o + 8, r.data.length, le);
    v.setUint32(o + 12, r.originalLength ?? r.data.length, le);
    out.set(r.data, o + recHdr);
    o += recHdr + r.data.length;
  }
  return out;
}

/** One pcapng block with the given type and body (padded to 4 bytes). */
export function block(type: number, body: Uint8Array, le: boolean): Uint8Array {
  const padded = (body.length + 3) & ~3;
  const total = 12 + padded;
  const out = new Uint8Array(total);
  const v = new DataView(out.buffer);
  v.setUint32(0, type, le);
  v.setUint32(4, total, le);
  out.set(body, 8);
  v.setUint32(total - 4, total, le);
  return out;
}

function bytes(n: number, fill: (v: DataView) => void): Uint8Array {
  const out = new Uint8Array(n);
  fill(new DataView(out.buffer));
  return out;
}

export function shb(le: boolean): Uint8Array {
  return block(
    0x0a0d0d0a,
    bytes(16, (v) => {
      v.setUint32(0, 0x1a2b3c4d, le);
      v.setUint16(4, 1, le);
      v.setUint16(6, 0, le);
      v.setBigInt64(8, -1n, le);
    }),
    le,
  );
}

/** An Interface Description Block; `tsresol` is the raw if_tsresol byte, `tsoffset` seconds. */
export function idb(
  le: boolean,
  linkType: number,
  opts: { tsresol?: number; tsoffset?: bigint; snapLength?: number } = {},
): Uint8Array {
  const options: Uint8Array[] = [];
  if (opts.tsresol !== undefined) {
    options.push(
      bytes(8, (v) => {
        v.setUint16(0, 9, le);
        v.setUint16(2, 1, le);
        v.setUint8(4, opts.tsresol as number);
      }),
    );
  }
  if (opts.tsoffset !== undefined) {
    options.push(
      bytes(12, (v) => {
        v.setUint16(0, 14, le);
        v.setUint16(2, 8, le);
        v.setBigInt64(4, opts.tsoffset as bigint, le);
      }),
    );
  }
  if (options.length > 0) options.push(new Uint8Array(4)); // opt_endofopt
  const head = bytes(8, (v) => {
    v.setUint16(0, linkType, le);
    v.setUint32(4, opts.snapLength ?? 0, le);
  });
  return block(1, concat(head, ...options), le);
}

export function epb(
  le: boolean,
  iface: number,
  ts: bigint,
  data: Uint8Array,
  originalLength = data.length,
): Uint8Array {
  const head = bytes(20, (v) => {
    v.setUint32(0, iface, le);
    v.setUint32(4, Number(ts >> 32n), le);
    v.setUint32(8, Number(ts & 0xffffffffn), le);
    v.setUint32(12, data.length, le);
    v.setUint32(16, originalLength, le);
  });
  return block(6, concat(head, data), le);
}

export function spb(le: boolean, data: Uint8Array): Uint8Array {
  return block(
    3,
    concat(
      bytes(4, (v) => v.setUint32(0, data.length, le)),
      data,
    ),
    le,
  );
}

/** The obsolete Packet Block (type 2). */
export function pb(le: boolean, iface: number, ts: bigint, data: Uint8Array): Uint8Array {
  const head = bytes(20, (v) => {
    v.setUint16(0, iface, le);
    v.setUint32(4, Number(ts >> 32n), le);
    v.setUint32(8, Number(ts & 0xffffffffn), le);
    v.setUint32(12, data.length, le);
    v.setUint32(16, data.length, le);
  });
  return block(2, concat(head, data), le);
}

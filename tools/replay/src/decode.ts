import { formatIpv4, formatIpv6 } from "./address.js";
import { ReplayError, ReplayErrorCode } from "./errors.js";
import { Reassembler, type ReassemblyLimits } from "./reassembly.js";
import { type CaptureFrame, type DatagramKind, LinkTypes } from "./types.js";

/** A UDP datagram decoded from a frame; `kind` is `"other"` until a classifier sets it. */
export interface DecodedUdp {
  kind: DatagramKind;
  readonly frame: number;
  readonly timestampNs: bigint;
  readonly ipVersion: 4 | 6;
  readonly srcAddr: string;
  readonly dstAddr: string;
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: Uint8Array;
  readonly reassembled: boolean;
  readonly truncated: boolean;
  readonly malformed: boolean;
  readonly linkType: number;
}

/** Where the network layer starts in a frame, as the link layer says. */
export interface NetworkLayer {
  /** 4, 6, or `undefined` when the frame carries something other than IP. */
  readonly ipVersion: 4 | 6 | undefined;
  /** Offset of the IP header within the frame's data. */
  readonly offset: number;
}

const NOT_IP: NetworkLayer = { ipVersion: undefined, offset: 0 };
const MAX_VLAN_TAGS = 8;
const MAX_IPV6_EXTENSIONS = 16;

function etherTypeToIp(type: number, offset: number): NetworkLayer {
  if (type === 0x0800) return { ipVersion: 4, offset };
  if (type === 0x86dd) return { ipVersion: 6, offset };
  return NOT_IP;
}

function be16(d: Uint8Array, o: number): number {
  return ((d[o] as number) << 8) | (d[o + 1] as number);
}

/**
 * Finds the IP header inside one frame of the given link type. Throws {@link ReplayError}
 * `bad-link` when the link header is cut short, `unsupported-link` for a link type it does not
 * know. Returns `ipVersion: undefined` for frames that carry something other than IPv4/IPv6.
 */
export function decodeLink(linkType: number, d: Uint8Array): NetworkLayer {
  const short = (need: number, what: string) =>
    new ReplayError(
      ReplayErrorCode.BadLink,
      `${what} header cut short (${d.length} of ${need} bytes)`,
      0,
    );
  switch (linkType) {
    case LinkTypes.Ethernet: {
      if (d.length < 14) throw short(14, "Ethernet");
      let type = be16(d, 12);
      let o = 14;
      for (let tags = 0; type === 0x8100 || type === 0x88a8 || type === 0x9100; tags++) {
        if (tags >= MAX_VLAN_TAGS)
          throw new ReplayError(ReplayErrorCode.BadLink, "too many VLAN tags", o);
        if (d.length < o + 4) throw short(o + 4, "802.1Q tag");
        type = be16(d, o + 2);
        o += 4;
      }
      if (type < 0x0600) {
        // IEEE 802.3 length field: only LLC/SNAP with a zero OUI carries an EtherType.
        if (
          d.length >= o + 8 &&
          d[o] === 0xaa &&
          d[o + 1] === 0xaa &&
          d[o + 2] === 0x03 &&
          d[o + 3] === 0 &&
          d[o + 4] === 0 &&
          d[o + 5] === 0
        ) {
          return etherTypeToIp(be16(d, o + 6), o + 8);
        }
        return NOT_IP;
      }
      return etherTypeToIp(type, o);
    }
    case LinkTypes.LinuxSll:
      if (d.length < 16) throw short(16, "Linux cooked (SLL)");
      return etherTypeToIp(be16(d, 14), 16);
    case LinkTypes.LinuxSll2:
      if (d.length < 20) throw short(20, "Linux cooked (SLL2)");
      return etherTypeToIp(be16(d, 0), 20);
    case LinkTypes.Raw:
    case LinkTypes.RawLegacy: {
      if (d.length < 1) throw short(1, "raw IP");
      const v = (d[0] as number) >> 4;
      return v === 4 || v === 6 ? { ipVersion: v, offset: 0 } : NOT_IP;
    }
    case LinkTypes.Ipv4:
      return { ipVersion: 4, offset: 0 };
    case LinkTypes.Ipv6:
      return { ipVersion: 6, offset: 0 };
    case LinkTypes.Null:
    case LinkTypes.Loop: {
      if (d.length < 4) throw short(4, "loopback");
      const be =
        (((d[0] as number) << 24) |
          ((d[1] as number) << 16) |
          ((d[2] as number) << 8) |
          (d[3] as number)) >>>
        0;
      let family = be;
      // DLT_NULL stores the family in the capturing host's byte order: a value with its high
      // half set was written little-endian.
      if (linkType === LinkTypes.Null && (be & 0xffff0000) !== 0) {
        family =
          (((d[3] as number) << 24) |
            ((d[2] as number) << 16) |
            ((d[1] as number) << 8) |
            (d[0] as number)) >>>
          0;
      }
      if (family === 2) return { ipVersion: 4, offset: 4 };
      // Some writers put an EtherType there instead (values above 1500 are read that way).
      if (family > 1500) return etherTypeToIp(family, 4);
      // BSD AF_INET6 values (24 NetBSD/OpenBSD/BSD/OS, 28 FreeBSD, 30 Darwin), as Wireshark knows them.
      if (family === 24 || family === 28 || family === 30) return { ipVersion: 6, offset: 4 };
      return NOT_IP;
    }
    default:
      throw new ReplayError(
        ReplayErrorCode.UnsupportedLink,
        `link type ${linkType} is not decoded`,
        0,
      );
  }
}

/**
 * Decodes frames down to UDP, reassembling IPv4 and IPv6 fragments. Stateful (the reassembly
 * buffers), so feed it every frame of one capture in order.
 */
export class PacketDecoder {
  readonly #reassembler: Reassembler;
  readonly #report: (e: ReplayError) => void;
  readonly #unsupported = new Set<number>();

  /** `report` receives per-frame problems (with the frame number and the absolute offset). */
  constructor(report: (e: ReplayError) => void, limits?: ReassemblyLimits) {
    this.#report = report;
    this.#reassembler = new Reassembler(limits);
  }

  /** Datagrams waiting for more fragments. */
  get pendingFragments(): number {
    return this.#reassembler.pending;
  }

  /** Decodes one frame; returns its UDP datagram, or `undefined` (not UDP, incomplete, or bad). */
  decode(f: CaptureFrame, base: number): DecodedUdp | undefined {
    // `base` is the absolute offset of f.data[0] in the capture, used to place errors.
    let net: NetworkLayer;
    try {
      net = decodeLink(f.linkType, f.data);
    } catch (e) {
      const re = e as ReplayError;
      if (re.code === ReplayErrorCode.UnsupportedLink) {
        if (this.#unsupported.has(f.linkType)) return undefined;
        this.#unsupported.add(f.linkType);
      }
      this.#fail(re.code, re.detail, f, base + (re.offset ?? 0));
      return undefined;
    }
    if (net.ipVersion === 4) return this.#ipv4(f, base, net.offset);
    if (net.ipVersion === 6) return this.#ipv6(f, base, net.offset);
    return undefined;
  }

  #fail(code: string, message: string, f: CaptureFrame, offset: number): undefined {
    this.#report(new ReplayError(code, message, offset, { frame: f.frame }));
    return undefined;
  }

  #ipv4(f: CaptureFrame, base: number, o: number): DecodedUdp | undefined {
    const d = f.data;
    const avail = d.length - o;
    if (avail < 20)
      return this.#fail(
        ReplayErrorCode.BadIp,
        `IPv4 header cut short (${avail} of 20 bytes)`,
        f,
        base + o,
      );
    const vihl = d[o] as number;
    // Wireshark hands an IPv6 header found under EtherType 0x0800 to its IPv6 dissector; so do we.
    if (vihl >> 4 === 6) return this.#ipv6(f, base, o);
    if (vihl >> 4 !== 4)
      return this.#fail(
        ReplayErrorCode.BadIp,
        `IP version ${vihl >> 4} in an IPv4 frame`,
        f,
        base + o,
      );
    const hlen = (vihl & 0x0f) * 4;
    if (hlen < 20)
      return this.#fail(
        ReplayErrorCode.BadIp,
        `IPv4 header length ${hlen} is below 20`,
        f,
        base + o,
      );
    if (hlen > avail)
      return this.#fail(
        ReplayErrorCode.BadIp,
        `IPv4 header length ${hlen} exceeds the ${avail} captured bytes`,
        f,
        base + o,
      );
    let total = be16(d, o + 2);
    let truncated = false;
    if (total === 0) total = avail; // TCP segmentation offload leaves 0 here
    if (total < hlen)
      return this.#fail(
        ReplayErrorCode.BadIp,
        `IPv4 total length ${total} is below the header length ${hlen}`,
        f,
        base + o + 2,
      );
    if (total > avail) {
      // Cut by the snap length, or a total length beyond the packet: either way, like tshark,
      // go on with the bytes that are there (the latter is also reported).
      const wire = f.originalLength - (d.length - avail);
      if (total > wire) {
        this.#fail(
          ReplayErrorCode.BadIp,
          `IPv4 total length ${total} exceeds the packet length ${wire}`,
          f,
          base + o + 2,
        );
      }
      truncated = true;
      total = avail;
    }
    if (d[o + 9] !== 17) return undefined;
    const src = formatIpv4(d, o + 12);
    const dst = formatIpv4(d, o + 16);
    const fragField = be16(d, o + 6);
    const more = (fragField & 0x2000) !== 0;
    const fragOffset = (fragField & 0x1fff) * 8;
    let payload = d.subarray(o + hlen, o + total);
    let reassembled = false;
    if ((more || fragOffset !== 0) && truncated) {
      // Like Wireshark: a fragment not captured whole is not reassembled; the first one is
      // decoded as far as it goes, the others are not decoded.
      if (fragOffset !== 0) {
        return this.#fail(
          ReplayErrorCode.Reassembly,
          "IPv4 fragment cut short by the snap length",
          f,
          base + o,
        );
      }
    } else if (more || fragOffset !== 0) {
      const key = `4|${src}|${dst}|${be16(d, o + 4)}`;
      const r = this.#reassembler.add(key, fragOffset, more, payload);
      if (r.status === "pending") return undefined;
      if (r.status === "dropped")
        return this.#fail(ReplayErrorCode.Reassembly, r.reason, f, base + o + 6);
      payload = r.payload;
      reassembled = true;
    }
    return this.#udp(
      f,
      4,
      src,
      dst,
      payload,
      reassembled ? -1 : base + o + hlen,
      truncated,
      reassembled,
    );
  }

  #ipv6(f: CaptureFrame, base: number, o: number): DecodedUdp | undefined {
    const d = f.data;
    const avail = d.length - o;
    if (avail < 40)
      return this.#fail(
        ReplayErrorCode.BadIp,
        `IPv6 header cut short (${avail} of 40 bytes)`,
        f,
        base + o,
      );
    if ((d[o] as number) >> 4 !== 6)
      return this.#fail(
        ReplayErrorCode.BadIp,
        `IP version ${(d[o] as number) >> 4} in an IPv6 frame`,
        f,
        base + o,
      );
    let plen = be16(d, o + 4);
    let truncated = false;
    if (plen === 0) plen = avail - 40; // jumbogram (hop-by-hop option) or offload
    if (plen > avail - 40) {
      const wire = f.originalLength - (d.length - avail) - 40;
      if (plen > wire) {
        this.#fail(
          ReplayErrorCode.BadIp,
          `IPv6 payload length ${plen} exceeds the packet length ${wire}`,
          f,
          base + o + 4,
        );
      }
      truncated = true;
      plen = avail - 40;
    }
    const src = formatIpv6(d, o + 8);
    const dst = formatIpv6(d, o + 24);
    let next = d[o + 6] as number;
    let payload = d.subarray(o + 40, o + 40 + plen);
    let at = base + o + 40;
    let reassembled = false;
    for (let n = 0; ; n++) {
      if (next === 17) break;
      if (n >= MAX_IPV6_EXTENSIONS)
        return this.#fail(ReplayErrorCode.BadIp, "too many IPv6 extension headers", f, at);
      if (next === 0 || next === 43 || next === 60 || next === 51) {
        if (payload.length < 8)
          return this.#fail(ReplayErrorCode.BadIp, "IPv6 extension header cut short", f, at);
        const len =
          next === 51 ? ((payload[1] as number) + 2) * 4 : ((payload[1] as number) + 1) * 8;
        if (len > payload.length)
          return this.#fail(
            ReplayErrorCode.BadIp,
            `IPv6 extension header length ${len} exceeds the payload`,
            f,
            at,
          );
        next = payload[0] as number;
        payload = payload.subarray(len);
        if (at >= 0) at += len;
      } else if (next === 44) {
        if (payload.length < 8)
          return this.#fail(ReplayErrorCode.BadIp, "IPv6 fragment header cut short", f, at);
        const field = be16(payload, 2);
        const fragOffset = field & 0xfff8;
        const more = (field & 1) !== 0;
        const id =
          ((payload[4] as number) * 0x1000000 +
            (payload[5] as number) * 0x10000 +
            be16(payload, 6)) >>>
          0;
        next = payload[0] as number;
        payload = payload.subarray(8);
        if (fragOffset === 0 && !more) {
          // atomic fragment (RFC 6946): no reassembly needed
          if (at >= 0) at += 8;
          continue;
        }
        if (reassembled)
          return this.#fail(ReplayErrorCode.BadIp, "nested IPv6 fragment header", f, at);
        if (truncated)
          return this.#fail(
            ReplayErrorCode.Reassembly,
            "IPv6 fragment cut short by the snap length",
            f,
            at,
          );
        const r = this.#reassembler.add(`6|${src}|${dst}|${id}`, fragOffset, more, payload);
        if (r.status === "pending") return undefined;
        if (r.status === "dropped") return this.#fail(ReplayErrorCode.Reassembly, r.reason, f, at);
        payload = r.payload;
        reassembled = true;
        at = -1;
      } else {
        return undefined; // another upper-layer protocol, ESP, or no next header
      }
    }
    return this.#udp(f, 6, src, dst, payload, at, truncated, reassembled);
  }

  #udp(
    f: CaptureFrame,
    ipVersion: 4 | 6,
    srcAddr: string,
    dstAddr: string,
    ipPayload: Uint8Array,
    at: number,
    ipTruncated: boolean,
    reassembled: boolean,
  ): DecodedUdp | undefined {
    // `at` is the absolute offset of the UDP header, or -1 inside a reassembly buffer (then
    // errors point at the frame's start).
    const where = at >= 0 ? at : f.offset;
    const report = (message: string, offset: number) =>
      this.#report(new ReplayError(ReplayErrorCode.BadUdp, message, offset, { frame: f.frame }));
    const n = ipPayload.length;
    if (n === 0) return this.#fail(ReplayErrorCode.BadUdp, "no UDP header", f, where);
    let malformed = false;
    let truncated = false;
    let payload: Uint8Array;
    if (n < 8) {
      // Like tshark: still a UDP datagram (it counts it), with whatever ports are there and no payload.
      report(`UDP header cut short (${n} of 8 bytes)`, where);
      malformed = true;
      truncated = true;
      payload = ipPayload.subarray(n);
    } else {
      let len = be16(ipPayload, 4);
      if (len === 0 && ipVersion === 6) len = n; // jumbogram
      if (len < 8) {
        report(`UDP length ${len} is below 8`, where + 4);
        malformed = true;
        payload = ipPayload.subarray(8, 8);
      } else if (len > n) {
        // The payload is what the IP datagram holds (tshark dissects it too).
        report(
          ipTruncated
            ? "UDP payload cut short by the snap length"
            : `UDP length ${len} exceeds the IP payload (${n} bytes)`,
          ipTruncated ? where : where + 4,
        );
        truncated = true;
        payload = ipPayload.subarray(8);
      } else {
        // Complete, even if the IP datagram around it was cut (then the cut was in padding).
        payload = ipPayload.subarray(8, len);
      }
    }
    return {
      kind: "other",
      frame: f.frame,
      timestampNs: f.timestampNs,
      ipVersion,
      srcAddr,
      dstAddr,
      srcPort: n >= 2 ? be16(ipPayload, 0) : 0,
      dstPort: n >= 4 ? be16(ipPayload, 2) : 0,
      payload,
      reassembled,
      truncated,
      malformed,
      linkType: f.linkType,
    };
  }
}

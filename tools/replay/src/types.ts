/** Link-layer header types we decode (LINKTYPE_* numbers from the pcap/pcapng specifications). */
export type LinkType = number;

/** The LINKTYPE_* values @pxe/replay decodes. Any other value is reported once as `unsupported-link`. */
export const LinkTypes = {
  /** BSD loopback: 4-byte address family in the byte order of the capturing host. */
  Null: 0,
  /** Ethernet II (with 802.1Q / 802.1ad tags). */
  Ethernet: 1,
  /** DLT_RAW as some systems write it into pcap files (raw IPv4/IPv6). */
  RawLegacy: 12,
  /** Raw IPv4 or IPv6, version taken from the first nibble. */
  Raw: 101,
  /** OpenBSD loopback: 4-byte address family in network byte order. */
  Loop: 108,
  /** Linux "cooked" capture v1 (16-byte header). */
  LinuxSll: 113,
  /** Raw IPv4 only. */
  Ipv4: 228,
  /** Raw IPv6 only. */
  Ipv6: 229,
  /** Linux "cooked" capture v2 (20-byte header). */
  LinuxSll2: 276,
} as const;

/** Which protocol a UDP datagram was classified as. */
export type DatagramKind = "dhcp" | "tftp" | "other";

/** The container format of a capture. */
export type CaptureFormat = "pcap" | "pcapng";

/**
 * One frame (packet record) of a capture, before any decoding. `data` is a view into the
 * capture's bytes.
 */
export interface CaptureFrame {
  /** 1-based frame number, as Wireshark/tshark count them. */
  readonly frame: number;
  /** Offset of the frame's record (pcap) or block (pcapng) header in the capture bytes. */
  readonly offset: number;
  /** Capture timestamp in nanoseconds since the Unix epoch. */
  readonly timestampNs: bigint;
  /** Index of the interface (always 0 in classic pcap). */
  readonly interfaceId: number;
  /** LINKTYPE_* of the frame's interface. */
  readonly linkType: LinkType;
  /** Length of the packet on the wire (may exceed `data.length` when the snap length cut it). */
  readonly originalLength: number;
  /** The captured bytes, a view (no copy). */
  readonly data: Uint8Array;
}

/**
 * One UDP datagram found in a capture. `payload` is a zero-copy view into the capture's bytes
 * (or into a reassembly buffer when the IP datagram was fragmented).
 */
export interface UdpDatagram {
  /** 1-based frame number in the capture, as Wireshark/tshark count them (the last fragment's frame for a reassembled datagram). */
  readonly frame: number;
  /** Capture timestamp in nanoseconds since the Unix epoch. */
  readonly timestampNs: bigint;
  /** 4 or 6. */
  readonly ipVersion: 4 | 6;
  /** Source address in text form (`10.0.0.1`, `fe80::1`). */
  readonly srcAddr: string;
  /** Destination address in text form. */
  readonly dstAddr: string;
  /** UDP source port (0 when a malformed header is too short to hold it). */
  readonly srcPort: number;
  /** UDP destination port (0 when a malformed header is too short to hold it). */
  readonly dstPort: number;
  /** UDP payload, a view (no copy). */
  readonly payload: Uint8Array;
  /** Classification: DHCP (ports 67/68/4011), TFTP (port 69 and the transfer flows requests start), other. See {@link Classifier}. */
  readonly kind: DatagramKind;
  // The fields below are always set by this package's reader; they are optional so that code
  // building datagrams by hand (tests of consumers, adapters) does not need them.
  /** True when the IP datagram was reassembled from fragments (then `payload` views a reassembly buffer). */
  readonly reassembled?: boolean;
  /**
   * True when the payload is shorter than the UDP header says (the snap length or a bad length cut
   * it); such datagrams are still yielded, with a per-frame error, as tshark still dissects them.
   */
  readonly truncated?: boolean;
  /**
   * True when the UDP header itself is cut short (fewer than 8 bytes) or its length field is below
   * 8. tshark still counts such a datagram as UDP, so it is yielded (and reported), with whatever
   * ports are present (0 otherwise), an empty payload and kind `other`.
   */
  readonly malformed?: boolean;
  /** LINKTYPE_* of the frame the datagram came from. */
  readonly linkType?: LinkType;
}

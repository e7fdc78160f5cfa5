/** Link-layer header types we decode (LINKTYPE_* numbers from the pcap/pcapng specifications). */
export type LinkType = number;

/** Which protocol a UDP datagram was classified as. */
export type DatagramKind = "dhcp" | "tftp" | "other";

/**
 * One UDP datagram found in a capture. `payload` is a zero-copy view into the capture's bytes
 * (or into a reassembly buffer when the IPv4 datagram was fragmented).
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
  readonly srcPort: number;
  readonly dstPort: number;
  /** UDP payload, a view (no copy). */
  readonly payload: Uint8Array;
  /** Classification: DHCP (ports 67/68/4011), TFTP (port 69 requests and their transfer flows), other. */
  readonly kind: DatagramKind;
}

import type { DatagramKind } from "./types.js";

/** The fields of a datagram the classifier looks at. */
export interface FlowKey {
  readonly srcAddr: string;
  readonly dstAddr: string;
  readonly srcPort: number;
  readonly dstPort: number;
}

/** Options of {@link Classifier}. */
export interface ClassifierOptions {
  /** UDP port of TFTP requests (default 69). */
  readonly tftpPort?: number;
  /** UDP ports that make a datagram DHCP when either side uses one (default 67, 68, 4011). */
  readonly dhcpPorts?: readonly number[];
  /** Most TFTP transfer flows remembered at once; the oldest is forgotten beyond this (default 4096). */
  readonly maxFlows?: number;
}

/**
 * Classifies UDP datagrams as DHCP, TFTP or other, the way Wireshark's dissectors pick them:
 *
 * - a datagram on a remembered TFTP transfer flow is TFTP: a request to the TFTP port from client
 *   endpoint (address, port) to a server address opens a flow, and every later datagram between that
 *   client endpoint and that server address (from any server port: the server answers from a fresh
 *   port) belongs to it;
 * - otherwise the lower of the two ports decides first: a datagram to or from the TFTP port is TFTP
 *   (and opens a flow), one to or from a DHCP port (67, 68, PXE 4011) is DHCP;
 * - everything else is other.
 *
 * Stateful: feed it the datagrams of one capture in capture order. Pure otherwise (no I/O).
 */
export class Classifier {
  readonly #tftpPort: number;
  readonly #dhcpPorts: ReadonlySet<number>;
  readonly #maxFlows: number;
  /** `client addr|client port|server addr` of every TFTP flow seen. */
  readonly #flows = new Set<string>();

  constructor(options: ClassifierOptions = {}) {
    this.#tftpPort = options.tftpPort ?? 69;
    this.#dhcpPorts = new Set(options.dhcpPorts ?? [67, 68, 4011]);
    this.#maxFlows = options.maxFlows ?? 4096;
  }

  /** Number of TFTP flows remembered. */
  get flows(): number {
    return this.#flows.size;
  }

  /** Classifies one datagram and updates the flow table. */
  classify(d: FlowKey): DatagramKind {
    if (this.#flows.size > 0) {
      if (this.#flows.has(`${d.srcAddr}|${d.srcPort}|${d.dstAddr}`)) return "tftp";
      if (this.#flows.has(`${d.dstAddr}|${d.dstPort}|${d.srcAddr}`)) return "tftp";
    }
    const low = Math.min(d.srcPort, d.dstPort);
    const high = Math.max(d.srcPort, d.dstPort);
    for (const port of [low, high]) {
      if (port === this.#tftpPort) {
        if (d.dstPort === this.#tftpPort) this.#remember(`${d.srcAddr}|${d.srcPort}|${d.dstAddr}`);
        else this.#remember(`${d.dstAddr}|${d.dstPort}|${d.srcAddr}`);
        return "tftp";
      }
      if (this.#dhcpPorts.has(port)) return "dhcp";
    }
    return "other";
  }

  #remember(key: string): void {
    if (this.#flows.has(key)) return;
    if (this.#flows.size >= this.#maxFlows) {
      const oldest = this.#flows.values().next().value;
      if (oldest !== undefined) this.#flows.delete(oldest);
    }
    this.#flows.add(key);
  }
}

/**
 * Classifies a list of datagrams in order with a fresh {@link Classifier}; returns one kind per
 * datagram.
 */
export function classifyAll(
  datagrams: readonly FlowKey[],
  options?: ClassifierOptions,
): DatagramKind[] {
  const c = new Classifier(options);
  return datagrams.map((d) => c.classify(d));
}

import type { DatagramKind } from "./types.js";

/** The fields of a datagram the classifier looks at. */
export interface FlowKey {
  readonly srcAddr: string;
  readonly dstAddr: string;
  readonly srcPort: number;
  readonly dstPort: number;
  /**
   * The UDP payload. Without it the classifier decides on ports and flows alone (and treats a
   * datagram to the TFTP port as a valid request).
   */
  readonly payload?: Uint8Array;
}

/** Options of {@link Classifier}. */
export interface ClassifierOptions {
  /** UDP port of TFTP requests (default 69). */
  readonly tftpPort?: number;
  /** UDP ports that make a datagram DHCP when either side uses one (default 67, 68, 4011). */
  readonly dhcpPorts?: readonly number[];
  /**
   * Ports on which a datagram is DHCP only if it carries the DHCP magic cookie (63 82 53 63 at
   * payload offset 236), as Wireshark checks on the PXE port (default 4011).
   */
  readonly cookiePorts?: readonly number[];
  /**
   * Recognise TFTP requests on any port by their content, as Wireshark's TFTP heuristic does
   * (default true): a datagram no port claims, whose payload is a valid read/write request body,
   * is TFTP and opens a flow.
   */
  readonly tftpHeuristic?: boolean;
  /** Most TFTP transfer flows remembered at once; the oldest is forgotten beyond this (default 4096). */
  readonly maxFlows?: number;
}

const MODES = ["netascii", "octet", "mail"];

/**
 * True when `p` (a UDP payload) has the shape of a TFTP read/write request body after its 2-byte
 * opcode: only printable ASCII and NUL bytes, an even, non-zero number of NULs (file name, mode,
 * then option name/value pairs, each NUL-terminated), and a mode of netascii, octet or mail
 * (any case). This is the test Wireshark 4.0 applies before it follows a transfer.
 */
export function isTftpRequestBody(p: Uint8Array): boolean {
  let zeros = 0;
  let firstNul = -1;
  let secondNul = -1;
  for (let i = 2; i < p.length; i++) {
    const c = p[i] as number;
    if (c === 0) {
      zeros++;
      if (firstNul < 0) firstNul = i;
      else if (secondNul < 0) secondNul = i;
    } else if (c < 0x20 || c > 0x7e) {
      return false;
    }
  }
  if (zeros === 0 || zeros % 2 !== 0) return false;
  let mode = "";
  for (let i = firstNul + 1; i < secondNul; i++) mode += String.fromCharCode(p[i] as number);
  return MODES.includes(mode.toLowerCase());
}

/** True when `p` is a TFTP read (1) or write (2) request with a valid body (see {@link isTftpRequestBody}). */
export function isTftpRequest(p: Uint8Array): boolean {
  if (p.length < 4 || p[0] !== 0 || (p[1] !== 1 && p[1] !== 2)) return false;
  return isTftpRequestBody(p);
}

/** True when `p` carries the DHCP magic cookie 63 82 53 63 at offset 236. */
export function hasDhcpCookie(p: Uint8Array): boolean {
  return (
    p.length >= 240 && p[236] === 0x63 && p[237] === 0x82 && p[238] === 0x53 && p[239] === 0x63
  );
}

/**
 * Classifies UDP datagrams as DHCP, TFTP or other, the way Wireshark 4.0's dissectors pick them
 * (checked frame by frame against tshark on every capture of the project's corpus):
 *
 * 1. an empty payload is other (no protocol is dissected);
 * 2. a datagram on a remembered TFTP flow is TFTP. A valid read/write request to the TFTP port
 *    opens a flow for its client endpoint (address, port) and the server address; every later
 *    datagram between that endpoint and that address, from or to any server port (the server
 *    answers from a fresh port), belongs to it;
 * 3. otherwise the lower port decides first, then the higher: the TFTP port is TFTP (opening a flow
 *    when it is a valid request to that port); a DHCP port is DHCP — except that when either port
 *    is a cookie port (4011), DHCP needs the magic cookie;
 * 4. then, with `tftpHeuristic`, a payload with a valid TFTP request body is TFTP and opens a flow;
 * 5. everything else is other.
 *
 * Wireshark knows many more port-based protocols; a DHCP or TFTP port paired with a *lower* port
 * that another dissector claims (e.g. 53 to 68) is DNS there and DHCP here. Real traffic does not
 * do that.
 *
 * Stateful: feed it the datagrams of one capture in capture order. Pure otherwise (no I/O).
 */
export class Classifier {
  readonly #tftpPort: number;
  readonly #dhcpPorts: ReadonlySet<number>;
  readonly #cookiePorts: ReadonlySet<number>;
  readonly #heuristic: boolean;
  readonly #maxFlows: number;
  /** `client addr|client port|server addr` of every TFTP flow seen. */
  readonly #flows = new Set<string>();

  constructor(options: ClassifierOptions = {}) {
    this.#tftpPort = options.tftpPort ?? 69;
    this.#dhcpPorts = new Set(options.dhcpPorts ?? [67, 68, 4011]);
    this.#cookiePorts = new Set(options.cookiePorts ?? [4011]);
    this.#heuristic = options.tftpHeuristic ?? true;
    this.#maxFlows = options.maxFlows ?? 4096;
  }

  /** Number of TFTP flows remembered. */
  get flows(): number {
    return this.#flows.size;
  }

  /** Classifies one datagram and updates the flow table. */
  classify(d: FlowKey): DatagramKind {
    const p = d.payload;
    if (p !== undefined && p.length === 0) return "other";
    if (this.#flows.size > 0) {
      if (this.#flows.has(`${d.srcAddr}|${d.srcPort}|${d.dstAddr}`)) return "tftp";
      if (this.#flows.has(`${d.dstAddr}|${d.dstPort}|${d.srcAddr}`)) return "tftp";
    }
    const dhcpOk =
      p === undefined ||
      hasDhcpCookie(p) ||
      !(this.#cookiePorts.has(d.srcPort) || this.#cookiePorts.has(d.dstPort));
    const low = Math.min(d.srcPort, d.dstPort);
    const high = Math.max(d.srcPort, d.dstPort);
    for (const port of low === high ? [low] : [low, high]) {
      if (port === this.#tftpPort) {
        if (d.dstPort === this.#tftpPort && (p === undefined || isTftpRequest(p))) this.#open(d);
        return "tftp";
      }
      if (dhcpOk && this.#dhcpPorts.has(port)) return "dhcp";
    }
    if (this.#heuristic && p !== undefined && isTftpRequestBody(p)) {
      this.#open(d);
      return "tftp";
    }
    return "other";
  }

  #open(d: FlowKey): void {
    const key = `${d.srcAddr}|${d.srcPort}|${d.dstAddr}`;
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

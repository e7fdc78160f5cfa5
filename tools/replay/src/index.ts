/**
 * @pxe/replay: read pcap/pcapng captures and yield classified UDP datagrams.
 *
 * @packageDocumentation
 */
export { isReplayError, ReplayError } from "./errors.js";
export type { DatagramKind, LinkType, UdpDatagram } from "./types.js";

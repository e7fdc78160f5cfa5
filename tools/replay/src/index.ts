/**
 * @pxe/replay: read pcap/pcapng captures and yield classified UDP datagrams.
 *
 * This entry point works on bytes in memory and imports nothing from `node:*`; the
 * `@pxe/replay/node` subpath adds file reading and gzip.
 *
 * @packageDocumentation
 */
export { formatIpv4, formatIpv6 } from "./address.js";
export {
  type CaptureOptions,
  CaptureReader,
  type CaptureSummary,
  detectFormat,
  type Gunzip,
  isGzip,
  openCapture,
  readCapture,
} from "./capture.js";
export {
  Classifier,
  type ClassifierOptions,
  classifyAll,
  type FlowKey,
  hasDhcpCookie,
  isTftpRequest,
  isTftpRequestBody,
} from "./classify.js";
export { type DecodedUdp, decodeLink, type NetworkLayer, PacketDecoder } from "./decode.js";
export { isReplayError, ReplayError, ReplayErrorCode } from "./errors.js";
export {
  decodePcapHeader,
  isPcapMagic,
  MAX_RECORD_LENGTH,
  type PcapHeader,
  pcapFrames,
} from "./pcap.js";
export { isPcapngMagic, type PcapngInterface, type PcapngState, pcapngFrames } from "./pcapng.js";
export { type FragmentResult, Reassembler, type ReassemblyLimits } from "./reassembly.js";
export type { CaptureFormat, CaptureFrame, DatagramKind, LinkType, UdpDatagram } from "./types.js";
export { LinkTypes } from "./types.js";

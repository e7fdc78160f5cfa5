/**
 * @pxe/tftp: TFTP codec (RFC 1350/2347/2348/2349/7440), sans-IO engines and (under
 * `@pxe/tftp/node`) a Node server and client.
 *
 * @packageDocumentation
 */
export { blockDistance, wireBlock } from "./blocks.js";
export {
  type AdaptiveRtoOptions,
  adaptiveRto,
  backoffRto,
  ClientGetTransfer,
  ClientPutTransfer,
  type ClientTransferOptions,
  type EngineOptions,
  type EngineState,
  type EngineStats,
  ReceiverEngine,
  type RtoPolicy,
  SenderEngine,
  ServerReadTransfer,
  type ServerTransferInit,
  ServerWriteTransfer,
  type TftpEvent,
  TransferEngine,
  type TransferFailure,
} from "./engine.js";
export { isTftpError, TftpError } from "./errors.js";
export { fromNetascii, NetasciiDecoder, NetasciiEncoder, toNetascii } from "./netascii.js";
export {
  acceptOack,
  type ClientRequestOptions,
  DEFAULT_MAX_DECLARED_RCVBUF,
  DEFAULT_WINDOW_BUDGET,
  datagramTruesize,
  type NegotiationRequest,
  negotiateServer,
  type OackCheck,
  OptionLimits,
  parseRequestOptions,
  RCVBUF_SHARE,
  type RequestedOptions,
  requestOptionList,
  type ServerNegotiation,
  type ServerNegotiationResult,
  type TransferParams,
  windowFit,
} from "./options.js";
export {
  type AckPacket,
  type DataPacket,
  type DecodeResult,
  decodePacket,
  ErrorCode,
  type ErrorPacket,
  encodeAck,
  encodeData,
  encodeError,
  encodeOack,
  encodePacket,
  encodeRequest,
  latin1,
  MAX_BLKSIZE,
  type OackPacket,
  Opcode,
  type RequestPacket,
  readBlock,
  readDataPayload,
  readOpcode,
  type TftpOption,
  type TftpPacket,
  tryDecodePacket,
  utf8Encode,
  writeDataHeader,
} from "./wire.js";

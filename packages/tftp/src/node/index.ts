/// <reference types="node" />
/**
 * `@pxe/tftp/node`: a TFTP server and client over `node:dgram`, built on the sans-IO engines of
 * `@pxe/tftp`.
 *
 * @packageDocumentation
 */
export {
  type GetFileOptions,
  type GetFileResult,
  get,
  getFile,
  type PutResult,
  parseTftpUrl,
  put,
  type TftpClientOptions,
  type TftpDownload,
  TftpTransferError,
  type TftpUrl,
} from "./client.js";
export {
  type DatagramBatch,
  type DataSource,
  type DriverHooks,
  EngineDriver,
  type Peer,
  type PositionalReader,
} from "./driver.js";
export { JailError, jailedWriteTarget, jailRelative, openJailed } from "./jail.js";
export {
  createServer,
  type ReadResult,
  type RequestContext,
  TftpRefusal,
  TftpServer,
  type TftpServerEvents,
  type TftpServerOptions,
  type TftpServerStats,
  type TransferInfo,
  type WriteSink,
} from "./server.js";

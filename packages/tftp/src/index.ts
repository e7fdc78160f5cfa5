/**
 * @pxe/tftp: TFTP codec, sans-IO engines and Node adapters.
 *
 * @packageDocumentation
 */
export { isTftpError, TftpError } from "./errors.js";

/**
 * @pxe/ipxe-script: lossless iPXE script parser, model, linter and builder.
 *
 * @packageDocumentation
 */
export { IpxeScriptError, isIpxeScriptError } from "./errors.js";

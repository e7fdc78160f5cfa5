/**
 * @pxe/dhcp: zero-copy DHCPv4 message views, typed options and builders.
 *
 * @packageDocumentation
 */
export { DhcpError, isDhcpError } from "./errors.js";

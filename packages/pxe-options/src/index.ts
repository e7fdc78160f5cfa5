/**
 * @pxe/pxe-options: PXE, UEFI, iPXE and PXELINUX DHCP options and client classification.
 *
 * @packageDocumentation
 */
export { isPxeOptionsError, PxeOptionsError } from "./errors.js";

/**
 * @pxe/pxelinux-cfg: lossless PXELINUX config parser, menu model and iPXE migration.
 *
 * @packageDocumentation
 */
export { isPxelinuxCfgError, PxelinuxCfgError } from "./errors.js";

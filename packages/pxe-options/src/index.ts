/**
 * @pxe/pxe-options: PXE, UEFI, iPXE and PXELINUX DHCP options, client classification, boot policy
 * and proxyDHCP replies.
 *
 * @packageDocumentation
 */
export * from "./arch.js";
export type { ClassifyOptions, ClientClass, Oddity, PxeSummary } from "./classify.js";
export { classify, pxeSummary, RASPBERRY_PI_OUIS } from "./classify.js";
export type { DecodeOptions, OptionCodec } from "./codec.js";
export { type ClientNdi, clientArchCodec, clientNdiCodec } from "./codecs/arch-list.js";
export * from "./codecs/ipxe.js";
export * from "./codecs/machine-id.js";
export * from "./codecs/pxe-vendor.js";
export * from "./codecs/pxelinux.js";
export * from "./codecs/user-class.js";
export * from "./codecs/vendor-class.js";
export * from "./dhcp-registry.js";
export { isPxeOptionsError, PxeOptionsError } from "./errors.js";
export { type DhcpMessageLike, MSG, OPT } from "./message.js";
export * from "./policy.js";
export * from "./reply.js";
export { type DhcpReplyLike, type PxeReplySummary, pxeReplySummary } from "./reply-summary.js";
export type { Encapsulated, SubOptionBase, SubOptionOf } from "./tlv.js";

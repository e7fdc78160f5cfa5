/**
 * @pxe/dhcp: zero-copy DHCPv4 message views, typed options and builders.
 *
 * - {@link DhcpView}: a zero-copy view over the caller's bytes (header accessors, options in
 *   wire order, lookup with RFC 3396 concatenation, option 52 overload).
 * - {@link OptionRegistry} / {@link OptionCodec}: typed option codecs; {@link defaultRegistry}
 *   covers RFC 2132 and the IANA options real networks use; extend it for PXE options.
 * - {@link DhcpMessage}, {@link decodeMessage}, {@link encodeMessage}, {@link encodeInto}: typed
 *   messages that re-encode byte for byte, and builders with firmware-friendly option order.
 *
 * @packageDocumentation
 */

export { bytesEqual, decodeText, fromHex, ipv4ToString, toHex, writeIpv4 } from "./bytes.js";
export {
  bytesOption,
  type ClasslessRoute,
  type ClientFqdn,
  type ClientIdentifier,
  classlessRouteOption,
  clientFqdnOption,
  clientIdOption,
  decodeSubOptions,
  dnsNameListOption,
  emptyOption,
  encodeSubOptions,
  flagOption,
  type Ipv4Pair,
  int32Option,
  ipv4ListOption,
  ipv4Option,
  ipv4PairListOption,
  MessageType,
  messageTypeName,
  parameterListOption,
  RelayAgentSubOption,
  relayAgentOption,
  relayAgentSubOptionName,
  type SipServers,
  type StatusCode,
  type SubOption,
  sipServersOption,
  statusCodeOption,
  subOptionsLength,
  textOption,
  uintListOption,
  uintOption,
  userClassOption,
  type VendorClassEntry,
  type VendorSpecificEntry,
  vendorClassOption,
  vendorSpecificOption,
} from "./codecs.js";
export { DhcpError, type DhcpErrorCode, type DhcpWarning, isDhcpError } from "./errors.js";
export {
  createReply,
  type DecodeOptions,
  type DecodeResult,
  DhcpMessage,
  type DhcpMessageInit,
  type DhcpOptionEntry,
  DhcpOptions,
  decodeMessage,
  type EncodeOptions,
  encodeInto,
  encodeMessage,
  encodingLength,
  messageFromView,
  optionsToJSON,
  type StandardOptionValues,
  toJSONValue,
  tryDecodeMessage,
} from "./message.js";
export { type DecodeContext, type OptionCodec, OptionRegistry, optionError } from "./registry.js";
export { DhcpOption, type DhcpOptionCodes, defaultRegistry, standardCodecs } from "./standard.js";
export {
  BOOTP_HEADER_LENGTH,
  BOOTP_MIN_LENGTH,
  DhcpField,
  DhcpView,
  EntryKind,
  MAGIC_COOKIE,
  OptionArea,
  type OptionView,
  type ViewOptions,
} from "./view.js";

import { DhcpError, DhcpMessage } from "@pxe/dhcp";
import { hex } from "./bytes.js";
import type { OptionCodec } from "./codec.js";
import { clientArchCodec, clientNdiCodec } from "./codecs/arch-list.js";
import { ipxeCodec } from "./codecs/ipxe.js";
import { clientMachineIdCodec } from "./codecs/machine-id.js";
import { pxeVendorCodec } from "./codecs/pxe-vendor.js";
import {
  pxelinuxConfigFileCodec,
  pxelinuxMagicCodec,
  pxelinuxPathPrefixCodec,
  pxelinuxRebootTimeCodec,
} from "./codecs/pxelinux.js";
import { userClassCodec } from "./codecs/user-class.js";
import { vendorClassCodec } from "./codecs/vendor-class.js";
import { isPxeOptionsError } from "./errors.js";
import type { BootReply } from "./reply.js";
import type { DhcpReplyLike } from "./reply-summary.js";

/**
 * The shape of @pxe/dhcp's option codec (its registry extension point), restated here so this
 * package only depends on what it uses.
 */
export interface DhcpRegistryCodec<T> {
  readonly code: number;
  readonly name: string;
  decode(
    data: Uint8Array,
    ctx: { readonly code: number; readonly offset: number; readonly strict: boolean },
  ): T;
  encodingLength(value: T): number;
  encodeInto(value: T, out: Uint8Array, offset: number): number;
  toJSON?(value: T): unknown;
}

/** Anything with @pxe/dhcp `OptionRegistry`'s `register` method. */
export interface CodecRegistryLike {
  register<T>(codec: DhcpRegistryCodec<T>): unknown;
}

const camel = (s: string) => s.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());

/** JSON form of a decoded value: bytes become hex strings, everything else is kept. */
export function pxeValueToJSON(value: unknown): unknown {
  if (value instanceof Uint8Array) return hex(value);
  if (Array.isArray(value)) return value.map(pxeValueToJSON);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = pxeValueToJSON(v);
    return out;
  }
  return value;
}

/**
 * Adapts one of this package's codecs to @pxe/dhcp's codec interface: camelCase name, decode
 * errors rethrown as `DhcpError` (same code, absolute offset in the message, option code).
 * Decoding is lenient unless the message is decoded in strict mode.
 */
export function toDhcpCodec<T>(codec: OptionCodec<T>): DhcpRegistryCodec<T> {
  return {
    code: codec.code,
    name: camel(codec.name),
    decode(data, ctx) {
      try {
        return codec.decode(data, 0, data.length, { lenient: !ctx.strict });
      } catch (e) {
        if (isPxeOptionsError(e)) {
          throw new DhcpError(e.code, e.message, ctx.offset + (e.offset ?? 0), {
            optionCode: codec.code,
            cause: e,
          });
        }
        throw new DhcpError("bad-value", String(e), ctx.offset, {
          optionCode: codec.code,
          cause: e,
        });
      }
    },
    encodingLength: (v) => codec.encodingLength(v),
    encodeInto(value, out, offset) {
      return codec.encode(value, out, offset).length;
    },
    toJSON: pxeValueToJSON,
  };
}

/**
 * Every codec of this package in @pxe/dhcp form: 60, 77, 93, 94, 97, 175, 208-211, and 43 in the
 * PXE vendor space. Option 43 means something else for non-PXE vendors: register the 43 codec
 * only in a registry used for PXE traffic (or use {@link PXE_DHCP_CODECS_WITHOUT_43}).
 */
export const PXE_DHCP_CODECS: readonly DhcpRegistryCodec<unknown>[] = [
  vendorClassCodec,
  pxeVendorCodec,
  userClassCodec,
  clientArchCodec,
  clientNdiCodec,
  clientMachineIdCodec,
  ipxeCodec,
  pxelinuxMagicCodec,
  pxelinuxConfigFileCodec,
  pxelinuxPathPrefixCodec,
  pxelinuxRebootTimeCodec,
].map((c) => toDhcpCodec(c as OptionCodec<unknown>));

/** {@link PXE_DHCP_CODECS} without the option 43 codec. */
export const PXE_DHCP_CODECS_WITHOUT_43: readonly DhcpRegistryCodec<unknown>[] =
  PXE_DHCP_CODECS.filter((c) => c.code !== 43);

/**
 * Registers (overriding) this package's codecs into a @pxe/dhcp `OptionRegistry` (or anything with
 * a compatible `register`). Pass `{ vendorSpecific: false }` to leave option 43 alone. Returns the
 * registry. Use on a registry of your own (`defaultRegistry.extend()`), the default one is locked.
 */
export function registerPxeCodecs<R extends CodecRegistryLike>(
  registry: R,
  options: { readonly vendorSpecific?: boolean } = {},
): R {
  const list = options.vendorSpecific === false ? PXE_DHCP_CODECS_WITHOUT_43 : PXE_DHCP_CODECS;
  for (const c of list) registry.register(c);
  return registry;
}

/**
 * The same reply as a @pxe/dhcp `DhcpMessage` (options kept as raw bytes, in order), for servers
 * that encode with @pxe/dhcp's encoder (`encodeInto` into a reusable buffer, `maxSize` with option
 * 52 overload). `encodeReply` gives the same fields and options without that dependency.
 */
export function toDhcpMessage(reply: BootReply): DhcpMessage {
  const m = new DhcpMessage({
    op: 2,
    htype: reply.htype,
    hlen: reply.hlen,
    xid: reply.xid,
    flags: reply.flags,
    ciaddr: reply.ciaddr,
    yiaddr: reply.yiaddr,
    siaddr: reply.siaddr,
    giaddr: reply.giaddr,
    chaddr: reply.chaddr,
    sname: reply.sname,
    file: reply.file,
  });
  for (const o of reply.options) m.options.setRaw(o.code, o.data);
  return m;
}

/** The members of @pxe/dhcp's `DhcpMessage` that {@link fromDhcpMessage} reads. */
export interface DhcpMessageFields {
  readonly op: number;
  readonly htype: number;
  readonly hlen: number;
  readonly xid: number;
  readonly flags: number;
  readonly ciaddr: string;
  readonly yiaddr: string;
  readonly siaddr: string;
  readonly giaddr: string;
  readonly chaddr: Uint8Array;
  readonly file: string;
  readonly options: { getRaw(code: number): Uint8Array | undefined };
}

/**
 * Adapts a decoded @pxe/dhcp `DhcpMessage` (from `decodeMessage`) to the view this package reads,
 * so `classify`, `pxeSummary` and `pxeReplySummary` take either a `DhcpView` or a `DhcpMessage`.
 */
export function fromDhcpMessage(msg: DhcpMessageFields): DhcpReplyLike {
  const chaddr = msg.chaddr.subarray(0, Math.min(msg.hlen, 16, msg.chaddr.length));
  return {
    op: msg.op,
    htype: msg.htype,
    hlen: msg.hlen,
    xid: msg.xid,
    flags: msg.flags,
    ciaddr: msg.ciaddr,
    yiaddr: msg.yiaddr,
    siaddr: msg.siaddr,
    giaddr: msg.giaddr,
    chaddr,
    file: msg.file,
    get: (code) => msg.options.getRaw(code),
  };
}

import { latin1 } from "./bytes.js";
import { type PxeBootMenuItem, pxeSub, pxeVendorCodec } from "./codecs/pxe-vendor.js";
import { type DhcpMessageLike, MSG, OPT } from "./message.js";

/** A server message as @pxe/dhcp's `DhcpView` exposes it. */
export interface DhcpReplyLike extends DhcpMessageLike {
  readonly yiaddr: string;
  readonly siaddr: string;
  /** `file` text (empty when absent or overloaded). */
  readonly file: string;
}

/** What a server told a booting client, for tools (`pxe replay --verbose`). */
export interface PxeReplySummary {
  /**
   * `proxy-offer` / `proxy-ack`: no address (yiaddr 0.0.0.0) and option 60 `PXEClient`/`HTTPClient`;
   * `offer` / `ack`: an address with boot information.
   */
  readonly role: "proxy-offer" | "proxy-ack" | "offer" | "ack";
  /** Option 60 sent back (`PXEClient`, `HTTPClient`), when any. */
  readonly vendorClass: string | undefined;
  /** Boot file: `file`, else option 67. */
  readonly bootFile: string | undefined;
  /** `siaddr`, when set. */
  readonly nextServer: string | undefined;
  /** 43.6 discovery control bits, when sent. */
  readonly discoveryControl: number | undefined;
  /** 43.9 boot menu, when sent. */
  readonly menu: readonly PxeBootMenuItem[] | undefined;
  /** 43.71 boot item, when echoed. */
  readonly bootItem: { readonly type: number; readonly layer: number } | undefined;
}

/**
 * Summarises a server reply (OFFER or ACK) that carries boot information: a proxyDHCP offer/ACK
 * or a DHCP offer/ACK with a boot file or PXE options. Returns undefined for other messages.
 * Never throws on message content (a malformed 43 is skipped).
 */
export function pxeReplySummary(message: DhcpReplyLike): PxeReplySummary | undefined {
  if (message.op !== 2) return undefined;
  const mt = message.get(OPT.MESSAGE_TYPE)?.[0];
  if (mt !== MSG.OFFER && mt !== MSG.ACK) return undefined;
  const v60 = message.get(OPT.VENDOR_CLASS);
  const vendorClass = v60 ? latin1(v60, 0, v60.length) : undefined;
  const isPxeVendor = vendorClass?.startsWith("PXEClient") || vendorClass?.startsWith("HTTPClient");
  const o67 = message.get(OPT.BOOTFILE_NAME);
  let bootFile: string | undefined = message.file || undefined;
  if (bootFile === undefined && o67) bootFile = latin1(o67, 0, o67.length).replace(/\0+$/, "");
  const raw43 = isPxeVendor ? message.get(OPT.VENDOR_SPECIFIC) : undefined;
  let o43: ReturnType<typeof pxeVendorCodec.decode> | undefined;
  if (raw43) {
    try {
      o43 = pxeVendorCodec.decode(raw43, 0, raw43.length, { lenient: true });
    } catch {
      o43 = undefined;
    }
  }
  if (!isPxeVendor && bootFile === undefined) return undefined;
  const proxy = isPxeVendor === true && message.yiaddr === "0.0.0.0";
  const role = proxy
    ? mt === MSG.OFFER
      ? "proxy-offer"
      : "proxy-ack"
    : mt === MSG.OFFER
      ? "offer"
      : "ack";
  return {
    role,
    vendorClass,
    bootFile,
    nextServer: message.siaddr === "0.0.0.0" ? undefined : message.siaddr,
    discoveryControl: pxeSub(o43, "discovery-control"),
    menu: pxeSub(o43, "boot-menu"),
    bootItem: pxeSub(o43, "boot-item"),
  };
}

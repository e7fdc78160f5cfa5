/**
 * Client classification for `pxe serve`, from `@pxe/pxe-options`' `classify`, reduced to what
 * the boot flow needs.
 */
import {
  type ClientClass,
  classify as classifyClient,
  type DhcpMessageLike,
} from "@pxe/pxe-options";
import type { DhcpMessage } from "./dhcp-wire.js";

/** What kind of network boot client sent a request. */
export interface BootClient {
  /** MAC address, lower-case, colon-separated. */
  mac: string;
  /** Option 60 vendor class, as sent ("" when absent). */
  vendorClass: string;
  /** `pxe` (PXE client), `http` (UEFI HTTP boot) or `other` (not a network boot client). */
  kind: "pxe" | "http" | "other";
  /** Client system architecture (option 93, else from option 60). */
  arch: number | undefined;
  /** True when the client is iPXE (user class `iPXE` in option 77, or option 175 present). */
  ipxe: boolean;
  /** Firmware family (`uefi` for every non-BIOS architecture this server boots). */
  firmware: "bios" | "uefi";
  /** CPU of the architecture. */
  cpu: "x86" | "x86_64" | "arm64" | "arm32" | "other";
  /** SMBIOS UUID from option 97, formatted; undefined when absent. */
  uuid: string | undefined;
  /** Option 97 exactly as sent (type byte + 16 bytes), echoed in proxy replies. */
  uuidRaw: Uint8Array | undefined;
  /** `@pxe/pxe-options`' full classification (what its boot policy and reply builders read). */
  pxe: ClientClass;
}

/** `m` as `@pxe/pxe-options`' {@link DhcpMessageLike} (what its classifier and builders read). */
export function messageLike(m: DhcpMessage): DhcpMessageLike {
  return {
    op: m.op,
    htype: m.htype,
    hlen: m.hlen,
    xid: m.xid,
    flags: m.flags,
    ciaddr: m.ciaddr,
    giaddr: m.giaddr,
    chaddr: m.chaddr.subarray(0, Math.min(16, m.hlen)),
    get: (code: number) => m.options.get(code),
  };
}

/** Classifies the client that sent `m`. */
export function classify(m: DhcpMessage): BootClient {
  const c = classifyClient(messageLike(m));
  const cpu: BootClient["cpu"] =
    c.cpu === "x64" || c.cpu === "ebc"
      ? "x86_64"
      : c.cpu === "x86"
        ? "x86"
        : c.cpu === "arm64"
          ? "arm64"
          : c.cpu === "arm32"
            ? "arm32"
            : "other";
  return {
    mac: c.mac,
    vendorClass: c.vendorClass ?? "",
    kind: c.isHttpBoot ? "http" : c.isPxe ? "pxe" : "other",
    arch: c.arch,
    ipxe: c.isIpxe,
    firmware: c.firmware === "bios" ? "bios" : c.arch === undefined ? "bios" : "uefi",
    cpu: c.arch === undefined ? "x86" : cpu,
    uuid: c.uuid,
    uuidRaw: m.options.get(97),
    pxe: c,
  };
}

/** A short label for logs: `ipxe-uefi-x86_64`, `pxe-bios-x86`, `httpboot-uefi-arm64`... */
export function clientClass(c: BootClient): string {
  const who = c.ipxe ? "ipxe" : c.kind === "http" ? "httpboot" : c.kind === "pxe" ? "pxe" : "dhcp";
  return `${who}-${c.firmware}-${c.cpu}`;
}

/**
 * TEMPORARY (issue 9): client classification and boot-file policy for `pxe serve`, to be
 * replaced by `@pxe/pxe-options` (classification, boot-file policy) once it exports them.
 */
import type { DhcpMessage } from "./dhcp-wire.js";

/** What kind of network boot client sent a request. */
export interface BootClient {
  /** MAC address, lower-case, colon-separated. */
  mac: string;
  /** Option 60 vendor class, as sent ("" when absent). */
  vendorClass: string;
  /** `PXEClient`, `HTTPClient` or neither. */
  kind: "pxe" | "http" | "other";
  /** Client system architecture (option 93, first entry; else from option 60; else undefined). */
  arch: number | undefined;
  /** True when the client is iPXE (user class `iPXE` in option 77, or option 175 present). */
  ipxe: boolean;
  /** Firmware family derived from the architecture. */
  firmware: "bios" | "uefi";
  /** CPU of the architecture. */
  cpu: "x86" | "x86_64" | "arm64" | "arm32" | "other";
  /** SMBIOS UUID from option 97 (type 0 + 16 bytes), formatted; undefined when absent. */
  uuid: string | undefined;
  /** Option 97 exactly as sent, echoed in proxy replies. */
  uuidRaw: Uint8Array | undefined;
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, "0");
}

/** Formats option 97's GUID the way SMBIOS/iPXE print it (first three fields little-endian). */
function formatUuid(b: Uint8Array): string | undefined {
  if (b.length !== 17 || b[0] !== 0) return undefined;
  const g = b.subarray(1);
  const h = (i: number) => hex2(g[i] ?? 0);
  return (
    `${h(3)}${h(2)}${h(1)}${h(0)}-${h(5)}${h(4)}-${h(7)}${h(6)}-${h(8)}${h(9)}-` +
    `${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`
  );
}

/** Reads the RFC 3004 user class (length-prefixed items) or, failing that, a plain string. */
function userClasses(v: Uint8Array | undefined): string[] {
  if (!v || v.length === 0) return [];
  const out: string[] = [];
  let o = 0;
  const dec = new TextDecoder("latin1");
  while (o < v.length) {
    const n = v[o] ?? 0;
    if (n === 0 || o + 1 + n > v.length) return [dec.decode(v)];
    out.push(dec.decode(v.subarray(o + 1, o + 1 + n)));
    o += 1 + n;
  }
  return out;
}

/** Classifies the client that sent `m`. */
export function classify(m: DhcpMessage): BootClient {
  const mac = Array.from(m.chaddr.subarray(0, Math.min(m.hlen, 16)), hex2).join(":");
  const vc = m.options.get(60);
  const vendorClass = vc ? new TextDecoder("latin1").decode(vc) : "";
  const kind = vendorClass.startsWith("PXEClient")
    ? "pxe"
    : vendorClass.startsWith("HTTPClient")
      ? "http"
      : "other";
  let arch: number | undefined;
  const a93 = m.options.get(93);
  if (a93 && a93.length >= 2) arch = ((a93[0] ?? 0) << 8) | (a93[1] ?? 0);
  else {
    const mm = /^(?:PXE|HTTP)Client:Arch:(\d{5})/.exec(vendorClass);
    if (mm?.[1]) arch = Number(mm[1]);
  }
  const uc = userClasses(m.options.get(77));
  const ipxe = uc.includes("iPXE") || m.options.has(175);
  const uuidRaw = m.options.get(97);
  let cpu: BootClient["cpu"] = "other";
  let firmware: BootClient["firmware"] = "bios";
  switch (arch) {
    case undefined:
    case 0:
      cpu = "x86";
      break;
    case 6:
      cpu = "x86";
      firmware = "uefi";
      break;
    case 7:
    case 9:
    case 16:
      cpu = "x86_64";
      firmware = "uefi";
      break;
    case 10:
    case 18:
      cpu = "arm32";
      firmware = "uefi";
      break;
    case 11:
    case 19:
      cpu = "arm64";
      firmware = "uefi";
      break;
    default:
      firmware = "uefi";
  }
  return {
    mac,
    vendorClass,
    kind,
    arch,
    ipxe,
    firmware,
    cpu,
    uuid: uuidRaw ? formatUuid(uuidRaw) : undefined,
    uuidRaw,
  };
}

/** A short label for logs: `ipxe-uefi-x86_64`, `pxe-bios-x86`, `httpboot-uefi-arm64`... */
export function clientClass(c: BootClient): string {
  const who = c.ipxe ? "ipxe" : c.kind === "http" ? "httpboot" : c.kind === "pxe" ? "pxe" : "dhcp";
  return `${who}-${c.firmware}-${c.cpu}`;
}

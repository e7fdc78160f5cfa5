import {
  bytesEqual,
  DhcpView,
  type DhcpWarning,
  defaultRegistry,
  encodeMessage,
  isDhcpError,
  messageFromView,
  messageTypeName,
  optionsToJSON,
} from "@pxe/dhcp";
import {
  fromDhcpMessage,
  PXE_DHCP_CODECS,
  PXE_DHCP_CODECS_WITHOUT_43,
  type PxeReplySummary,
  type PxeSummary,
  pxeReplySummary,
  pxeSummary,
} from "@pxe/pxe-options";
import type { UdpDatagram } from "@pxe/replay";

/** A warning or error as reported in JSON: code, message, offset, option code. */
export interface DhcpIssue {
  code: string;
  message: string;
  offset: number | null;
  optionCode: number | null;
}

/** One decoded (or failed) DHCP message in `--verbose` output. */
export interface DhcpItem {
  /** 1-based frame number in the capture. */
  frame: number;
  /** Upper-case message type (`DISCOVER`...), `BOOTP` without option 53, `null` when undecodable. */
  type: string | null;
  /** Transaction ID as `0x%08x`, `null` when undecodable. */
  xid: string | null;
  /** Client hardware address as colon-separated hex, `null` when undecodable. */
  chaddr: string | null;
  /** Options in wire order with JSON-friendly values (bytes as hex). */
  options: Array<{ code: number; name: string; value: unknown; error?: string }>;
  /** Lenient-mode irregularities. */
  warnings: DhcpIssue[];
  /** Why the message could not be decoded. */
  error?: DhcpIssue;
  /**
   * PXE classification from @pxe/pxe-options: for a PXE/iPXE/HTTP-boot client request its
   * firmware, arch, archName, isIpxe, isHttpBoot, undi...; for a boot server's OFFER/ACK what kind
   * of reply it is. Absent for messages that are neither.
   */
  pxe?: PxeSummary | PxeReplySummary;
}

/** The `dhcp` section of one file in `pxe replay --json` (schema 1). */
export interface DhcpSection {
  /** DHCP datagrams seen (ports 67/68/4011). */
  count: number;
  /** Messages that decoded (lenient mode). */
  decoded: number;
  /** Decoded messages whose re-encoding equals the captured bytes. */
  roundTripIdentical: number;
  /** Total number of warnings over all messages. */
  warnings: number;
  /** Messages that failed to decode (typed `DhcpError`s). */
  errors: number;
  /** Per-message details, with `--verbose` only. */
  items?: DhcpItem[];
}

/** PXE codecs (60, 77, 93, 94, 97, 175, 208-211) for every message... */
const pxeRegistry = defaultRegistry.extend(...PXE_DHCP_CODECS_WITHOUT_43);
/** ...and option 43 read as PXE vendor sub-options only when the vendor class says PXE. */
const pxeVendorRegistry = defaultRegistry.extend(...PXE_DHCP_CODECS);

/** Decodes once, with the registry the message's own vendor class (option 60) calls for. */
function decodeWithPxe(payload: Uint8Array) {
  const view = new DhcpView(payload);
  const pxeVendor =
    view.has(43) && (view.startsWith(60, "PXEClient") || view.startsWith(60, "HTTPClient"));
  return messageFromView(view, { registry: pxeVendor ? pxeVendorRegistry : pxeRegistry });
}

function issue(w: {
  code: string;
  message: string;
  offset?: number | undefined;
  optionCode?: number | undefined;
}): DhcpIssue {
  return {
    code: w.code,
    message: w.message,
    offset: w.offset ?? null,
    optionCode: w.optionCode ?? null,
  };
}

/** Builds the `dhcp` section from the datagrams classified as DHCP, in capture order. */
export function dhcpSection(
  datagrams: readonly UdpDatagram[],
  opts: { verbose: boolean },
): DhcpSection {
  const section: DhcpSection = {
    count: datagrams.length,
    decoded: 0,
    roundTripIdentical: 0,
    warnings: 0,
    errors: 0,
  };
  const items: DhcpItem[] = [];
  for (const d of datagrams) {
    try {
      const msg = decodeWithPxe(d.payload);
      section.decoded++;
      section.warnings += msg.warnings.length;
      let same = false;
      try {
        same = bytesEqual(encodeMessage(msg), d.payload);
      } catch (err) {
        if (!isDhcpError(err)) throw err;
      }
      if (same) section.roundTripIdentical++;
      if (opts.verbose) {
        const item: DhcpItem = {
          frame: d.frame,
          type: messageTypeName(msg.type),
          xid: `0x${msg.xid.toString(16).padStart(8, "0")}`,
          chaddr: msg.chaddrText,
          options: optionsToJSON(msg.options),
          warnings: msg.warnings.map((w: DhcpWarning) => issue(w)),
        };
        const like = fromDhcpMessage(msg);
        const pxe = pxeSummary(like) ?? pxeReplySummary(like);
        if (pxe) item.pxe = pxe;
        items.push(item);
      }
    } catch (err) {
      if (!isDhcpError(err)) throw err;
      section.errors++;
      if (opts.verbose) {
        items.push({
          frame: d.frame,
          type: null,
          xid: null,
          chaddr: null,
          options: [],
          warnings: [],
          error: issue(err),
        });
      }
    }
  }
  if (opts.verbose) section.items = items;
  return section;
}

function valueText(v: unknown): string {
  if (typeof v === "string") return v;
  return JSON.stringify(v);
}

/**
 * Human form of one item, a shorter `tshark -V`: a summary line, one line per option, then
 * warnings and the error, each indented.
 */
export function formatDhcpItem(item: DhcpItem): string[] {
  if (item.error) {
    return [`frame ${item.frame}: DHCP error ${item.error.code}: ${item.error.message}`];
  }
  const lines = [`frame ${item.frame}: DHCP ${item.type} xid ${item.xid} chaddr ${item.chaddr}`];
  if (item.pxe) lines.push(`    pxe: ${JSON.stringify(item.pxe)}`);
  for (const o of item.options) {
    lines.push(
      `    (${o.code}) ${o.name}: ${valueText(o.value)}${o.error ? ` [error: ${o.error}]` : ""}`,
    );
  }
  for (const w of item.warnings) {
    lines.push(
      `    warning ${w.code} at offset ${w.offset}${w.optionCode === null ? "" : ` (option ${w.optionCode})`}: ${w.message}`,
    );
  }
  return lines;
}

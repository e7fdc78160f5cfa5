/**
 * The data behind `pxe replay`: one report per capture file, the JSON document (schema 1) and the
 * human table. Kept apart from the command so tests can call it without spawning a process.
 */
import {
  type CaptureSummary,
  isReplayError,
  readCapture,
  type UdpDatagram,
} from "@pxe/replay/node";
import { type DhcpSection, dhcpSection, formatDhcpItem } from "./dhcp.js";
import { type TftpSection, tftpSection } from "./tftp.js";

/** Version of the `pxe replay --json` document. Bumped only on incompatible changes. */
export const REPLAY_SCHEMA = 1;

/** Most errors listed per file in the JSON; `errorCount` always has the full number. */
export const MAX_LISTED_ERRORS = 1000;

/** One problem in the JSON output. `frame`/`offset` are null when the problem has none. */
export interface ReplayErrorJson {
  frame: number | null;
  offset: number | null;
  code: string;
  message: string;
}

/** One file in the JSON output (schema 1). */
export interface ReplayFileJson {
  file: string;
  /** null when the file could not be read as a capture (then `errors` says why). */
  format: "pcap" | "pcapng" | null;
  compressed: boolean;
  linkTypes: number[];
  frames: number;
  udp: number;
  other: number;
  /** Built by `dhcpSection` (replay/dhcp.ts); always has `count`. */
  dhcp: DhcpSection;
  /** Built by `tftpSection` (replay/tftp.ts); always has `count`. */
  tftp: TftpSection;
  errorCount: number;
  errors: ReplayErrorJson[];
}

/** The whole `pxe replay --json` document. */
export interface ReplayJson {
  schema: typeof REPLAY_SCHEMA;
  files: ReplayFileJson[];
}

/** What {@link replayFiles} returns: the document and the exit code the command should use. */
export interface ReplayResult {
  json: ReplayJson;
  /** 0 when every file was read as a capture, 2 when one could not be opened or is not a capture. */
  exitCode: 0 | 2;
}

function errorJson(e: unknown): ReplayErrorJson {
  if (isReplayError(e)) {
    return {
      frame: e.frame ?? null,
      offset: e.offset ?? null,
      code: e.code,
      message: typeof e.detail === "string" ? e.detail : e.message,
    };
  }
  return {
    frame: null,
    offset: null,
    code: "internal",
    message: e instanceof Error ? e.message : String(e),
  };
}

/** Builds the report of one capture that could be read. */
export function fileReport(
  file: string,
  cap: CaptureSummary,
  opts: { verbose: boolean },
): ReplayFileJson {
  const dhcp: UdpDatagram[] = [];
  const tftp: UdpDatagram[] = [];
  let other = 0;
  for (const d of cap.datagrams) {
    if (d.kind === "dhcp") dhcp.push(d);
    else if (d.kind === "tftp") tftp.push(d);
    else other++;
  }
  return {
    file,
    format: cap.format,
    compressed: cap.compressed,
    linkTypes: [...cap.linkTypes],
    frames: cap.frames,
    udp: cap.datagrams.length,
    other,
    dhcp: dhcpSection(dhcp, opts),
    tftp: tftpSection(tftp, opts),
    errorCount: cap.errors.length,
    errors: cap.errors.slice(0, MAX_LISTED_ERRORS).map(errorJson),
  };
}

/** The report of a file that could not be opened or is not a capture. */
export function failedReport(
  file: string,
  error: unknown,
  opts: { verbose: boolean },
): ReplayFileJson {
  return {
    file,
    format: null,
    compressed: false,
    linkTypes: [],
    frames: 0,
    udp: 0,
    other: 0,
    dhcp: dhcpSection([], opts),
    tftp: tftpSection([], opts),
    errorCount: 1,
    errors: [errorJson(error)],
  };
}

/** Reads every file and builds the schema-1 document; never throws for bad files. */
export function replayFiles(files: readonly string[], opts: { verbose: boolean }): ReplayResult {
  let exitCode: 0 | 2 = 0;
  const out: ReplayFileJson[] = [];
  for (const file of files) {
    let cap: CaptureSummary;
    try {
      cap = readCapture(file);
    } catch (e) {
      exitCode = 2;
      out.push(failedReport(file, e, opts));
      continue;
    }
    out.push(fileReport(file, cap, opts));
  }
  return { json: { schema: REPLAY_SCHEMA, files: out }, exitCode };
}

function scalars(prefix: string, section: object): [string, string][] {
  const rows: [string, string][] = [];
  for (const [k, v] of Object.entries(section)) {
    if (
      typeof v === "number" ||
      typeof v === "string" ||
      typeof v === "boolean" ||
      typeof v === "bigint"
    ) {
      rows.push([`${prefix}.${k}`, String(v)]);
    }
  }
  return rows;
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

/**
 * Renders the human output: a table with one row per file (frames, UDP, DHCP, TFTP, other,
 * errors), then per file the scalar fields of its `dhcp` and `tftp` sections and its errors
 * (the first 10, or all with `verbose`).
 */
export function renderHuman(json: ReplayJson, opts: { verbose: boolean }): string {
  const head = ["file", "format", "frames", "udp", "dhcp", "tftp", "other", "errors"];
  const rows = json.files.map((f) => [
    f.file,
    f.format === null ? "-" : f.compressed ? `${f.format}.gz` : f.format,
    String(f.frames),
    String(f.udp),
    String(f.dhcp.count),
    String(f.tftp.count),
    String(f.other),
    String(f.errorCount),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => pad(c, widths[i] ?? 0, i >= 2))
      .join("  ")
      .trimEnd();
  const lines = [line(head), ...rows.map(line)];
  for (const f of json.files) {
    lines.push("", `${f.file}:`);
    if (f.format !== null) {
      const detail = [...scalars("dhcp", f.dhcp), ...scalars("tftp", f.tftp)];
      const w = Math.max(0, ...detail.map(([k]) => k.length));
      for (const [k, v] of detail) lines.push(`  ${pad(k, w)}  ${v}`);
      if (opts.verbose) for (const item of f.dhcp.items ?? []) lines.push(...formatDhcpItem(item));
    }
    const shown = opts.verbose ? f.errors : f.errors.slice(0, 10);
    for (const e of shown) {
      const where = [
        e.frame === null ? "" : `frame ${e.frame}`,
        e.offset === null ? "" : `offset ${e.offset}`,
      ]
        .filter((s) => s !== "")
        .join(", ");
      lines.push(`  error ${e.code}${where === "" ? "" : ` (${where})`}: ${e.message}`);
    }
    if (f.errorCount > shown.length)
      lines.push(
        `  ... ${f.errorCount - shown.length} more errors (--json or --verbose lists them)`,
      );
  }
  return `${lines.join("\n")}\n`;
}

/**
 * Lint and format entry points for a single config text (what `pxe lint` / `pxe fmt` use).
 */
import { isCSpace, utf8Width } from "./chars.js";
import { type CstLine, parse, print } from "./cst.js";
import type { Diagnostic } from "./diagnostics.js";
import { KernelTypes } from "./directives.js";
import { modelFromText, type Reader } from "./model.js";

/** Result of {@link lintText}. */
export interface LintResult {
  /** True when print(parse(text)) === text (always, by construction; checked anyway). */
  readonly roundTrip: boolean;
  readonly reader: Reader;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Lints one config text on its own: syntax findings plus the model's findings under the reader
 * the text selects. INCLUDEs are not followed, and a stray MENU END is only a warning, because a
 * lone file may be a fragment meant to be included.
 */
export function lintText(text: string, name = ""): LintResult {
  const roundTrip = print(parse(text)) === text;
  const model = modelFromText(text, { name });
  return { roundTrip, reader: model.reader, diagnostics: model.diagnostics };
}

/** Directives that belong to the LABEL block they follow (indented one step by the formatter). */
const LABEL_MEMBERS = new Set<string>([
  "append",
  "initrd",
  "ipappend",
  "sysappend",
  ...KernelTypes,
  "menu label",
  "menu default",
  "menu hide",
  "menu passwd",
  "menu disable",
  "menu disabled",
  "menu indent",
  "menu quit",
  "menu goto",
  "menu exit",
  "menu help",
  "text help",
  "text",
]);

/** Ends a label block. */
const LABEL_CLOSERS = new Set([
  "label",
  "menu begin",
  "menu end",
  "menu separator",
  "include",
  "menu include",
]);

function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) n += utf8Width(s, i);
  return n;
}

/**
 * Formats a config without changing what either syslinux reader makes of it: keywords in
 * canonical upper case with single spaces, one space before the value, two spaces of indent
 * per submenu level and one more step inside LABEL blocks, blank lines emptied. TEXT bodies,
 * comments, unknown lines, label names and values (trailing whitespace included) are kept
 * byte for byte, as are lines where a change could matter (SAY, NOHALT, control bytes, lines
 * near the 4095-byte limit, split lines).
 */
export function formatText(text: string): string {
  const cfg = parse(text);
  let out = "";
  let depth = 0;
  let inLabel = false;
  let textIndent = "";
  const lines = cfg.lines;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as CstLine;
    const raw = l.indent + l.keyword + l.sep + l.value + l.tail + l.eol;
    const prevSplit = i > 0 && (lines[i - 1] as CstLine).split;
    if (l.split || prevSplit) {
      out += raw;
      continue;
    }
    if (l.kind === "text-body") {
      out += raw;
      continue;
    }
    if (l.kind === "blank") {
      out += l.tail + l.eol;
      continue;
    }
    if (l.kind === "text-end") {
      out += textIndent + l.keyword.toUpperCase() + (l.value === "" ? "" : l.sep) + l.value + l.eol;
      continue;
    }
    if (l.kind !== "directive") {
      out += raw;
      continue;
    }
    const name = l.name;
    if (name === "menu end") depth = Math.max(0, depth - 1);
    if (LABEL_CLOSERS.has(name)) inLabel = false;
    const member = inLabel && LABEL_MEMBERS.has(name);
    const indent = "  ".repeat(depth + (member ? 1 : 0));
    if (name === "label") inLabel = true;
    if (name === "menu begin") depth++;
    let sepOk = true;
    for (let k = 0; k < l.sep.length; k++) if (!isCSpace(l.sep.charCodeAt(k))) sepOk = false;
    if (!l.coreIndent || !sepOk || name === "nohalt") {
      out += raw;
      continue;
    }
    if (l.textEnd !== null) textIndent = indent;
    const keyword = name.toUpperCase();
    const sep = name === "say" ? l.sep : l.value === "" ? "" : " ";
    const line = indent + keyword + sep + l.value;
    if (line.length * 3 > 4000 && utf8Length(line) + 1 > 4095) {
      out += raw;
      continue;
    }
    out += line + l.tail + l.eol;
  }
  return out;
}

/**
 * Formatter: normalises layout without changing what iPXE executes.
 *
 * - continuation lines are joined (iPXE joins them with nothing inserted, so the logical line is
 *   unchanged), runs of whitespace between tokens become one space (iPXE splits on whitespace and
 *   re-joins arguments with single spaces), indentation and trailing whitespace go;
 * - a line whose last token ends in `\` keeps one trailing space (else it would become a
 *   continuation);
 * - runs of blank lines collapse to one, blank lines at the end go, the file ends with a newline;
 * - the dominant line ending (LF or CRLF) is kept;
 * - comments keep their text; a BOM and a continuation at end of file are left exactly as they are,
 *   and a line cut by a NUL byte keeps the NUL and what follows it (changing them would change what
 *   iPXE does).
 *
 * @module
 */
import { type Line, newlineOf, parseTree } from "./syntax.js";

function lineWithoutEol(line: Line): string {
  let s = "";
  for (const t of line.tokens) if (t.kind !== "Newline" && t.kind !== "Bom") s += t.text;
  return s;
}

function formatLine(line: Line): string {
  if (line.continuationAtEof) return lineWithoutEol(line);
  const parts: string[] = [];
  if (line.label) parts.push(`:${line.label.name}`);
  // Words and operators in source order (the segments hold exactly those tokens, in order).
  for (const seg of line.segments) {
    for (const w of seg.words) parts.push(w.value);
    if (seg.operator) parts.push(seg.operator.op);
  }
  if (line.comment) parts.push(line.comment.value.replace(/[ \t\v\f\r]+$/, ""));
  let out = parts.join(" ");
  const ignored = line.hasNul ? line.tokens.find((t) => t.kind === "Ignored") : undefined;
  if (ignored) {
    // Everything from the NUL on is ignored by iPXE; keep it (logically) so the line still stops there.
    out += ignored.text.replace(/\\\r?\n/g, "").replace(/[ \t\v\f\r]+$/, "");
  }
  if (out.endsWith("\\")) out += " ";
  return out;
}

/** Formats an iPXE script. `format(format(x)) === format(x)`; never throws. */
export function format(text: string): string {
  const tree = parseTree(text);
  if (tree.lines.length === 0) return text;
  let crlf = 0;
  let lf = 0;
  for (const line of tree.lines) {
    const nl = newlineOf(line);
    if (nl !== "") {
      if (nl === "\r\n") crlf++;
      else lf++;
    }
  }
  const eol = crlf > lf ? "\r\n" : "\n";
  const out: string[] = [];
  let blank = false;
  let tail = "";
  for (const line of tree.lines) {
    if (line.continuationAtEof) {
      // Keep the failing last line byte for byte (including its backslash).
      let s = "";
      for (const t of line.tokens) s += t.text;
      tail = s;
      break;
    }
    let s = formatLine(line);
    if (line.index === 0 && tree.bom) s = `\ufeff${s}`;
    if (s === "") {
      if (out.length > 0) blank = true;
      continue;
    }
    if (blank) out.push("");
    blank = false;
    out.push(s);
  }
  if (tail) {
    if (blank) out.push("");
    return out.length ? `${out.join(eol)}${eol}${tail}` : tail;
  }
  return out.length ? `${out.join(eol)}${eol}` : tree.bom ? `\ufeff${eol}` : "";
}

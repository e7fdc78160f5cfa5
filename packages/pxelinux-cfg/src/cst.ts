/**
 * Lossless concrete syntax tree of a PXELINUX/SYSLINUX config file.
 *
 * The file is cut into records exactly as syslinux's `fgets(line, 4096, f)` loop does: a record
 * ends after a `\n` or after 4095 bytes (UTF-8), whichever comes first. Outside `TEXT` blocks a
 * record's meaningful content stops at its first `\r` or NUL; what follows is kept as an inert
 * `tail`. Every code unit of the input belongs to exactly one field of one line, so
 * `print(parse(text)) === text` for every string.
 */
import { isCSpace, isSyslinuxSpace, utf8Width } from "./chars.js";
import { type Diagnostic, DiagnosticCode, type Severity } from "./diagnostics.js";
import { MenuKeywords, TopKeywords } from "./directives.js";

/** What a line is. */
export type LineKind =
  /** nothing but whitespace (and possibly an ignored tail) */
  | "blank"
  /** first non-blank byte is `#` (matches no keyword, as syslinux ignores it) */
  | "comment"
  /** a keyword at least one reader knows */
  | "directive"
  /** a first word no reader knows (ignored by syslinux, kept here) */
  | "unknown"
  /** a raw line inside a `TEXT ... ENDTEXT` block */
  | "text-body"
  /** the `ENDTEXT` line closing a `TEXT` block */
  | "text-end";

/** One record (physical line, or a 4095-byte piece of a longer one). */
export interface CstLine {
  readonly kind: LineKind;
  /** Offset of the record's first code unit in the file. */
  readonly offset: number;
  /** 1-based editor line number (lines end at `\n`). */
  readonly line: number;
  /** 1-based column of the record's first code unit (1 unless the record continues a split line). */
  readonly column: number;
  /** Leading whitespace. */
  readonly indent: string;
  /** Keyword text as written, including any sub-keywords (`Menu  Label`, `MENU MASTER PASSWD`, `F 1`). */
  readonly keyword: string;
  /** Directive name, folded and joined by single spaces (`menu label`, `f1`, `text help`); `""` when none. */
  readonly name: string;
  /** Whitespace between keyword and value. */
  readonly sep: string;
  /** The argument: the rest of the content verbatim, trailing whitespace included. */
  readonly value: string;
  /** What follows the first `\r` or NUL (ignored by syslinux), excluding the final `\n`. */
  readonly tail: string;
  /** `"\n"`, or `""` for the last line without newline and for a record split at 4095 bytes. */
  readonly eol: "\n" | "";
  /** True when this record was cut at 4095 bytes (the next record continues the same editor line). */
  readonly split: boolean;
  /** False when the indent holds control bytes the core reader's `isspace()` does not skip. */
  readonly coreIndent: boolean;
  /** For a `TEXT` line: index of its `ENDTEXT` line, or -1 if never closed; `null` for other lines. */
  readonly textEnd: number | null;
}

/** A parsed config file: its text and its lines. */
export interface ConfigFile {
  readonly text: string;
  readonly lines: readonly CstLine[];
}

/** Parses `text` into lines. Never throws; every input gives a tree. */
export function parse(text: string): ConfigFile {
  const lines: Line[] = [];
  const n = text.length;
  let pos = 0;
  let lineNo = 1;
  let col = 1;
  let openText = -1;
  // Next \r and NUL at or after pos (-1: none left); found with indexOf, not byte loops.
  let cr = text.indexOf("\r");
  let nul = text.indexOf("\u0000");
  while (pos < n) {
    const nl = text.indexOf("\n", pos);
    const limit = nl < 0 ? n : nl + 1;
    let recEnd = limit;
    let split = false;
    if ((limit - pos) * 3 > 4095) {
      let bytes = 0;
      let i = pos;
      while (i < limit) {
        const w = utf8Width(text, i);
        if (bytes + w > 4095) break;
        bytes += w;
        i++;
      }
      if (i < limit) {
        recEnd = i;
        split = true;
      }
    }
    const hasNl = !split && text.charCodeAt(recEnd - 1) === 10;
    const bodyEnd = hasNl ? recEnd - 1 : recEnd;
    let line: Line;
    if (openText >= 0) {
      line = textLine(text, pos, bodyEnd, hasNl, lineNo, col, split);
      if (line.kind === "text-end") {
        (lines[openText] as Line).textEnd = lines.length;
        openText = -1;
      }
    } else {
      if (cr >= 0 && cr < pos) cr = text.indexOf("\r", pos);
      if (nul >= 0 && nul < pos) nul = text.indexOf("\u0000", pos);
      let ce = bodyEnd;
      if (cr >= 0 && cr < ce) ce = cr;
      if (nul >= 0 && nul < ce) ce = nul;
      line = plainLine(text, pos, ce, bodyEnd, hasNl, lineNo, col, split);
      if (line.name === "text" || line.name === "text help") openText = lines.length;
    }
    lines.push(line);
    if (hasNl) {
      lineNo++;
      col = 1;
    } else {
      col += recEnd - pos;
    }
    pos = recEnd;
  }
  return { text, lines };
}

/** Keywords by length, for allocation-free matching of a line's first word. */
function byLength(words: Iterable<string>): string[][] {
  const out: string[][] = [];
  for (const k of words) {
    const list = out[k.length] ?? [];
    list.push(k);
    out[k.length] = list;
  }
  return out;
}
const TOP_BY_LEN = byLength(TopKeywords);
const MENU_BY_LEN = byLength(MenuKeywords);
/** Returns `s` as an internalized string, so later `===`/`switch` tests are pointer compares. */
function intern(s: string): string {
  return Object.keys({ [s]: 0 })[0] ?? s;
}
const MENU_NAMES = new Map<string, string>([...MenuKeywords].map((k) => [k, intern(`menu ${k}`)]));

/** True when text[i, j) folds (looking_at() rules) to `kw`, which has the same length. */
function foldEquals(text: string, i: number, kw: string): boolean {
  for (let k = 0; k < kw.length; k++) {
    const c = text.charCodeAt(i + k);
    if ((c < 0x80 ? c | 0x20 : c) !== kw.charCodeAt(k)) return false;
  }
  return true;
}

function matchKeyword(table: string[][], text: string, i: number, j: number): string | undefined {
  const cands = table[j - i];
  if (!cands) return undefined;
  for (const kw of cands) if (foldEquals(text, i, kw)) return kw;
  return undefined;
}

/**
 * One line. Fields are offsets into the file text; the string fields are computed on demand so
 * parsing allocates one small object per line.
 */
class Line implements CstLine {
  constructor(
    private readonly src: string,
    readonly kind: LineKind,
    readonly offset: number,
    readonly line: number,
    readonly column: number,
    readonly kwStart: number,
    readonly kwEnd: number,
    readonly valStart: number,
    readonly valEnd: number,
    readonly bodyEnd: number,
    private readonly hasNl: boolean,
    readonly name: string,
    readonly split: boolean,
    readonly coreIndent: boolean,
    public textEnd: number | null,
  ) {}
  get indent(): string {
    return this.src.slice(this.offset, this.kwStart);
  }
  get keyword(): string {
    return this.src.slice(this.kwStart, this.kwEnd);
  }
  get sep(): string {
    return this.src.slice(this.kwEnd, this.valStart);
  }
  get value(): string {
    return this.src.slice(this.valStart, this.valEnd);
  }
  get tail(): string {
    return this.src.slice(this.valEnd, this.bodyEnd);
  }
  get eol(): "\n" | "" {
    return this.hasNl ? "\n" : "";
  }
  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      offset: this.offset,
      line: this.line,
      column: this.column,
      indent: this.indent,
      keyword: this.keyword,
      name: this.name,
      sep: this.sep,
      value: this.value,
      tail: this.tail,
      eol: this.eol,
      split: this.split,
      coreIndent: this.coreIndent,
      textEnd: this.textEnd,
    };
  }
}

function textLine(
  text: string,
  pos: number,
  bodyEnd: number,
  hasNl: boolean,
  lineNo: number,
  col: number,
  split: boolean,
): Line {
  // ENDTEXT is looked for on the raw record: skipspace(), then looking_at("endtext").
  let i = pos;
  while (i < bodyEnd && isCSpace(text.charCodeAt(i))) i++;
  const k = i + 7;
  if (k <= bodyEnd && foldEquals(text, i, "endtext")) {
    if (k === bodyEnd || isSyslinuxSpace(text.charCodeAt(k))) {
      let s = k;
      while (s < bodyEnd && isSyslinuxSpace(text.charCodeAt(s))) s++;
      return new Line(
        text,
        "text-end",
        pos,
        lineNo,
        col,
        i,
        k,
        s,
        bodyEnd,
        bodyEnd,
        hasNl,
        "endtext",
        split,
        true,
        null,
      );
    }
  }
  return new Line(
    text,
    "text-body",
    pos,
    lineNo,
    col,
    pos,
    pos,
    pos,
    bodyEnd,
    bodyEnd,
    hasNl,
    "",
    split,
    true,
    null,
  );
}

function skipWs(text: string, i: number, end: number): number {
  while (i < end && isSyslinuxSpace(text.charCodeAt(i))) i++;
  return i;
}

function wordEnd(text: string, i: number, end: number): number {
  while (i < end && !isSyslinuxSpace(text.charCodeAt(i))) i++;
  return i;
}

/** `is_fkey()`: `F`, then what `strtoul(.., 10)` reads, then a space; 0..12 (0 means F10's slot, shown as F0). */
function fkeyEnd(text: string, i: number, end: number): { end: number; no: number } | null {
  const p = i + 1;
  let q = p;
  while (q < end && isCSpace(text.charCodeAt(q))) q++;
  let neg = false;
  const sign = text.charCodeAt(q);
  if (sign === 0x2b || sign === 0x2d) {
    neg = sign === 0x2d;
    q++;
  }
  const ds = q;
  let v = 0;
  while (q < end) {
    const c = text.charCodeAt(q);
    if (c < 0x30 || c > 0x39) break;
    v = Math.min(v * 10 + (c - 0x30), 1e12);
    q++;
  }
  if (q === ds) {
    q = p;
    v = 0;
  }
  if (q < end && !isSyslinuxSpace(text.charCodeAt(q))) return null;
  if (neg && v !== 0) return null;
  if (v > 12) return null;
  return { end: q, no: v };
}

const FKEY_NAMES = Array.from({ length: 13 }, (_, n) => intern(`f${n}`));

function plainLine(
  text: string,
  pos: number,
  ce: number,
  bodyEnd: number,
  hasNl: boolean,
  lineNo: number,
  col: number,
  split: boolean,
): Line {
  let i = pos;
  let coreIndent = true;
  while (i < ce) {
    const c = text.charCodeAt(i);
    if (!isSyslinuxSpace(c)) break;
    if (!isCSpace(c)) coreIndent = false;
    i++;
  }
  // A blank line and a comment line differ only in kind: no keyword, the rest is the value.
  if (i === ce || text.charCodeAt(i) === 0x23) {
    return new Line(
      text,
      i === ce ? "blank" : "comment",
      pos,
      lineNo,
      col,
      i,
      i,
      i,
      ce,
      bodyEnd,
      hasNl,
      "",
      split,
      coreIndent,
      null,
    );
  }
  const j = wordEnd(text, i, ce);
  let name = "";
  let kwEnd = j;
  let kind: LineKind = "directive";
  let textEnd: number | null = null;
  if (j - i === 4 && foldEquals(text, i, "menu")) {
    const k = skipWs(text, j, ce);
    const l = wordEnd(text, k, ce);
    const sub = matchKeyword(MENU_BY_LEN, text, k, l);
    if (l - k === 6 && foldEquals(text, k, "master")) {
      const m = skipWs(text, l, ce);
      const o = wordEnd(text, m, ce);
      if (o - m === 6 && foldEquals(text, m, "passwd")) {
        name = "menu master passwd";
        kwEnd = o;
      } else {
        kind = "unknown";
        kwEnd = l;
      }
    } else if (sub !== undefined) {
      name = MENU_NAMES.get(sub) ?? `menu ${sub}`;
      kwEnd = l;
    } else {
      kind = "unknown";
      kwEnd = l === k ? j : l;
    }
  } else if (j - i === 4 && foldEquals(text, i, "text")) {
    const k = skipWs(text, j, ce);
    const l = wordEnd(text, k, ce);
    if (l - k === 4 && foldEquals(text, k, "help")) {
      name = "text help";
      kwEnd = l;
    } else {
      name = "text";
    }
    textEnd = -1;
  } else {
    const f = (text.charCodeAt(i) | 0x20) === 0x66 ? fkeyEnd(text, i, ce) : null;
    if (f) {
      name = FKEY_NAMES[f.no] ?? `f${f.no}`;
      kwEnd = f.end;
    } else {
      const kw = matchKeyword(TOP_BY_LEN, text, i, j);
      if (kw !== undefined) name = kw;
      else kind = "unknown";
    }
  }
  const vs = skipWs(text, kwEnd, ce);
  return new Line(
    text,
    kind,
    pos,
    lineNo,
    col,
    i,
    kwEnd,
    vs,
    ce,
    bodyEnd,
    hasNl,
    name,
    split,
    coreIndent,
    textEnd,
  );
}

/** Prints one line back to its exact text. */
export function printLine(l: CstLine): string {
  return l.indent + l.keyword + l.sep + l.value + l.tail + l.eol;
}

/** Prints a tree back to text; for an unedited tree this is the parsed text, byte for byte. */
export function print(file: ConfigFile): string {
  let out = "";
  for (const l of file.lines) out += l.indent + l.keyword + l.sep + l.value + l.tail + l.eol;
  return out;
}

/** Offset of the keyword (or, for lines without one, of the content) of `l`. */
export function keywordOffset(l: CstLine): number {
  return l.offset + l.indent.length;
}

/** Builds a diagnostic anchored in `l` at [start, end) (absolute offsets). */
export function lineDiagnostic(
  file: string,
  l: CstLine,
  code: DiagnosticCode,
  severity: Severity,
  message: string,
  start = keywordOffset(l),
  end = l.offset + printLine(l).length - l.eol.length,
): Diagnostic {
  return {
    code,
    severity,
    message,
    file,
    start,
    end,
    line: l.line,
    column: l.column + (start - l.offset),
  };
}

/**
 * Diagnostics that need only one file's lines: unterminated or unknown `TEXT` blocks, unknown
 * keywords, split lines, ignored tails, control bytes in the indent, trailing whitespace and
 * mixed keyword case.
 */
export function syntaxDiagnostics(cfg: ConfigFile, file = ""): Diagnostic[] {
  const out: Diagnostic[] = [];
  let upper = 0;
  let lower = 0;
  let firstCase: CstLine | undefined;
  const lines = cfg.lines;
  for (let idx = 0; idx < lines.length; idx++) {
    const l = lines[idx] as CstLine;
    if (idx > 0 && (lines[idx - 1] as CstLine).split) {
      out.push(
        lineDiagnostic(
          file,
          l,
          DiagnosticCode.LineTooLong,
          "warning",
          "line longer than 4095 bytes: syslinux reads the rest as a separate line",
          l.offset,
        ),
      );
    }
    if (l.kind === "text-body" || l.kind === "text-end") continue;
    const ln = l as Line;
    const tailLen = ln.bodyEnd - ln.valEnd;
    if (tailLen > 1 || (tailLen === 1 && cfg.text.charCodeAt(ln.valEnd) !== 13)) {
      const at = ln.valEnd;
      out.push(
        lineDiagnostic(
          file,
          l,
          DiagnosticCode.IgnoredTail,
          "warning",
          "text after a carriage return or NUL byte is ignored by syslinux",
          at,
          at + tailLen,
        ),
      );
    }
    if (!l.coreIndent && l.kind !== "blank") {
      out.push(
        lineDiagnostic(
          file,
          l,
          DiagnosticCode.ReaderDisagreement,
          "warning",
          "indent holds control bytes: menu.c32 skips them, the core reader does not and ignores this line",
          l.offset,
        ),
      );
    }
    if (l.kind === "unknown") {
      out.push(
        lineDiagnostic(
          file,
          l,
          DiagnosticCode.UnknownKeyword,
          "warning",
          `unknown keyword "${l.keyword}": syslinux ignores this line`,
          keywordOffset(l),
          keywordOffset(l) + l.keyword.length,
        ),
      );
      continue;
    }
    if (l.kind !== "directive") continue;
    if (l.textEnd === -1) {
      out.push(
        lineDiagnostic(
          file,
          l,
          DiagnosticCode.UnterminatedText,
          "error",
          "TEXT block is never closed by ENDTEXT: it swallows the rest of the file",
        ),
      );
    }
    if (l.name === "text") {
      out.push(
        lineDiagnostic(
          file,
          l,
          DiagnosticCode.UnknownTextBlock,
          "warning",
          "TEXT block other than TEXT HELP: syslinux reads and discards it",
        ),
      );
    }
    const text = cfg.text;
    const last = text.charCodeAt(ln.valEnd - 1);
    if (ln.valEnd > ln.valStart && (last === 0x20 || last === 0x09)) {
      let s = ln.valEnd;
      while (s > ln.valStart && isSyslinuxSpace(text.charCodeAt(s - 1))) s--;
      out.push(
        lineDiagnostic(
          file,
          l,
          DiagnosticCode.TrailingWhitespace,
          "info",
          "trailing whitespace is part of the value",
          s,
          ln.valEnd,
        ),
      );
    }
    let up = false;
    let low = false;
    for (let k = ln.kwStart; k < ln.kwEnd; k++) {
      const c = text.charCodeAt(k);
      if (c >= 0x41 && c <= 0x5a) up = true;
      else if (c >= 0x61 && c <= 0x7a) low = true;
    }
    if (up || low) {
      if (up) upper++;
      if (low) lower++;
      firstCase ??= l;
    }
  }
  if (upper > 0 && lower > 0 && firstCase) {
    out.push(
      lineDiagnostic(
        file,
        firstCase,
        DiagnosticCode.MixedKeywordCase,
        "info",
        `keywords are written in more than one case style (${upper} upper, ${lower} lower or mixed)`,
        keywordOffset(firstCase),
        keywordOffset(firstCase) + firstCase.keyword.length,
      ),
    );
  }
  return out;
}

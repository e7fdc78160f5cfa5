/**
 * Lossless concrete syntax tree of an iPXE script, lexed exactly as iPXE's interpreter reads it
 * (`src/image/script.c` and `src/core/exec.c`).
 *
 * Every UTF-16 code unit of the input belongs to exactly one {@link SyntaxToken}, so
 * `print(parse(text).tree) === text` for every string, valid or not.
 *
 * @module
 */

/** Kinds of leaf tokens. Together the leaves of a {@link Script} tile the input. */
export type TokenKind =
  | "Bom"
  | "Whitespace"
  | "Continuation"
  | "Newline"
  | "Comment"
  | "Label"
  | "Word"
  | "Operator"
  | "Ignored";

/** A leaf: a slice of the source text. */
export interface SyntaxToken {
  readonly kind: TokenKind;
  /** Offset (UTF-16 code units) of the first character in the source. */
  readonly start: number;
  /** The exact source text, including any `\` continuations it straddles. */
  readonly text: string;
}

/** A plain piece of a word (logical text, continuations removed). */
export interface LiteralPart {
  readonly kind: "Literal";
  /** Offset within the word's logical {@link WordToken.value}. */
  readonly start: number;
  readonly text: string;
}

/** A parsed `[scope/]name[:type]` setting reference (only when the inside of `${…}` is literal). */
export interface SettingRef {
  /** Settings-block scope before the first `/` (e.g. `net0`), or undefined. */
  readonly scope: string | undefined;
  /** The setting name (may be a numeric DHCP tag such as `210` or `175.3`). */
  readonly name: string;
  /** The type after the first `:` (e.g. `hexhyp`), or undefined. */
  readonly type: string | undefined;
}

/** A `${…}` reference inside a word. May nest: `${net${netid}/mac}`. */
export interface ExpansionPart {
  readonly kind: "Expansion";
  /** Offset of `$` within the word's logical value. */
  readonly start: number;
  /** Offset just after the closing `}` within the word's logical value. */
  readonly end: number;
  /** The raw text `${…}` (logical). */
  readonly text: string;
  /** What is inside the braces. */
  readonly inner: readonly WordPart[];
  /** The setting reference when `inner` is all literal, else undefined (dynamic). */
  readonly ref: SettingRef | undefined;
}

/** Literal text or a `${…}` expansion. */
export type WordPart = LiteralPart | ExpansionPart;

/** A whitespace-delimited token that is neither a comment nor an operator. */
export interface WordToken extends SyntaxToken {
  readonly kind: "Word";
  /** The logical value (continuations removed): what iPXE sees before expansion. */
  readonly value: string;
  /** The value split into literals and `${…}` references. */
  readonly parts: readonly WordPart[];
  /** True when the value contains at least one complete `${…}`. */
  readonly dynamic: boolean;
}

/** `||`, `&&` or `;` as a whole token. */
export interface OperatorToken extends SyntaxToken {
  readonly kind: "Operator";
  readonly op: "||" | "&&" | ";";
}

/** `:name` at the start of a logical line (after optional whitespace). */
export interface LabelToken extends SyntaxToken {
  readonly kind: "Label";
  /** Label name (logical, without the colon). May be empty or contain `:`. */
  readonly name: string;
}

/** A comment: from a token starting with `#` to the end of the logical line. */
export interface CommentToken extends SyntaxToken {
  readonly kind: "Comment";
  /** Logical text of the comment including the leading `#`. */
  readonly value: string;
}

/** One command between operators; `words` may be empty (e.g. after a trailing `||`). */
export interface Segment {
  readonly kind: "Segment";
  readonly words: readonly WordToken[];
  /** The operator that ends this segment, or null for the last one. */
  readonly operator: OperatorToken | null;
}

/** A logical line: one or more physical lines joined by `\` continuations. */
export interface Line {
  readonly kind: "Line";
  /** Index of this logical line in {@link Script.lines}. */
  readonly index: number;
  /** Source offset of the first character. */
  readonly start: number;
  /** Source offset just after the line terminator. */
  readonly end: number;
  /** 1-based physical line number of the first physical line. */
  readonly lineNumber: number;
  /** Number of physical lines joined into this one. */
  readonly physicalLines: number;
  /** All leaves of the line in order (they tile `[start, end)`). */
  readonly tokens: readonly SyntaxToken[];
  readonly label: LabelToken | null;
  /** Commands split on operators; empty for blank, label-only and comment-only lines. */
  readonly segments: readonly Segment[];
  readonly comment: CommentToken | null;
  /** True when the last physical line ended with `\` at end of input (iPXE fails the script). */
  readonly continuationAtEof: boolean;
  /** True when a NUL byte cut the line (iPXE ignores the rest of the logical line). */
  readonly hasNul: boolean;
}

/** The root of the tree. */
export interface Script {
  readonly kind: "Script";
  /** `ipxe` or `gpxe` when the input starts with a valid signature (`#!ipxe` + whitespace). */
  readonly signature: "ipxe" | "gpxe" | null;
  /** True when the input starts with U+FEFF. */
  readonly bom: boolean;
  readonly lines: readonly Line[];
  /** Length of the source text. */
  readonly length: number;
}

const SP = 32;
const TAB = 9;
const CR = 13;
const BACKSLASH = 92;
const HASH = 35;
const COLON = 58;
const DOLLAR = 36;
const LBRACE = 123;
const RBRACE = 125;
const PIPE = 124;
const AMP = 38;
const SEMI = 59;

/** C `isspace()` in the "C" locale, as iPXE uses it. */
export function isIpxeSpace(c: number): boolean {
  return c === SP || (c >= TAB && c <= CR);
}

/** True when `text` starts with an iPXE script signature that iPXE accepts. */
export function signatureOf(text: string): "ipxe" | "gpxe" | null {
  if (text.length < 7 || !isIpxeSpace(text.charCodeAt(6))) return null;
  if (text.startsWith("#!ipxe")) return "ipxe";
  if (text.startsWith("#!gpxe")) return "gpxe";
  return null;
}

/** Parses the inside of `${…}` as iPXE's `parse_setting_name()` splits it. */
export function parseSettingRef(inner: string): SettingRef {
  const slash = inner.indexOf("/");
  const scope = slash >= 0 ? inner.slice(0, slash) : undefined;
  const rest = slash >= 0 ? inner.slice(slash + 1) : inner;
  const colon = rest.indexOf(":");
  return colon >= 0
    ? { scope, name: rest.slice(0, colon), type: rest.slice(colon + 1) }
    : { scope, name: rest, type: undefined };
}

const NO_PARTS_CACHE: WordPart[] = [];

/** Splits a word value into literals and (nested) `${…}` references. */
export function parseWordParts(value: string): { parts: WordPart[]; dynamic: boolean } {
  if (value.indexOf("${") < 0) {
    return {
      parts: value.length ? [{ kind: "Literal", start: 0, text: value }] : NO_PARTS_CACHE,
      dynamic: false,
    };
  }
  return flatWordParts(value) ?? nestedWordParts(value);
}

/**
 * The common case of {@link parseWordParts}: no `${` inside another. Returns undefined for a
 * nested reference (the general splitter handles it); same result as the general splitter otherwise.
 */
function flatWordParts(value: string): { parts: WordPart[]; dynamic: boolean } | undefined {
  const parts: WordPart[] = [];
  let lit = 0;
  let dynamic = false;
  for (;;) {
    const open = value.indexOf("${", lit);
    if (open < 0) break;
    const close = value.indexOf("}", open + 2);
    // Unterminated: the rest is literal text.
    if (close < 0) break;
    const nested = value.indexOf("${", open + 2);
    if (nested >= 0 && nested < close) return undefined;
    if (open > lit) parts.push({ kind: "Literal", start: lit, text: value.slice(lit, open) });
    const innerText = value.slice(open + 2, close);
    parts.push({
      kind: "Expansion",
      start: open,
      end: close + 1,
      text: value.slice(open, close + 1),
      inner: innerText.length ? [{ kind: "Literal", start: open + 2, text: innerText }] : [],
      ref: parseSettingRef(innerText),
    });
    lit = close + 1;
    dynamic = true;
  }
  if (value.length > lit) parts.push({ kind: "Literal", start: lit, text: value.slice(lit) });
  return { parts, dynamic };
}

/** The general splitter: a stack of open `${` frames, for nested references. */
function nestedWordParts(value: string): { parts: WordPart[]; dynamic: boolean } {
  // Stack of open `${` frames; each collects its inner parts.
  interface Frame {
    start: number;
    parts: WordPart[];
    litStart: number;
  }
  const root: Frame = { start: -1, parts: [], litStart: 0 };
  const stack: Frame[] = [root];
  let dynamic = false;
  const n = value.length;
  let i = 0;
  const flush = (f: Frame, upTo: number): void => {
    if (upTo > f.litStart)
      f.parts.push({ kind: "Literal", start: f.litStart, text: value.slice(f.litStart, upTo) });
  };
  while (i < n) {
    const c = value.charCodeAt(i);
    if (c === DOLLAR && value.charCodeAt(i + 1) === LBRACE) {
      const top = stack[stack.length - 1] as Frame;
      flush(top, i);
      stack.push({ start: i, parts: [], litStart: i + 2 });
      i += 2;
      continue;
    }
    if (c === RBRACE && stack.length > 1) {
      const f = stack.pop() as Frame;
      flush(f, i);
      const parent = stack[stack.length - 1] as Frame;
      const allLiteral = f.parts.every((p) => p.kind === "Literal");
      const innerText = value.slice(f.start + 2, i);
      parent.parts.push({
        kind: "Expansion",
        start: f.start,
        end: i + 1,
        text: value.slice(f.start, i + 1),
        inner: f.parts,
        ref: allLiteral ? parseSettingRef(innerText) : undefined,
      });
      parent.litStart = i + 1;
      dynamic = true;
      i++;
      continue;
    }
    i++;
  }
  // Unterminated `${` frames are literal text: fold them back into their parent.
  while (stack.length > 1) {
    const f = stack.pop() as Frame;
    const parent = stack[stack.length - 1] as Frame;
    // Parent's literal run resumes at the unterminated `${`.
    parent.litStart = f.start;
    // Inner expansions of an unterminated frame still expand in iPXE; keep them, literal around.
    const inner: WordPart[] = [];
    let lit = f.start;
    for (const p of f.parts) {
      if (p.kind === "Expansion") {
        if (p.start > lit)
          inner.push({ kind: "Literal", start: lit, text: value.slice(lit, p.start) });
        inner.push(p);
        lit = p.end;
      }
    }
    if (inner.length) {
      parent.parts.push(...inner);
      parent.litStart = lit;
    }
  }
  flush(root, n);
  // Merge adjacent literals.
  const merged: WordPart[] = [];
  for (const p of root.parts) {
    const last = merged[merged.length - 1];
    if (p.kind === "Literal" && last && last.kind === "Literal") {
      merged[merged.length - 1] = { kind: "Literal", start: last.start, text: last.text + p.text };
    } else merged.push(p);
  }
  return { parts: merged, dynamic };
}

class Word implements WordToken {
  readonly kind = "Word" as const;
  readonly start: number;
  readonly text: string;
  readonly value: string;
  readonly dynamic: boolean;
  private _parts: readonly WordPart[] | undefined;
  constructor(start: number, text: string, value: string) {
    this.start = start;
    this.text = text;
    this.value = value;
    const open = value.indexOf("${");
    this.dynamic = open >= 0 && value.indexOf("}", open + 2) >= 0;
    this._parts = undefined;
  }
  get parts(): readonly WordPart[] {
    if (this._parts === undefined) this._parts = parseWordParts(this.value).parts;
    return this._parts;
  }
  toJSON(): object {
    return {
      kind: this.kind,
      start: this.start,
      text: this.text,
      value: this.value,
      dynamic: this.dynamic,
      parts: this.parts,
    };
  }
}

/**
 * A reusable push buffer that hands out exact-size copies. V8 grows a pushed array to at least 17
 * slots, so building each line's token, segment and word lists with `push` left 100+ bytes of
 * slack in every one of them (a large part of the tree's memory, and of what every garbage
 * collection during `analyze` had to copy); `take()` copies out just the items and reuses the buffer.
 */
class Buf<T> {
  private readonly items: T[] = [];
  n = 0;
  push(x: T): void {
    this.items[this.n++] = x;
  }
  /** The items pushed since the last `take()`, as a new array; empties the buffer. */
  take(): T[] {
    const out = this.items.slice(0, this.n);
    this.n = 0;
    return out;
  }
  /** Drops references to the last items (called when a parse ends). */
  clear(): void {
    this.items.length = 0;
    this.n = 0;
  }
}

/** Lexer state for one logical line. */
interface LexState {
  readonly text: string;
  /** The current line's tokens. */
  readonly tokens: Buf<SyntaxToken>;
  /** The current line's segments. */
  readonly segments: Buf<Segment>;
  /** The current segment's words. */
  readonly words: Buf<WordToken>;
  readonly mayHaveNul: boolean;
}

interface LexedLine {
  label: LabelToken | null;
  segments: Segment[];
  comment: CommentToken | null;
  hasNul: boolean;
}

/** Joined-line context: logical -> source map and the continuation ranges to interleave. */
interface JoinCtx {
  map: Int32Array;
  conts: number[];
  ci: number;
  emitted: number;
}

/**
 * Lexes logical content `[from, to)` of `s` (the source itself for a single physical line, else
 * the joined logical string with `join` mapping logical indices back to source offsets).
 */
function lexLogical(
  state: LexState,
  s: string,
  from: number,
  to: number,
  join: JoinCtx | null,
): LexedLine {
  const text = state.text;
  const tokens = state.tokens;
  let label: LabelToken | null = null;
  let comment: CommentToken | null = null;
  const segments = state.segments;
  const words = state.words;
  let sawOperator = false;
  let hasNul = false;
  let end = to;
  if (state.mayHaveNul) {
    for (let k = from; k < to; k++) {
      if (s.charCodeAt(k) === 0) {
        end = k;
        hasNul = true;
        break;
      }
    }
  }
  // Source span of logical [a, b); pushes pending continuation tokens first.
  let sa = 0;
  let sb = 0;
  const span = (a: number, b: number): string => {
    if (join === null) {
      sa = a;
      sb = b;
      return text.slice(a, b);
    }
    sa = join.map[a] as number;
    sb = (join.map[b - 1] as number) + 1;
    while (join.ci < join.conts.length) {
      const ca = join.conts[join.ci] as number;
      if (ca >= sa) break;
      if (ca >= join.emitted) {
        const cb = join.conts[join.ci + 1] as number;
        tokens.push({ kind: "Continuation", start: ca, text: text.slice(ca, cb) });
        join.emitted = cb;
      }
      join.ci += 2;
    }
    join.emitted = sb;
    return text.slice(sa, sb);
  };
  let i = from;
  while (i < end && isIpxeSpace(s.charCodeAt(i))) i++;
  if (i > from) {
    const t = span(from, i);
    tokens.push({ kind: "Whitespace", start: sa, text: t });
  }
  if (i < end && s.charCodeAt(i) === COLON) {
    const a = i;
    while (i < end && !isIpxeSpace(s.charCodeAt(i))) i++;
    const t = span(a, i);
    const tok: LabelToken = {
      kind: "Label",
      start: sa,
      text: t,
      name: join === null ? t.slice(1) : s.slice(a + 1, i),
    };
    tokens.push(tok);
    label = tok;
  }
  while (i < end) {
    const ws = i;
    let c = s.charCodeAt(i);
    while (i < end && (c === SP || (c >= TAB && c <= CR))) c = s.charCodeAt(++i);
    if (i > ws) {
      const t = span(ws, i);
      tokens.push({ kind: "Whitespace", start: sa, text: t });
    }
    if (i >= end) break;
    const a = i;
    const c0 = c;
    if (c0 === HASH) {
      const t = span(a, end);
      const tok: CommentToken = {
        kind: "Comment",
        start: sa,
        text: t,
        value: join === null ? t : s.slice(a, end),
      };
      tokens.push(tok);
      comment = tok;
      i = end;
      break;
    }
    while (i < end && !(c === SP || (c >= TAB && c <= CR))) c = s.charCodeAt(++i);
    const n = i - a;
    let op: "||" | "&&" | ";" | null = null;
    if (n === 2) {
      const c1 = s.charCodeAt(a + 1);
      if (c0 === PIPE && c1 === PIPE) op = "||";
      else if (c0 === AMP && c1 === AMP) op = "&&";
    } else if (n === 1 && c0 === SEMI) op = ";";
    const t = span(a, i);
    if (op !== null) {
      const tok: OperatorToken = { kind: "Operator", start: sa, text: t, op };
      tokens.push(tok);
      segments.push({ kind: "Segment", words: words.take(), operator: tok });
      sawOperator = true;
    } else {
      const w = new Word(sa, t, join === null ? t : s.slice(a, i));
      tokens.push(w);
      words.push(w);
    }
  }
  if (hasNul && end < to) {
    const t = span(end, to);
    tokens.push({ kind: "Ignored", start: sa, text: t });
  }
  if (words.n > 0 || sawOperator)
    segments.push({ kind: "Segment", words: words.take(), operator: null });
  if (join !== null) {
    // Continuations after the last token (e.g. an empty continued line).
    while (join.ci < join.conts.length) {
      const ca = join.conts[join.ci] as number;
      const cb = join.conts[join.ci + 1] as number;
      if (ca >= join.emitted) {
        tokens.push({ kind: "Continuation", start: ca, text: text.slice(ca, cb) });
        join.emitted = cb;
      }
      join.ci += 2;
    }
  }
  return { label, segments: segments.take(), comment, hasNul };
}

function lexSimple(state: LexState, from: number, to: number): LexedLine {
  return lexLogical(state, state.text, from, to, null);
}

function lexJoined(state: LexState, pieces: number[], conts: number[]): LexedLine {
  const { text } = state;
  let logical = "";
  let total = 0;
  for (let k = 0; k < pieces.length; k += 2)
    total += (pieces[k + 1] as number) - (pieces[k] as number);
  const map = new Int32Array(total + 1);
  let li = 0;
  for (let k = 0; k < pieces.length; k += 2) {
    const a = pieces[k] as number;
    const b = pieces[k + 1] as number;
    logical += text.slice(a, b);
    for (let j = a; j < b; j++) map[li++] = j;
  }
  return lexLogical(state, logical, 0, total, { map, conts, ci: 0, emitted: pieces[0] as number });
}

/**
 * Parses `text` into a lossless tree. Never throws. Diagnostics are produced by `parse()` and the
 * model (`analyze()`); this function only builds the tree.
 */
export function parseTree(text: string): Script {
  const len = text.length;
  const lines: Line[] = [];
  let pos = 0;
  let lineNumber = 1;
  const bom = len > 0 && text.charCodeAt(0) === 0xfeff;
  const mayHaveNul = text.indexOf("\0") >= 0;
  const tokens = new Buf<SyntaxToken>();
  const state: LexState = {
    text,
    tokens,
    segments: new Buf<Segment>(),
    words: new Buf<WordToken>(),
    mayHaveNul,
  };
  while (pos < len) {
    const lineStart = pos;
    const startLineNumber = lineNumber;
    if (pos === 0 && bom) {
      tokens.push({ kind: "Bom", start: 0, text: "\ufeff" });
      pos = 1;
    }
    // Gather physical lines: pieces = logical content ranges, conts = continuation ranges.
    let pieces: number[] | null = null;
    let conts: number[] | null = null;
    let firstContentStart = pos;
    let firstContentEnd = pos;
    let eolStart = pos;
    let eolEnd = pos;
    let physical = 0;
    let continuationAtEof = false;
    for (;;) {
      physical++;
      const nl = text.indexOf("\n", pos);
      const contentEnd = nl < 0 ? len : nl;
      const next = nl < 0 ? len : nl + 1;
      let ce = contentEnd;
      if (ce > pos && text.charCodeAt(ce - 1) === CR) ce--;
      if (ce > pos && text.charCodeAt(ce - 1) === BACKSLASH) {
        if (pieces === null) {
          pieces = [];
          conts = [];
        }
        pieces.push(pos, ce - 1);
        (conts as number[]).push(ce - 1, next);
        lineNumber += nl < 0 ? 0 : 1;
        pos = next;
        if (pos >= len) {
          continuationAtEof = true;
          eolStart = eolEnd = len;
          break;
        }
        continue;
      }
      if (pieces === null) {
        firstContentStart = pos;
        firstContentEnd = ce;
      } else pieces.push(pos, ce);
      eolStart = ce;
      eolEnd = next;
      lineNumber += nl < 0 ? 0 : 1;
      pos = next;
      break;
    }
    const lexed =
      pieces === null
        ? lexSimple(state, firstContentStart, firstContentEnd)
        : lexJoined(state, pieces, conts as number[]);
    if (eolEnd > eolStart)
      tokens.push({ kind: "Newline", start: eolStart, text: text.slice(eolStart, eolEnd) });
    lines.push({
      kind: "Line",
      index: lines.length,
      start: lineStart,
      end: pos,
      lineNumber: startLineNumber,
      physicalLines: physical,
      tokens: tokens.take(),
      label: lexed.label,
      segments: lexed.segments,
      comment: lexed.comment,
      continuationAtEof,
      hasNul: lexed.hasNul,
    });
  }
  tokens.clear();
  state.segments.clear();
  state.words.clear();
  return { kind: "Script", signature: signatureOf(text), bom, lines, length: len };
}

/** Prints a tree (or any tree fragment's tokens) back to text. */
export function print(node: Script | Line | readonly SyntaxToken[]): string {
  if (Array.isArray(node)) return (node as readonly SyntaxToken[]).map((t) => t.text).join("");
  const n = node as Script | Line;
  if (n.kind === "Line") return n.tokens.map((t) => t.text).join("");
  let out = "";
  for (const line of n.lines) for (const t of line.tokens) out += t.text;
  return out;
}

/** Maps source offsets to 1-based line/column. */
export class LineIndex {
  private readonly starts: number[];
  constructor(text: string) {
    const starts = [0];
    let i = text.indexOf("\n");
    while (i >= 0) {
      starts.push(i + 1);
      i = text.indexOf("\n", i + 1);
    }
    this.starts = starts;
  }
  /** 1-based line and column (UTF-16 code units) of `offset`. */
  position(offset: number): { line: number; column: number } {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((s[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (s[lo] as number) + 1 };
  }
}

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
const LF = 10;
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

/** True when `value` contains a complete `${…}`. */
function isDynamic(value: string): boolean {
  const open = value.indexOf("${");
  return open >= 0 && value.indexOf("}", open + 2) >= 0;
}

/**
 * A word whose logical value is its source text (no continuation inside it): the most numerous
 * object of the tree, so `kind` and `value` live on the prototype and `parts` in a side table.
 */
class Word implements WordToken {
  get kind(): "Word" {
    return "Word";
  }
  readonly start: number;
  readonly text: string;
  readonly value: string;
  readonly dynamic: boolean;
  private _parts: readonly WordPart[] | undefined;
  constructor(start: number, text: string, dynamic: boolean, value: string = text) {
    this.start = start;
    this.text = text;
    this.value = value;
    this.dynamic = dynamic;
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
 * `src[from, from + n)` as a new exact-size array: array literals for the usual few items (packed,
 * so no later read of `words[i]` checks for holes), a copy loop beyond (cheaper than a `slice`
 * builtin call for the few items a line or a command has).
 *
 * @internal
 */
export function packedCopy<T>(src: readonly T[], from: number, n: number): T[] {
  switch (n) {
    case 0:
      return [];
    case 1:
      return [src[from] as T];
    case 2:
      return [src[from] as T, src[from + 1] as T];
    case 3:
      return [src[from] as T, src[from + 1] as T, src[from + 2] as T];
    case 4:
      return [src[from] as T, src[from + 1] as T, src[from + 2] as T, src[from + 3] as T];
  }
  const out = new Array<T>(n);
  for (let i = 0; i < n; i++) out[i] = src[from + i] as T;
  return out;
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
    const out = packedCopy(this.items, 0, this.n);
    this.n = 0;
    return out;
  }
  /** Forgets the items pushed since the last `take()`. */
  reset(): void {
    this.n = 0;
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
      const v = join === null ? t : s.slice(a, i);
      const w = v === t ? new Word(sa, t, isDynamic(t)) : new Word(sa, t, isDynamic(v), v);
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

/** A word's {@link LexStore} flag: its value holds a complete `${…}`. @internal */
export const W_DYNAMIC = 1;
/** A word's {@link LexStore} flag: its value is exactly `|`. @internal */
export const W_PIPE = 2;
/** Segment operators in a {@link LexStore}: none (last segment), `||`, `&&`, `;`. @internal */
export const OP_NONE = 0;
/** @internal */
export const OP_OR = 1;
/** @internal */
export const OP_AND = 2;
/** @internal */
export const OP_SEQ = 3;

const OPS = [null, "||", "&&", ";"] as const;

const NO_SEGMENTS: readonly Segment[] = [];

/**
 * The words and segments of a parse as numbers, from which each line makes its `segments` (and
 * their word and operator objects) on first access, and which the model's first pass reads
 * without making them: the word objects, their strings and the segment objects and arrays were
 * most of what `analyze` allocated (issue #7).
 *
 * @internal
 */
export class LexStore {
  /** Three numbers per word: source start, source end, flags (W_*); `nw` of them in use. */
  words: Int32Array;
  nw = 0;
  /**
   * Four numbers per segment: first word index, word count, operator (OP_*), operator start;
   * `ns` of them in use.
   */
  segs: Int32Array;
  ns = 0;
  /**
   * Values of the words whose logical value is not their source text (a `\` continuation inside,
   * or words of a tree that did not come from this parser), by word index.
   */
  values: Map<number, string> | undefined;
  constructor(
    readonly text: string,
    /** Expected source length (sizes the arrays; they grow when needed). */
    size: number,
  ) {
    // About 11 characters per word and 33 per segment in real scripts.
    this.words = new Int32Array(64 + (size >> 2));
    this.segs = new Int32Array(32 + (size >> 3));
    this.values = undefined;
  }
  /** Gives back the arrays' unused room when it is more than a quarter (the tree keeps them). */
  trim(): void {
    if (this.nw < this.words.length * 0.75) this.words = this.words.slice(0, this.nw);
    if (this.ns < this.segs.length * 0.75) this.segs = this.segs.slice(0, this.ns);
  }
  /** Makes room for `n` more numbers in `words`; returns the (possibly new) array. */
  roomWords(n: number): Int32Array {
    if (this.nw + n > this.words.length) this.words = grown(this.words, this.nw + n);
    return this.words;
  }
  /** Makes room for `n` more numbers in `segs`; returns the (possibly new) array. */
  roomSegs(n: number): Int32Array {
    if (this.ns + n > this.segs.length) this.segs = grown(this.segs, this.ns + n);
    return this.segs;
  }
  /** The logical value of word `w`. */
  value(w: number): string {
    if (this.values !== undefined) {
      const v = this.values.get(w);
      if (v !== undefined) return v;
    }
    return this.text.slice(this.words[w * 3] as number, this.words[w * 3 + 1] as number);
  }
  /** Records a line's segment objects (a joined line, a line with a NUL, a foreign tree's line). */
  add(segments: readonly Segment[]): number {
    const seg0 = this.ns >> 2;
    for (let k = 0; k < segments.length; k++) {
      const seg = segments[k] as Segment;
      const ws = seg.words;
      const op = seg.operator;
      const S = this.roomSegs(4);
      S[this.ns] = this.nw / 3;
      S[this.ns + 1] = ws.length;
      S[this.ns + 2] =
        op === null ? OP_NONE : op.op === "||" ? OP_OR : op.op === "&&" ? OP_AND : OP_SEQ;
      S[this.ns + 3] = op === null ? -1 : op.start;
      this.ns += 4;
      for (let j = 0; j < ws.length; j++) {
        const w = ws[j] as WordToken;
        const i = this.nw / 3;
        const end = w.start + w.text.length;
        const W = this.roomWords(3);
        W[this.nw] = w.start;
        W[this.nw + 1] = end;
        W[this.nw + 2] = (w.dynamic ? W_DYNAMIC : 0) | (w.value === "|" ? W_PIPE : 0);
        this.nw += 3;
        if (w.value !== this.text.slice(w.start, end)) {
          if (this.values === undefined) this.values = new Map();
          this.values.set(i, w.value);
        }
      }
    }
    return seg0;
  }
}

/** A copy of `a` with room for at least `n` numbers. */
function grown(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(Math.max(n, a.length * 2));
  b.set(a);
  return b;
}

/** Scratch buffers of {@link makeSegments} (their `take()` gives exact-size packed arrays). */
const SEG_BUF = new Buf<Segment>();
const WORD_BUF = new Buf<WordToken>();

/** The segment objects of segments `[seg0, seg0 + n)` of a store (no continuation inside). */
function makeSegments(store: LexStore, seg0: number, n: number): readonly Segment[] {
  if (n === 0) return NO_SEGMENTS;
  const text = store.text;
  const W = store.words;
  const S = store.segs;
  const segs = SEG_BUF;
  for (let k = 0; k < n; k++) {
    const q = (seg0 + k) * 4;
    const w0 = S[q] as number;
    const nw = S[q + 1] as number;
    const opKind = S[q + 2] as number;
    const words = WORD_BUF;
    for (let j = 0; j < nw; j++) {
      const x = (w0 + j) * 3;
      const a = W[x] as number;
      const t = text.slice(a, W[x + 1] as number);
      words.push(new Word(a, t, ((W[x + 2] as number) & W_DYNAMIC) !== 0));
    }
    const op = OPS[opKind] ?? null;
    segs.push({
      kind: "Segment",
      words: words.take(),
      operator: op === null ? null : { kind: "Operator", start: S[q + 3] as number, text: op, op },
    });
  }
  return segs.take();
}

/**
 * A logical line. Its label and comment tokens are made while parsing; its segments (word and
 * operator objects) are made from the parse's {@link LexStore} on first access of
 * {@link Line.segments}, and its full token list, whitespace and line ending included, from the
 * source on first access of {@link Line.tokens} (for a single physical line, most lines; a joined
 * line gets both while parsing). The model reads the store and needs neither.
 *
 * @internal
 */
export class LineNode implements Line {
  get kind(): "Line" {
    return "Line";
  }
  /** @internal The parse's words and segments (and the source text, for on-demand tokens). */
  readonly _store: LexStore;
  /** @internal Eager tokens (joined lines), or the lazily built ones; undefined until then. */
  _tokens: readonly SyntaxToken[] | undefined;
  /** @internal Eager segments (joined lines, NUL), or the lazily made ones; undefined until then. */
  _segments: readonly Segment[] | undefined;
  /** @internal This line's first segment in {@link _store}, and its segment count. */
  readonly _seg0: number;
  readonly _nseg: number;
  /**
   * @internal physicalLines << 3 | mayHaveLonePipe << 2 | hasNul << 1 | continuationAtEof (one
   * field for four).
   */
  readonly _bits: number;
  constructor(
    store: LexStore,
    tokens: readonly SyntaxToken[] | undefined,
    readonly index: number,
    readonly start: number,
    readonly end: number,
    readonly lineNumber: number,
    physicalLines: number,
    readonly label: LabelToken | null,
    segments: readonly Segment[] | undefined,
    seg0: number,
    nseg: number,
    readonly comment: CommentToken | null,
    continuationAtEof: boolean,
    hasNul: boolean,
    mayHaveLonePipe = true,
  ) {
    this._store = store;
    this._tokens = tokens;
    this._segments = segments;
    this._seg0 = seg0;
    this._nseg = nseg;
    this._bits =
      physicalLines * 8 +
      (mayHaveLonePipe ? 4 : 0) +
      (hasNul ? 2 : 0) +
      (continuationAtEof ? 1 : 0);
  }
  get physicalLines(): number {
    return Math.floor(this._bits / 8);
  }
  get continuationAtEof(): boolean {
    return (this._bits & 1) !== 0;
  }
  get hasNul(): boolean {
    return (this._bits & 2) !== 0;
  }
  get tokens(): readonly SyntaxToken[] {
    if (this._tokens === undefined) this._tokens = materialiseTokens(this);
    return this._tokens;
  }
  get segments(): readonly Segment[] {
    if (this._segments === undefined)
      this._segments = makeSegments(this._store, this._seg0, this._nseg);
    return this._segments;
  }
  toJSON(): object {
    return {
      kind: this.kind,
      index: this.index,
      start: this.start,
      end: this.end,
      lineNumber: this.lineNumber,
      physicalLines: this.physicalLines,
      tokens: this.tokens,
      label: this.label,
      segments: this.segments,
      comment: this.comment,
      continuationAtEof: this.continuationAtEof,
      hasNul: this.hasNul,
    };
  }
}

/**
 * The text of a line's `Newline` token ("" when it has none), without building its token list.
 *
 * @internal
 */
export function newlineOf(line: Line): string {
  if (!(line instanceof LineNode) || line._tokens !== undefined) {
    const last = line.tokens[line.tokens.length - 1];
    return last !== undefined && last.kind === "Newline" ? last.text : "";
  }
  // A single physical line: its terminator is "\n" or "\r\n" (or a lone "\r" at end of input).
  const src = line._store.text;
  let e = line.end;
  if (e > line.start && src.charCodeAt(e - 1) === LF) e--;
  if (e > line.start && src.charCodeAt(e - 1) === CR) e--;
  return e === line.end ? "" : src.slice(e, line.end);
}

/**
 * False when the lexer saw no word that is exactly `|` on this line (the model then skips the
 * check on its words).
 *
 * @internal
 */
export function mayHaveLonePipe(line: Line): boolean {
  return !(line instanceof LineNode) || (line._bits & 4) !== 0;
}

/** The significant tokens of a line in source order (label, words and operators, comment). */
function significantTokens(line: Line): SyntaxToken[] {
  const out: SyntaxToken[] = [];
  if (line.label) out.push(line.label);
  for (const seg of line.segments) {
    for (const w of seg.words) out.push(w);
    if (seg.operator) out.push(seg.operator);
  }
  if (line.comment) out.push(line.comment);
  return out;
}

/**
 * Builds the full token list of a single-physical-line {@link LineNode} by lexing its source range
 * again, keeping the line's own significant token objects (so `tokens` and `segments` share them).
 */
function materialiseTokens(line: LineNode): readonly SyntaxToken[] {
  const text = line._store.text;
  const state: LexState = {
    text,
    tokens: new Buf<SyntaxToken>(),
    segments: new Buf<Segment>(),
    words: new Buf<WordToken>(),
    mayHaveNul: line.hasNul,
  };
  let from = line.start;
  if (from === 0 && text.charCodeAt(0) === 0xfeff) {
    state.tokens.push({ kind: "Bom", start: 0, text: "\ufeff" });
    from = 1;
  }
  let ce = line.end;
  if (ce > from && text.charCodeAt(ce - 1) === 10) ce--;
  if (ce > from && text.charCodeAt(ce - 1) === CR) ce--;
  lexLogical(state, text, from, ce, null);
  if (line.end > ce)
    state.tokens.push({ kind: "Newline", start: ce, text: text.slice(ce, line.end) });
  const fresh = state.tokens.take();
  const own = significantTokens(line);
  let k = 0;
  for (let i = 0; i < fresh.length; i++) {
    const kind = (fresh[i] as SyntaxToken).kind;
    if (kind === "Word" || kind === "Operator" || kind === "Label" || kind === "Comment")
      fresh[i] = own[k++] as SyntaxToken;
  }
  return fresh;
}

/** A text's code units for the lexer's loops (typed-array reads are about twice as fast as
 * `charCodeAt`, which checks the string's representation on every call). */
type CodeUnits = Uint8Array | Uint16Array;

const NO_UNITS = new Uint8Array(1);

interface Utf8Encoder {
  encodeInto(s: string, into: Uint8Array): { read: number; written: number };
}
/** The platform's `TextEncoder` (Node, browsers, Deno, Bun), when there is one. */
const encoder: Utf8Encoder | undefined = (() => {
  const T = (globalThis as { TextEncoder?: new () => Utf8Encoder }).TextEncoder;
  return T === undefined ? undefined : new T();
})();

/**
 * The code units of `text` followed by a `\n`: bytes when the text is ASCII (UTF-8 encoding then
 * gives exactly the code units, natively), else 16-bit units copied one by one.
 */
function codeUnits(text: string): CodeUnits {
  const len = text.length;
  if (encoder !== undefined) {
    const b = new Uint8Array(len + 1);
    const r = encoder.encodeInto(text, b);
    // All ASCII: every code unit became one byte, and the extra byte is still free.
    if (r.read === len && r.written === len) {
      b[len] = LF;
      return b;
    }
  }
  const w = new Uint16Array(len + 1);
  for (let i = 0; i < len; i++) w[i] = text.charCodeAt(i);
  w[len] = LF;
  return w;
}

/** Fast lexer state for single physical lines: significant tokens only. */
interface FastState {
  readonly text: string;
  /** The text's UTF-16 code units and one more, a `\n` (reads never go past the end). */
  readonly units: CodeUnits;
  readonly store: LexStore;
  /** After {@link lexScan}: the line's first segment in the store, and its segment count. */
  seg0: number;
  nseg: number;
  /** The next `$` that {@link lexScan} found (a search resumes from there). */
  dollarAt: number;
  /** After {@link lexScan}: the line's label and comment tokens. */
  label: LabelToken | null;
  comment: CommentToken | null;
  /** After {@link lexScan}: offset just after the line terminator. */
  next: number;
  /** After {@link lexScan}: a word is exactly `|`. */
  pipe: boolean;
}

/**
 * Lexes the single physical line starting at `from` of a text without NUL bytes, finding its end
 * while scanning (no separate search for the newline). Returns false, recording nothing, when the
 * line ends in a `\` continuation (the general path handles it); else sets `st.next` to the offset
 * after the line terminator.
 */
function lexScan(st: FastState, from: number): boolean {
  const s = st.text;
  const u = st.units;
  const len = s.length;
  const store = st.store;
  const wordsBefore = store.nw;
  const segsBefore = store.ns;
  let label: LabelToken | null = null;
  let comment: CommentToken | null = null;
  let pipe = false;
  /** Index of the current segment's first word, and its word count. */
  let w0 = wordsBefore / 3;
  let nw = 0;
  let nseg = 0;
  /** Offset of the next `$` at or after the current word (`len` when there is none). */
  let dollarAt = st.dollarAt;
  let i = from;
  let c = u[i] as number;
  // The loops need no end check: the units end with a `\n`, which stops each of them.
  // Indentation (not the newline).
  while (c === SP || (c >= TAB && c <= CR && c !== LF)) c = u[++i] as number;
  if (c === COLON) {
    const a = i;
    while (!(c === SP || (c >= TAB && c <= CR))) c = u[++i] as number;
    const t = s.slice(a, i);
    label = { kind: "Label", start: a, text: t, name: t.slice(1) };
  }
  for (;;) {
    while (c === SP || (c >= TAB && c <= CR && c !== LF)) c = u[++i] as number;
    if (c === LF) break;
    const a = i;
    const c0 = c;
    if (c0 === HASH) {
      const nl = s.indexOf("\n", i);
      i = nl < 0 ? len : nl;
      let ce = i;
      if (u[ce - 1] === CR) ce--;
      const t = s.slice(a, ce);
      comment = { kind: "Comment", start: a, text: t, value: t };
      break;
    }
    // Most characters of a word are above the space: one comparison for them.
    while (c > SP || !(c === SP || (c >= TAB && c <= CR))) c = u[++i] as number;
    const n = i - a;
    let op = OP_NONE;
    let flags = 0;
    if (n === 2) {
      const c1 = u[a + 1] as number;
      if (c0 === PIPE && c1 === PIPE) op = OP_OR;
      else if (c0 === AMP && c1 === AMP) op = OP_AND;
    } else if (n === 1) {
      if (c0 === SEMI) op = OP_SEQ;
      else if (c0 === PIPE) {
        pipe = true;
        flags = W_PIPE;
      }
    }
    if (op !== OP_NONE) {
      const S = store.roomSegs(4);
      const q = store.ns;
      S[q] = w0;
      S[q + 1] = nw;
      S[q + 2] = op;
      S[q + 3] = a;
      store.ns = q + 4;
      nseg++;
      w0 += nw;
      nw = 0;
    } else {
      // Words with a `$` are few: the next one is found by a native search, not per character.
      if (dollarAt < a) {
        dollarAt = s.indexOf("$", a);
        if (dollarAt < 0) dollarAt = len;
      }
      if (dollarAt < i && hasRef(u, dollarAt, i)) flags = W_DYNAMIC;
      const W = store.roomWords(3);
      const q = store.nw;
      W[q] = a;
      W[q + 1] = i;
      W[q + 2] = flags;
      store.nw = q + 3;
      nw++;
    }
  }
  // `i` is at the newline or the end of the text; one CR before it belongs to the terminator.
  let ce = i;
  if (ce > from && u[ce - 1] === CR) ce--;
  if (ce > from && u[ce - 1] === BACKSLASH) {
    store.nw = wordsBefore;
    store.ns = segsBefore;
    return false;
  }
  if (nw > 0 || nseg > 0) {
    const S = store.roomSegs(4);
    const q = store.ns;
    S[q] = w0;
    S[q + 1] = nw;
    S[q + 2] = OP_NONE;
    S[q + 3] = -1;
    store.ns = q + 4;
    nseg++;
  }
  st.dollarAt = dollarAt;
  st.seg0 = segsBefore >> 2;
  st.nseg = nseg;
  st.label = label;
  st.comment = comment;
  st.next = i < len ? i + 1 : len;
  st.pipe = pipe;
  return true;
}

/** True when units `[a, b)` contain a complete `${…}` (as {@link isDynamic} on that slice). */
function hasRef(u: CodeUnits, a: number, b: number): boolean {
  for (let k = a; k + 1 < b; k++) {
    if (u[k] === DOLLAR && u[k + 1] === LBRACE) {
      for (let q = k + 2; q < b; q++) if (u[q] === RBRACE) return true;
      return false;
    }
  }
  return false;
}

/**
 * What {@link parseTree} reports besides the tree.
 *
 * @internal
 */
export interface ParseInfo {
  /** Some line has a continuation at end of input or a NUL byte (syntax diagnostics to make). */
  special: boolean;
}

/**
 * Parses `text` into a lossless tree. Never throws. Diagnostics are produced by `parse()` and the
 * model (`analyze()`); this function only builds the tree.
 *
 * @param starts - Internal: receives the start offset of every physical line (see
 *   {@link LineIndex}), so that positions need no second scan of the text.
 */
export function parseTree(text: string, starts?: number[], info?: ParseInfo): Script {
  const len = text.length;
  /** A line with a continuation at end of input or a NUL byte was made. */
  let special = false;
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
  const store = new LexStore(text, len);
  const fast: FastState = {
    text,
    units: mayHaveNul ? NO_UNITS : codeUnits(text),
    store,
    seg0: 0,
    nseg: 0,
    dollarAt: -1,
    label: null,
    comment: null,
    next: 0,
    pipe: false,
  };
  while (pos < len) {
    const lineStart = pos;
    const startLineNumber = lineNumber;
    let cs = pos;
    if (pos === 0 && bom) cs = pos = 1;
    if (!mayHaveNul && lexScan(fast, cs)) {
      if (starts !== undefined) starts.push(lineStart);
      const next = fast.next;
      if (next < len || text.charCodeAt(len - 1) === LF) lineNumber++;
      pos = next;
      lines.push(
        new LineNode(
          store,
          undefined,
          lines.length,
          lineStart,
          pos,
          startLineNumber,
          1,
          fast.label,
          undefined,
          fast.seg0,
          fast.nseg,
          fast.comment,
          false,
          false,
          fast.pipe,
        ),
      );
      continue;
    }
    const nl0 = text.indexOf("\n", pos);
    const contentEnd0 = nl0 < 0 ? len : nl0;
    let ce0 = contentEnd0;
    if (ce0 > pos && text.charCodeAt(ce0 - 1) === CR) ce0--;
    if (!(ce0 > pos && text.charCodeAt(ce0 - 1) === BACKSLASH)) {
      // A single physical line of a text with a NUL byte somewhere (rare): the general lexer;
      // its token list is made again on demand, with the line's BOM and newline.
      if (starts !== undefined) starts.push(lineStart);
      const lexed = lexLogical(state, text, cs, ce0, null);
      tokens.reset();
      if (lexed.hasNul) special = true;
      pos = nl0 < 0 ? len : nl0 + 1;
      if (nl0 >= 0) lineNumber++;
      lines.push(
        new LineNode(
          store,
          undefined,
          lines.length,
          lineStart,
          pos,
          startLineNumber,
          1,
          lexed.label,
          lexed.segments,
          store.add(lexed.segments),
          lexed.segments.length,
          lexed.comment,
          false,
          lexed.hasNul,
        ),
      );
      continue;
    }
    if (lineStart === 0 && bom) tokens.push({ kind: "Bom", start: 0, text: "\ufeff" });
    // Gather physical lines: pieces = logical content ranges, conts = continuation ranges.
    const pieces: number[] = [];
    const conts: number[] = [];
    let eolStart = pos;
    let eolEnd = pos;
    let physical = 0;
    let continuationAtEof = false;
    for (;;) {
      physical++;
      if (starts !== undefined) starts.push(physical === 1 ? lineStart : pos);
      const nl = text.indexOf("\n", pos);
      const contentEnd = nl < 0 ? len : nl;
      const next = nl < 0 ? len : nl + 1;
      let ce = contentEnd;
      if (ce > pos && text.charCodeAt(ce - 1) === CR) ce--;
      if (ce > pos && text.charCodeAt(ce - 1) === BACKSLASH) {
        pieces.push(pos, ce - 1);
        conts.push(ce - 1, next);
        lineNumber += nl < 0 ? 0 : 1;
        pos = next;
        if (pos >= len) {
          continuationAtEof = true;
          eolStart = eolEnd = len;
          break;
        }
        continue;
      }
      pieces.push(pos, ce);
      eolStart = ce;
      eolEnd = next;
      lineNumber += nl < 0 ? 0 : 1;
      pos = next;
      break;
    }
    const lexed = lexJoined(state, pieces, conts);
    if (continuationAtEof || lexed.hasNul) special = true;
    if (eolEnd > eolStart)
      tokens.push({ kind: "Newline", start: eolStart, text: text.slice(eolStart, eolEnd) });
    lines.push(
      new LineNode(
        store,
        tokens.take(),
        lines.length,
        lineStart,
        pos,
        startLineNumber,
        physical,
        lexed.label,
        lexed.segments,
        store.add(lexed.segments),
        lexed.segments.length,
        lexed.comment,
        continuationAtEof,
        lexed.hasNul,
      ),
    );
  }
  store.trim();
  tokens.clear();
  state.segments.clear();
  state.words.clear();
  if (starts !== undefined) {
    // As LineIndex counts them: a line after a final newline, and line 1 of an empty text.
    if (len > 0 && text.charCodeAt(len - 1) === LF) starts.push(len);
    if (starts.length === 0) starts.push(0);
  }
  if (info !== undefined) info.special = special;
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
  /**
   * @param starts - Internal: the physical line starts the parser collected (used as is, and may
   *   still grow while the parse runs); `text` is then ignored.
   */
  constructor(text: string, starts?: number[]) {
    if (starts !== undefined) {
      this.starts = starts;
      return;
    }
    const starts0 = [0];
    let i = text.indexOf("\n");
    while (i >= 0) {
      starts0.push(i + 1);
      i = text.indexOf("\n", i + 1);
    }
    this.starts = starts0;
  }
  /** 1-based line and column (UTF-16 code units) of `offset`. */
  position(offset: number): { line: number; column: number } {
    const s = this.starts;
    let lo = 0;
    let hi = s.length - 1;
    // While the parser is still adding starts, positions are mostly on its current line.
    if (hi > 0 && (s[hi] as number) <= offset) lo = hi;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((s[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (s[lo] as number) + 1 };
  }
}

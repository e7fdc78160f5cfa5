/**
 * Semantic model of a parsed iPXE script: commands with their options and arguments (per iPXE's own
 * option descriptors), labels, a control-flow graph, menus, fetched images/URLs, settings read and
 * written, and the diagnostics a linter reports.
 *
 * @module
 */
import {
  COMMANDS,
  type CommandInfo,
  DOWNLOAD_COMMANDS,
  IMAGE_COMMANDS,
  PREDEFINED_SETTINGS,
} from "./commands.js";
import {
  arityProblem,
  type GetoptResult,
  getopt,
  type ParsedOption,
  parseIpxeInteger,
} from "./getopt.js";
import {
  type ExpansionPart,
  type LabelToken,
  LexStore,
  type Line,
  LineIndex,
  LineNode,
  mayHaveLonePipe,
  OP_AND,
  OP_NONE,
  OP_OR,
  OP_SEQ,
  type ParseInfo,
  packedCopy,
  parseSettingRef,
  parseTree,
  parseWordParts,
  type Script,
  type Segment,
  type SyntaxToken,
  signatureOf,
  W_DYNAMIC,
  W_PIPE,
  type WordPart,
  type WordToken,
} from "./syntax.js";

/** How bad a diagnostic is, matching what iPXE does with the script. */
export type Severity = "error" | "warning" | "info";

/** Every diagnostic code this package emits, with its severity. Codes are stable. */
export const DIAGNOSTIC_CODES = {
  /** The file does not start with `#!ipxe`/`#!gpxe` + whitespace (iPXE: "Exec format error"). */
  "signature-missing": "error",
  /** A `#!` line that iPXE does not accept (`#!iPXE`, no whitespace after, a 6-byte file). */
  "signature-invalid": "error",
  /** A UTF-8 byte order mark before the signature. */
  bom: "error",
  /** A `\` continuation on the last line: iPXE fails the script without running the line. */
  "continuation-at-eof": "error",
  /** An option the built-in command does not have (or a lone `-`). */
  "unknown-option": "error",
  /** An option that needs a value has none (or the next word starts with `-`). */
  "option-requires-argument": "error",
  /** `--flag=value` for an option that takes no value. */
  "option-takes-no-argument": "error",
  /** A literal integer iPXE's `strtoul(…, 0)` rejects (`08`, `5s`). */
  "bad-integer": "error",
  /** Fewer positional arguments than the built-in command needs. */
  "missing-argument": "error",
  /** More positional arguments than the built-in command accepts. */
  "too-many-arguments": "error",
  /** `goto` to a literal label that exists nowhere in the script. */
  "undefined-label": "error",
  /**
   * `… || goto x` where `:x` exists nowhere in the script: the fallback itself fails, so the script
   * fails exactly as it would without it (a calling script's `chain … ||` sees the failure).
   */
  "undefined-label-fallback": "warning",
  /** A command that is not built into current iPXE (another build may have it). */
  "unknown-command": "warning",
  /** A menu item whose name matches no label (common on purpose: `goto ${x}` fails to leave). */
  "item-without-label": "warning",
  /** A label defined more than once; `goto` finds the first. */
  "duplicate-label": "warning",
  /** Lines no path from the top reaches. */
  unreachable: "warning",
  /** A lone `|` passed as an argument: iPXE has no pipes. */
  "lone-pipe": "warning",
  /** A NUL byte: iPXE ignores the rest of the logical line. */
  "nul-byte": "warning",
  /** `goto ${x}`: the target is only known at run time. */
  "dynamic-goto": "info",
  /** A setting read (`${x}`) before any write to it in the script. */
  "setting-read-before-write": "info",
  /** A command or option added after iPXE v1.21.1 (absent from Debian's 1.0.0+git-20190125). */
  "newer-ipxe": "info",
} as const satisfies Record<string, Severity>;

/** A stable diagnostic code. */
export type DiagnosticCode = keyof typeof DIAGNOSTIC_CODES;

/** One finding, positioned in the source. */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  /** Source offset range. */
  readonly start: number;
  readonly end: number;
  /** 1-based line and column of `start`. */
  readonly line: number;
  readonly column: number;
}

/** One command (a segment with at least one word). */
export interface CommandNode {
  readonly line: Line;
  readonly segment: Segment;
  readonly segmentIndex: number;
  /** Operator before this segment (`||`, `&&`, `;`), or null for the first. */
  readonly after: "||" | "&&" | ";" | null;
  /** The command name when literal; undefined when the name contains `${…}`. */
  readonly name: string | undefined;
  readonly nameWord: WordToken;
  /** Built-in command descriptor, when the name is a built-in. */
  readonly info: CommandInfo | undefined;
  readonly options: readonly ParsedOption[];
  readonly args: readonly WordToken[];
}

/** A label definition. */
export interface LabelDef {
  readonly name: string;
  readonly line: Line;
  readonly token: LabelToken;
}

/** Something the script can fetch: an image URI/name, a SAN root path, a picture. */
export interface FetchRef {
  readonly command: CommandNode;
  readonly word: WordToken;
  /** The raw (unexpanded) value. */
  readonly uri: string;
  readonly role: "image" | "signature" | "envelope" | "san" | "picture";
  /** True when iPXE first looks for an already loaded image of that name. */
  readonly mayBeImageName: boolean;
  /** The image command line (the arguments after the URI), joined with single spaces. */
  readonly cmdline: string;
}

/** A setting read by a `${…}` reference or written/deleted by a command. */
export interface SettingAccess {
  readonly kind: "read" | "write" | "delete";
  /** `[scope/]name` without the type. */
  readonly key: string;
  readonly scope: string | undefined;
  readonly name: string;
  readonly type: string | undefined;
  readonly line: Line;
  readonly word: WordToken;
  readonly command: CommandNode | undefined;
}

/** A menu item as `item` declares it. */
export interface MenuItem {
  readonly command: CommandNode;
  readonly menu: string;
  readonly name: string | undefined;
  readonly text: string;
  readonly key: string | undefined;
  readonly isDefault: boolean;
  readonly gap: boolean;
}

/**
 * What the flow pass needs of an `item` (the {@link MenuItem} objects are made on demand): its
 * menu, label name, whether it is a gap, whether its name holds `${…}`, and where a diagnostic
 * about it points (its first argument, else the command name).
 */
interface ItemRec {
  readonly menu: string;
  readonly name: string | undefined;
  readonly gap: boolean;
  readonly dynamic: boolean;
  readonly start: number;
  readonly end: number;
}

/** What the flow pass needs of a `choose`: its menu and the setting it writes. */
interface ChoiceRec {
  readonly menu: string;
  readonly setting: string | undefined;
}

/** A `choose`. */
export interface MenuChoice {
  readonly command: CommandNode;
  readonly menu: string;
  readonly setting: string | undefined;
  readonly default: string | undefined;
  readonly timeoutMs: number | undefined;
}

/** Where control can go from a logical line. */
export interface FlowEdge {
  readonly from: number;
  /** Target logical line index. */
  readonly to: number;
  readonly kind: "fallthrough" | "goto" | "dynamic-goto";
}

/** Control-flow graph over logical lines. */
export interface ControlFlow {
  readonly edges: readonly FlowEdge[];
  /** `successors[i]` = target line indices from line i (see also `anyLabel`). */
  readonly successors: readonly (readonly number[])[];
  /** Whether each line is reachable from the top. */
  readonly reachable: readonly boolean[];
  /** Lines where the script can stop: failure not caught, `exit`, `reboot`, ... */
  readonly exits: readonly number[];
  /**
   * Lines with a `goto ${x}` whose targets are not known statically: they may reach every label
   * (kept apart from `edges` so the graph stays linear in size).
   */
  readonly anyLabel: readonly number[];
}

/**
 * The semantic model. In the object {@link analyze} returns, `commands`, `fetches`, `settings`,
 * `menuItems` and `choices` are own enumerable getters that build their objects on first access
 * and return the same array every time after that: `Object.keys`, a spread, `JSON.stringify` and
 * `structuredClone` see them as plain data (the diagnostics and the flow graph never need those
 * objects, so a lint pays for none of them).
 */
export interface ScriptModel {
  readonly tree: Script;
  readonly commands: readonly CommandNode[];
  /** First definition of each label (the one `goto` finds). */
  readonly labels: ReadonlyMap<string, LabelDef>;
  /** Every label definition in order, duplicates included. */
  readonly labelDefs: readonly LabelDef[];
  readonly flow: ControlFlow;
  readonly fetches: readonly FetchRef[];
  readonly settings: readonly SettingAccess[];
  readonly menuItems: readonly MenuItem[];
  readonly choices: readonly MenuChoice[];
  readonly diagnostics: readonly Diagnostic[];
}

/** What the model does with a built-in command, as bits (one table look-up per command). */
const R_GOTO = 1;
const R_SLEEP = 2;
const R_EXIT = 4;
const R_STOP = 8;
const R_EXEC = 16;
const R_SET = 32;
const R_CLEAR = 64;
const R_WRITES_ARG0 = 128;
const R_SUM = 256;
const R_MENU = 512;
const R_FETCH = 1024;
const R_ITEM = 2048;

interface BuiltIn {
  readonly name: string;
  readonly info: CommandInfo;
  readonly role: number;
  /** 1-based index in {@link BUILT_IN_LIST} (0 stands for "not a built-in"). */
  readonly id: number;
  /** The next built-in in the same {@link builtInSlot}. */
  next: BuiltIn | undefined;
}

/**
 * A slot of the built-in table from a name's length and first and last characters: looks
 * built-ins up without hashing the (freshly sliced) name string (which a `Map` look-up does, out
 * of line, for every command).
 */
function builtInSlot(first: number, last: number, n: number): number {
  return (first * 7 + last * 3 + n * 13) & 255;
}

/** Built-ins by {@link builtInSlot}, chained through `next`. */
let builtInTable: (BuiltIn | undefined)[] | undefined;

/** The built-in table, made on first use. */
function builtIns(): (BuiltIn | undefined)[] {
  let table = builtInTable;
  if (table === undefined) {
    table = new Array<BuiltIn | undefined>(256).fill(undefined);
    for (const b of BUILT_INS.values()) {
      const n = b.name.length;
      const k = builtInSlot(b.name.charCodeAt(0), b.name.charCodeAt(n - 1), n);
      b.next = table[k];
      table[k] = b;
    }
    builtInTable = table;
  }
  return table;
}

/**
 * The built-in named by word `w` of `st`, compared in place (no string made for the name; the
 * value itself for a word whose value is not its source text).
 */
function builtInAt(st: LexStore, w: number): BuiltIn | undefined {
  const v = st.values?.get(w);
  const text = v ?? st.text;
  const a = v === undefined ? (st.words[w * 3] as number) : 0;
  const n = v === undefined ? (st.words[w * 3 + 1] as number) - a : v.length;
  if (n === 0) return undefined;
  const slot = builtInSlot(text.charCodeAt(a), text.charCodeAt(a + n - 1), n);
  for (let b = builtIns()[slot]; b !== undefined; b = b.next) {
    const name = b.name;
    if (name.length !== n) continue;
    let k = 0;
    while (k < n && name.charCodeAt(k) === text.charCodeAt(a + k)) k++;
    if (k === n) return b;
  }
  return undefined;
}

/** The first code unit of word `w`'s value (NaN for an empty value). */
function firstUnitOf(st: LexStore, w: number): number {
  const v = st.values?.get(w);
  if (v !== undefined) return v.charCodeAt(0);
  const W = st.words;
  return W[w * 3] === W[w * 3 + 1] ? Number.NaN : st.text.charCodeAt(W[w * 3] as number);
}

/** Every built-in with its role bits. */
const BUILT_INS: ReadonlyMap<string, BuiltIn> = (() => {
  const m = new Map<string, BuiltIn>();
  const fetchers = new Set(["imgset", "sanboot", "sanhook", "console"]);
  const writers = new Set(["read", "inc", "choose", "pciscan", "usbscan", "imgset", "nslookup"]);
  for (const [name, info] of COMMANDS) {
    let role = 0;
    if (name === "goto") role |= R_GOTO;
    if (name === "sleep") role |= R_SLEEP;
    if (name === "exit") role |= R_EXIT | R_SLEEP;
    if (name === "reboot" || name === "poweroff") role |= R_STOP;
    if (name === "chain" || name === "boot" || name === "imgexec") role |= R_EXEC;
    if (name === "set") role |= R_SET;
    if (name === "clear") role |= R_CLEAR;
    if (writers.has(name)) role |= R_WRITES_ARG0;
    if (name.endsWith("sum")) role |= R_SUM;
    if (name === "item" || name === "choose") role |= R_MENU;
    if (name === "item") role |= R_ITEM;
    if (IMAGE_COMMANDS.has(name) || fetchers.has(name)) role |= R_FETCH;
    m.set(name, { name, info, role, id: m.size + 1, next: undefined });
  }
  return m;
})();

/** {@link BuiltIn.id} of `exit`. */
const EXIT_ID = (BUILT_INS.get("exit") as BuiltIn).id;

/** The built-ins by {@link BuiltIn.id} - 1. */
const BUILT_IN_LIST: readonly BuiltIn[] = [...BUILT_INS.values()];

/** The built-in with this {@link BuiltIn.id}, undefined for 0. */
function builtInById(id: number): BuiltIn | undefined {
  return id === 0 ? undefined : BUILT_IN_LIST[id - 1];
}

function expansions(parts: readonly WordPart[], out: ExpansionPart[] = []): ExpansionPart[] {
  for (let iP0 = 0; iP0 < parts.length; iP0++) {
    const p = parts[iP0] as (typeof parts)[number];
    if (p.kind === "Expansion") {
      expansions(p.inner, out);
      out.push(p);
    }
  }
  return out;
}

/**
 * The values of `words[from…]` joined with single spaces. A plain loop: `map().join()` here made
 * V8 deoptimise `analyze` over and over ("wrong map" on the mapped array).
 */
function joinValues(words: readonly WordToken[], from: number): string {
  let out = "";
  for (let i = from; i < words.length; i++) {
    if (i > from) out += " ";
    out += (words[i] as WordToken).value;
  }
  return out;
}

const NO_JUMPS: readonly number[] = [];
const FALL_NONE = 0;
const FALL_ONLY = 1;
const GOTO_ONLY = 2;
const GOTO_FALL = 3;
const DYN_ONLY = 4;
const DYN_FALL = 5;

/** {@link ControlFlow} with `successors` and `edges` built on first access from compact per-line data. */
class Flow implements ControlFlow {
  private _edges: FlowEdge[] | undefined;
  private _successors: number[][] | undefined;
  constructor(
    /** Per line: FALL_* / GOTO_* / DYN_* kind of its successors. */
    private readonly kinds: Uint8Array,
    /** Jump targets of the lines that have some. */
    private readonly jumps: readonly (readonly number[] | undefined)[],
    readonly reachable: readonly boolean[],
    readonly exits: readonly number[],
    readonly anyLabel: readonly number[],
  ) {}
  get successors(): readonly (readonly number[])[] {
    if (this._successors) return this._successors;
    const n = this.kinds.length;
    const out: number[][] = new Array(n);
    for (let i = 0; i < n; i++) {
      const k = this.kinds[i] as number;
      const falls = k === FALL_ONLY || k === GOTO_FALL || k === DYN_FALL;
      const js = k >= GOTO_ONLY ? this.jumps[i] : undefined;
      if (js === undefined) out[i] = falls ? [i + 1] : [];
      else {
        const succ = js.slice();
        if (falls) succ.push(i + 1);
        out[i] = succ;
      }
    }
    this._successors = out;
    return out;
  }
  get edges(): readonly FlowEdge[] {
    if (this._edges) return this._edges;
    const edges: FlowEdge[] = [];
    const successors = this.successors;
    for (let from = 0; from < successors.length; from++) {
      const succ = successors[from] as readonly number[];
      const k = this.kinds[from] as number;
      const falls = k === FALL_ONLY || k === GOTO_FALL || k === DYN_FALL;
      const jumpKind: FlowEdge["kind"] = k === DYN_ONLY || k === DYN_FALL ? "dynamic-goto" : "goto";
      const nJumps = falls ? succ.length - 1 : succ.length;
      for (let j = 0; j < nJumps; j++) edges.push({ from, to: succ[j] as number, kind: jumpKind });
      if (falls) edges.push({ from, to: from + 1, kind: "fallthrough" });
    }
    this._edges = edges;
    return edges;
  }
  toJSON(): object {
    return {
      edges: this.edges,
      successors: this.successors,
      reachable: this.reachable,
      exits: this.exits,
      anyLabel: this.anyLabel,
    };
  }
}

class Collector {
  readonly diagnostics: Diagnostic[] = [];
  /** Built on the first diagnostic: a clean script never needs line/column positions. */
  private index: LineIndex | undefined;
  constructor(
    private readonly text: string,
    index?: LineIndex,
  ) {
    this.index = index;
  }
  add(code: DiagnosticCode, message: string, start: number, end: number): void {
    if (this.index === undefined) this.index = new LineIndex(this.text);
    const { line, column } = this.index.position(start);
    this.diagnostics.push({
      code,
      severity: DIAGNOSTIC_CODES[code],
      message,
      start,
      end,
      line,
      column,
    });
  }
  at(
    code: DiagnosticCode,
    message: string,
    tok: SyntaxToken | { start: number; end: number },
  ): void {
    const end = "text" in tok ? tok.start + tok.text.length : tok.end;
    this.add(code, message, tok.start, end);
  }
}

/**
 * Syntax-level diagnostics: signature, BOM, continuation at EOF, NUL bytes.
 *
 * @param index - Line index of `text` for positions; built only if there is something to report.
 */
export function syntaxDiagnostics(tree: Script, text: string, index?: LineIndex): Diagnostic[] {
  return syntaxDiagnosticsOf(tree, text, true, index);
}

/**
 * {@link syntaxDiagnostics}; `checkLines` false when the parser reported no line with a
 * continuation at end of input or a NUL byte (skips a walk over every line).
 *
 * @internal
 */
export function syntaxDiagnosticsOf(
  tree: Script,
  text: string,
  checkLines: boolean,
  index?: LineIndex,
): Diagnostic[] {
  const c = new Collector(text, index);
  syntaxInto(c, tree, text, checkLines);
  return c.diagnostics;
}

/**
 * {@link syntaxDiagnostics} into an existing collector; `checkLines` false skips the walk over the
 * lines (the model's first pass saw no continuation at end of file and no NUL byte).
 */
function syntaxInto(c: Collector, tree: Script, text: string, checkLines: boolean): void {
  if (tree.bom)
    c.add(
      "bom",
      "a byte order mark before #!ipxe: iPXE does not recognise the file as a script",
      0,
      1,
    );
  if (!tree.signature) {
    const body = tree.bom ? text.slice(1) : text;
    const firstEnd = body.search(/[\r\n]/);
    const first = firstEnd >= 0 ? body.slice(0, firstEnd) : body;
    const off = tree.bom ? 1 : 0;
    if (tree.bom && signatureOf(body)) {
      // Reported as "bom" above: the signature itself is fine.
    } else if (first.startsWith("#!")) {
      let why = "it must be exactly #!ipxe or #!gpxe (lower case) followed by whitespace";
      if (/^#!(ipxe|gpxe)$/.test(body))
        why = "#!ipxe must be followed by a newline or other whitespace";
      c.add(
        "signature-invalid",
        `invalid script signature ${JSON.stringify(first.slice(0, 16))}: ${why}`,
        off,
        off + Math.min(first.length, 6),
      );
    } else if (!tree.bom) {
      c.add(
        "signature-missing",
        "the script does not start with #!ipxe: iPXE will not execute it",
        0,
        Math.min(first.length, 1),
      );
    }
  }
  if (!checkLines) return;
  for (let iLine1 = 0; iLine1 < tree.lines.length; iLine1++) {
    const line = tree.lines[iLine1] as (typeof tree.lines)[number];
    if (line.continuationAtEof) {
      const last = line.tokens[line.tokens.length - 1] as SyntaxToken;
      c.at(
        "continuation-at-eof",
        "a backslash continuation on the last line: iPXE fails the script here",
        last,
      );
    }
    if (line.hasNul) {
      const ign = line.tokens.find((t) => t.kind === "Ignored");
      if (ign) c.at("nul-byte", "a NUL byte: iPXE ignores the rest of this line", ign);
    }
  }
}

interface Outcome {
  ok: boolean;
  fail: boolean;
  jumps: readonly number[];
}

/** Flow kind of a command, decided in the first pass (the flow pass acts on it). */
const CK_PLAIN = 0;
/**
 * A built-in `goto` with exactly one argument, literal (its label name is in `gotoTargets`, as the
 * target of a CK_GOTO_DYNAMIC is).
 */
const CK_GOTO = 1;
/** A built-in `exit`, `reboot` or `poweroff`. */
const CK_STOP = 2;
/** `chain`/`boot`/`imgexec` with `--replace`. */
const CK_REPLACE = 3;
/** A built-in `goto` with exactly one argument, holding `${…}`. */
const CK_GOTO_DYNAMIC = 4;

const NO_OPTIONS: readonly ParsedOption[] = [];

/** Line flag bits of the first pass. */
const LF_CMD = 1;
const LF_SEGMENTS = 2;
const LF_LABEL = 4;
/** One segment holding one plain command: succeeds or fails, then falls through. */
const LF_SIMPLE = 8;

/**
 * The first pass of {@link analyze}, one line at a time: labels, commands (options, arguments),
 * settings, menus and their diagnostics, read from the parser's {@link LexStore} (word and segment
 * objects are made only for the lines that need them: options, menus, diagnostics of the flow).
 */
class ModelPass {
  // The numbers below live in typed arrays of their final size (the line count and the segment
  // count are known before the pass): growing plain arrays by `push` allocated about three times
  // their final size per analysis.
  /** Commands so far. */
  nCmds = 0;
  /** Flow kind of each command (CK_*), in command order. */
  readonly cmdKinds: Int32Array;
  /** Line index and segment index of each command, parallel to `cmdKinds` (the flow pass matches
   * commands to segments with these, and the command objects are made from them on demand). */
  readonly cmdLines: Int32Array;
  readonly cmdSegs: Int32Array;
  /** The built-in of each command (its {@link BuiltIn.id}, 0 for none). */
  readonly cmdBuiltIns: Int32Array;
  /** `getopt`'s result for the commands that ran it, else undefined. */
  readonly cmdOpts: (GetoptResult | undefined)[];
  /** Lines so far. */
  nLines = 0;
  /** Per line: index in `segOps` of its segment count (-1 for lines the flow pass settles alone). */
  readonly segBase: Int32Array;
  /** Per line with segments: the count, then the operator ending each segment (OP_*). */
  readonly segOps: Int32Array;
  nSegOps = 0;
  /**
   * The label names of the literal gotos (CK_GOTO), in command order: the flow pass reads them
   * here instead of from the command objects.
   */
  readonly gotoTargets: string[] = [];
  /** Source start and end of each of those targets (for their diagnostics). */
  readonly gotoSpans: number[] = [];
  /** The `item` and `choose` commands (command indices), and what the flow pass needs of them. */
  readonly menuCmds: number[] = [];
  readonly itemRecs: ItemRec[] = [];
  readonly choiceRecs: ChoiceRec[] = [];
  private menuLists: { items: MenuItem[]; choices: MenuChoice[] } | undefined;
  /** Settings state for "read before write" (textual order). */
  readonly rbw: ReadBeforeWrite;
  /** Per line: LF_* bits. */
  readonly lineFlags: Int32Array;
  readonly labelDefs: LabelDef[] = [];
  readonly labels = new Map<string, LabelDef>();
  readonly newerSeen = new Set<string>();
  /** Command objects made before `commands` was asked for (menus, flow diagnostics). */
  private readonly made: (CommandNode | undefined)[];
  private all: CommandNode[] | undefined;
  private settingList: SettingAccess[] | undefined;
  private fetchList: FetchRef[] | undefined;
  /** Words and segments of lines that did not come from this package's parser. */
  private foreign: LexStore | undefined;
  constructor(
    readonly c: Collector,
    readonly lines: readonly Line[],
  ) {
    // Segments of all lines: at most one command each, and what `segOps` can hold.
    let segments = 0;
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as Line;
      segments += line instanceof LineNode ? line._nseg : line.segments.length;
    }
    this.cmdKinds = new Int32Array(segments);
    this.cmdLines = new Int32Array(segments);
    this.cmdSegs = new Int32Array(segments);
    this.cmdBuiltIns = new Int32Array(segments);
    // Sparse: few commands have options, or are made before `commands` is asked for.
    this.cmdOpts = new Array<GetoptResult | undefined>(segments);
    this.made = new Array<CommandNode | undefined>(segments);
    this.segBase = new Int32Array(lines.length);
    this.lineFlags = new Int32Array(lines.length);
    this.segOps = new Int32Array(segments + lines.length);
    this.rbw = {
      c,
      seen: new Map<string, number>(),
      readDone: new Array<string | undefined>(RBW_CACHE).fill(undefined),
      writeDone: new Array<string | undefined>(RBW_CACHE).fill(undefined),
      readWords: new Set<string>(),
    };
  }

  line(line: Line): void {
    const c = this.c;
    const label = line.label;
    let flags = 0;
    if (label !== null) {
      flags = LF_LABEL;
      const def: LabelDef = { name: label.name, line, token: label };
      this.labelDefs.push(def);
      const first = this.labels.get(def.name);
      if (first) {
        c.at(
          "duplicate-label",
          `label ":${def.name}" is already defined on line ${first.line.lineNumber}; goto finds that one`,
          label,
        );
      } else this.labels.set(def.name, def);
    }
    // The line's words and segments as numbers (a foreign tree's line is recorded first).
    let st: LexStore;
    let seg0: number;
    let nseg: number;
    if (line instanceof LineNode) {
      st = line._store;
      seg0 = line._seg0;
      nseg = line._nseg;
    } else {
      if (this.foreign === undefined) this.foreign = new LexStore("", 0);
      st = this.foreign;
      seg0 = st.add(line.segments);
      nseg = line.segments.length;
    }
    const li = this.nLines++;
    if (nseg === 0) {
      this.segBase[li] = -1;
      this.lineFlags[li] = flags;
      return;
    }
    flags |= LF_SEGMENTS;
    const S = st.segs;
    const checkPipe = mayHaveLonePipe(line);
    if (nseg === 1) {
      // Most lines: one segment. A plain command there is settled by the flow pass without its
      // operator, so nothing is pushed to `segOps` (only to be taken back).
      const q = seg0 * 4;
      const nw = S[q + 1] as number;
      let kind = -1;
      if (nw > 0) {
        kind = this.command(line, st, 0, S[q] as number, nw, checkPipe);
        flags |= LF_CMD;
      }
      if (kind === CK_PLAIN) {
        flags |= LF_SIMPLE;
        this.segBase[li] = -1;
      } else {
        this.segBase[li] = this.nSegOps;
        this.segOps[this.nSegOps++] = 1;
        this.segOps[this.nSegOps++] = S[q + 2] as number;
      }
      this.lineFlags[li] = flags;
      return;
    }
    // Segment count, then each segment's ending operator (OP_*), for the flow pass.
    const segOps = this.segOps;
    const base = this.nSegOps;
    segOps[this.nSegOps++] = nseg;
    for (let segmentIndex = 0; segmentIndex < nseg; segmentIndex++) {
      const q = (seg0 + segmentIndex) * 4;
      segOps[this.nSegOps++] = S[q + 2] as number;
      const nw = S[q + 1] as number;
      if (nw === 0) continue;
      this.command(line, st, segmentIndex, S[q] as number, nw, checkPipe);
      flags |= LF_CMD;
    }
    this.segBase[li] = base;
    this.lineFlags[li] = flags;
  }

  /**
   * One command, segment `segmentIndex` of `line`, words `[w0, w0 + nw)` of `st`: its diagnostics
   * and what the flow pass and the menus need, read from the store; returns its flow kind (CK_*).
   * The command object itself is made on demand ({@link commandAt}).
   */
  private command(
    line: Line,
    st: LexStore,
    segmentIndex: number,
    w0: number,
    nw: number,
    checkPipe: boolean,
  ): number {
    const c = this.c;
    const W = st.words;
    const idx = this.nCmds;
    const nameStart = W[w0 * 3] as number;
    const nameEnd = W[w0 * 3 + 1] as number;
    const nameDynamic = ((W[w0 * 3 + 2] as number) & W_DYNAMIC) !== 0;
    const builtIn = nameDynamic ? undefined : builtInAt(st, w0);
    const role = builtIn === undefined ? 0 : builtIn.role;
    let g: GetoptResult | undefined;
    let kind = CK_PLAIN;
    /** The first argument (after any options) as a word index, -1 when there is none. */
    let a0 = -1;
    let nArgs: number;
    if (builtIn !== undefined) {
      const info = builtIn.info;
      if (info.parsesOptions && nw > 1 && firstUnitOf(st, w0 + 1) === 45) {
        // Options: getopt works on the word objects (the line makes them now).
        const words = (line.segments[segmentIndex] as Segment).words;
        g = getopt(info, words, 1);
        nArgs = g.args.length;
        // `args` is the tail of the words.
        if (nArgs > 0) a0 = w0 + nw - nArgs;
        for (let iP3 = 0; iP3 < g.problems.length; iP3++) {
          const p = g.problems[iP3] as (typeof g.problems)[number];
          if (p.word) c.at(p.code, p.message, p.word);
          else c.add(p.code, p.message, nameStart, nameEnd);
        }
      } else {
        // No option can follow: what getopt would do, without its result objects.
        nArgs = nw - 1;
        if (nArgs > 0) a0 = w0 + 1;
        if (nArgs < info.minArgs) {
          const p = arityProblem(info, "missing-argument", undefined);
          c.add(p.code, p.message, nameStart, nameEnd);
        } else if (nArgs > info.maxArgs) {
          const p = arityProblem(info, "too-many-arguments", undefined);
          const x = (w0 + 1 + info.maxArgs) * 3;
          c.add(p.code, p.message, W[x] as number, W[x + 1] as number);
        }
      }
      if (info.since && !this.newerSeen.has(info.name)) {
        this.newerSeen.add(info.name);
        c.add(
          "newer-ipxe",
          `"${info.name}" was added to iPXE in ${info.since} (after v1.21.1; Debian's 1.0.0+git-20190125 lacks it)`,
          nameStart,
          nameEnd,
        );
      }
      if (g !== undefined) {
        const options = g.options;
        for (let iO4 = 0; iO4 < options.length; iO4++) {
          const o = options[iO4] as (typeof options)[number];
          if (o.info?.since) {
            const key = `${info.name} --${o.name}`;
            if (!this.newerSeen.has(key)) {
              this.newerSeen.add(key);
              c.at(
                "newer-ipxe",
                `"${key}" was added to iPXE in ${o.info.since} (after v1.21.1)`,
                o.word,
              );
            }
          }
        }
      }
      if ((role & R_GOTO) !== 0) {
        if (nArgs === 1) {
          kind = ((W[a0 * 3 + 2] as number) & W_DYNAMIC) !== 0 ? CK_GOTO_DYNAMIC : CK_GOTO;
          this.gotoTargets.push(st.value(a0));
          this.gotoSpans.push(W[a0 * 3] as number, W[a0 * 3 + 1] as number);
        }
      } else if ((role & R_SLEEP) !== 0) {
        if (a0 >= 0 && ((W[a0 * 3 + 2] as number) & W_DYNAMIC) === 0) {
          const v = st.value(a0);
          if (parseIpxeInteger(v) === undefined)
            c.add(
              "bad-integer",
              `${info.name}: "${v}" is not a valid integer`,
              W[a0 * 3] as number,
              W[a0 * 3 + 1] as number,
            );
        }
        if ((role & R_EXIT) !== 0) kind = CK_STOP;
      } else if ((role & R_STOP) !== 0) kind = CK_STOP;
    } else if (!nameDynamic) {
      c.add(
        "unknown-command",
        `"${st.value(w0)}" is not a built-in iPXE command (it fails unless this build has it)`,
        nameStart,
        nameEnd,
      );
    }
    if (
      (role & R_EXEC) !== 0 &&
      g !== undefined &&
      g.options.length > 0 &&
      hasOptionNamed(g.options, "replace")
    )
      kind = CK_REPLACE;
    this.cmdKinds[idx] = kind;
    this.cmdLines[idx] = this.nLines - 1;
    this.cmdSegs[idx] = segmentIndex;
    this.cmdBuiltIns[idx] = builtIn === undefined ? 0 : builtIn.id;
    this.nCmds = idx + 1;
    if (g !== undefined) this.cmdOpts[idx] = g;
    // "Read before write" and lone `|` diagnostics depend on this command alone.
    checkSettings(this.rbw, st, w0, nw, checkPipe);
    if (role !== 0) {
      if ((role & R_SET) !== 0 || (role & R_CLEAR) !== 0 || (role & R_WRITES_ARG0) !== 0) {
        if (a0 >= 0 && ((W[a0 * 3 + 2] as number) & W_DYNAMIC) === 0)
          rbwWrite(this.rbw, parseSettingRef(st.value(a0)).name);
      } else if ((role & R_SUM) !== 0 && g !== undefined && g.options.length > 0) {
        const s = g.options.find((o) => o.name === "set");
        if (s?.valueWord && !s.valueWord.dynamic)
          rbwWrite(this.rbw, parseSettingRef(s.valueWord.value).name);
      }
      if ((role & R_MENU) !== 0) {
        this.menuCmds.push(idx);
        if (g !== undefined) this.menuRecOf(this.commandAt(idx, line));
        else if ((role & R_ITEM) !== 0) {
          // `item` without options: label name and text, no `--menu`.
          const dynamic = a0 >= 0 && ((W[a0 * 3 + 2] as number) & W_DYNAMIC) !== 0;
          this.itemRecs.push({
            menu: "",
            name: a0 >= 0 ? st.value(a0) : undefined,
            gap: a0 < 0,
            dynamic,
            start: W[(a0 >= 0 ? a0 : w0) * 3] as number,
            end: W[(a0 >= 0 ? a0 : w0) * 3 + 1] as number,
          });
        } else {
          // `choose` without options.
          const literal = a0 >= 0 && ((W[a0 * 3 + 2] as number) & W_DYNAMIC) === 0;
          this.choiceRecs.push({
            menu: "",
            setting: literal ? parseSettingRef(st.value(a0)).name : undefined,
          });
        }
      }
    }
    return kind;
  }

  /** The command object of command `i` (made once, then the same object). */
  commandAt(i: number, line?: Line): CommandNode {
    if (this.all !== undefined) return this.all[i] as CommandNode;
    const have = this.made[i];
    if (have !== undefined) return have;
    const node = this.makeCommand(i, line ?? (this.lines[this.cmdLines[i] as number] as Line));
    this.made[i] = node;
    return node;
  }

  private makeCommand(i: number, line: Line): CommandNode {
    const si = this.cmdSegs[i] as number;
    const segs = line.segments;
    const segment = segs[si] as Segment;
    const words = segment.words;
    const nameWord = words[0] as WordToken;
    const builtIn = builtInById(this.cmdBuiltIns[i] as number);
    const g = this.cmdOpts[i];
    const prevOp = si === 0 ? null : (segs[si - 1] as Segment).operator;
    return {
      line,
      segment,
      segmentIndex: si,
      after: prevOp === null ? null : prevOp.op,
      name: nameWord.dynamic ? undefined : nameWord.value,
      nameWord,
      info: builtIn === undefined ? undefined : builtIn.info,
      options: g === undefined ? NO_OPTIONS : g.options,
      args: g === undefined ? packedCopy(words, 1, words.length - 1) : g.args,
    };
  }

  /** Records an `item` or `choose` whose options getopt parsed (from its command object). */
  private menuRecOf(cmd: CommandNode): void {
    const items: MenuItem[] = [];
    const choices: MenuChoice[] = [];
    collectMenu(cmd, items, choices);
    const it = items[0];
    if (it !== undefined) {
      const at = cmd.args[0] ?? cmd.nameWord;
      this.itemRecs.push({
        menu: it.menu,
        name: it.name,
        gap: it.gap,
        dynamic: cmd.args[0]?.dynamic === true,
        start: at.start,
        end: at.start + at.text.length,
      });
    } else {
      const ch = choices[0] as MenuChoice;
      this.choiceRecs.push({ menu: ch.menu, setting: ch.setting });
    }
  }

  /** Every menu item and `choose` (made on first access of either). */
  menus(): { items: MenuItem[]; choices: MenuChoice[] } {
    if (this.menuLists !== undefined) return this.menuLists;
    const lists = { items: [] as MenuItem[], choices: [] as MenuChoice[] };
    for (let i = 0; i < this.menuCmds.length; i++)
      collectMenu(this.commandAt(this.menuCmds[i] as number), lists.items, lists.choices);
    this.menuLists = lists;
    return lists;
  }

  /** Every command object, in order (made on first access). */
  commands(): readonly CommandNode[] {
    if (this.all !== undefined) return this.all;
    const n = this.nCmds;
    const out = new Array<CommandNode>(n);
    for (let i = 0; i < n; i++) out[i] = this.commandAt(i);
    this.all = out;
    return out;
  }

  /** Every setting access in textual order (made on first access). */
  settings(): readonly SettingAccess[] {
    if (this.settingList !== undefined) return this.settingList;
    const out: SettingAccess[] = [];
    const cmds = this.commands();
    for (let i = 0; i < cmds.length; i++) {
      const b = builtInById(this.cmdBuiltIns[i] as number);
      collectSettings(cmds[i] as CommandNode, out, b === undefined ? 0 : b.role);
    }
    this.settingList = out;
    return out;
  }

  /** Every fetch in command order (made on first access). */
  fetches(): readonly FetchRef[] {
    if (this.fetchList !== undefined) return this.fetchList;
    const out: FetchRef[] = [];
    for (let i = 0; i < this.nCmds; i++) {
      const b = builtInById(this.cmdBuiltIns[i] as number);
      if (b !== undefined && (b.role & R_FETCH) !== 0) collectFetches(this.commandAt(i), out);
    }
    this.fetchList = out;
    return out;
  }
}

/**
 * Builds the semantic model of a script (text or tree) and all its diagnostics.
 * Never throws.
 */
export function analyze(input: string | Script, sourceText?: string): ScriptModel {
  const text = typeof input === "string" ? input : (sourceText ?? printTree(input));
  // Parsing a text: the parser hands over the physical line starts for positions as it goes.
  const starts: number[] = [];
  const c = new Collector(text, typeof input === "string" ? new LineIndex("", starts) : undefined);
  let tree: Script;
  let special = true;
  if (typeof input === "string") {
    const info: ParseInfo = { special: false };
    tree = parseTree(input, starts, info);
    special = info.special;
  } else tree = input;
  const pass = new ModelPass(c, tree.lines);
  for (let i = 0; i < tree.lines.length; i++) pass.line(tree.lines[i] as Line);
  syntaxInto(c, tree, text, special);
  const { gotoTargets, gotoSpans, itemRecs, choiceRecs, labelDefs, labels } = pass;
  const { cmdKinds, cmdLines, cmdSegs, cmdBuiltIns, segBase, segOps, lineFlags } = pass;
  const nCmds = pass.nCmds;
  const lines = tree.lines;
  const lineCount = lines.length;

  // Control flow.
  const labelLine = (name: string): number | undefined => labels.get(name)?.line.index;
  const choiceCache = new Map<string, { lines: number[]; canFail: boolean } | undefined>();
  const choiceTargets = (setting: string): { lines: number[]; canFail: boolean } | undefined => {
    if (choiceCache.has(setting)) return choiceCache.get(setting);
    const r = computeChoiceTargets(setting);
    choiceCache.set(setting, r);
    return r;
  };
  const menuIndex = new MenuIndex(itemRecs, choiceRecs);
  const computeChoiceTargets = (
    setting: string,
  ): { lines: number[]; canFail: boolean } | undefined => {
    const menus = menuIndex.menusOf(setting);
    if (menus === undefined) return undefined;
    // The targets depend only on the menu: cache them per (single) menu.
    let only: string | undefined;
    if (menus.size === 1) {
      for (const x of menus) only = x;
      if (targetsByMenu.has(only as string)) return targetsByMenu.get(only as string);
    }
    const r = menuTargets(menus);
    if (only !== undefined) targetsByMenu.set(only, r);
    return r;
  };
  const targetsByMenu = new Map<string, { lines: number[]; canFail: boolean } | undefined>();
  const menuTargets = (
    menus: ReadonlySet<string>,
  ): { lines: number[]; canFail: boolean } | undefined => {
    const out = new Set<number>();
    let canFail = false;
    const items = menuIndex.itemsIn(menus);
    for (let iIt11 = 0; iIt11 < items.length; iIt11++) {
      const it = items[iIt11] as ItemRec;
      if (it.gap || it.name === undefined) continue;
      if (it.dynamic) return undefined;
      const l = labelLine(it.name);
      if (l === undefined) canFail = true;
      else out.add(l);
    }
    return { lines: [...out], canFail };
  };
  const fx: FlowCtx = {
    c,
    labels,
    menuIndex,
    choiceTargets,
    itemWarned: new Set<ItemRec>(),
    warnedSettings: new Set<string>(),
    anyLabel: false,
    dynamicEdge: false,
  };
  // Per line: which kinds its successors are, and its jump targets (edges and successor lists
  // are materialised on demand).
  const fallKinds = new Uint8Array(lineCount);
  const jumpsOf = new Array<number[] | undefined>(lineCount);
  const exits: number[] = [];
  const anyLabelLines: number[] = [];
  const isAnyLabel = new Uint8Array(lineCount);
  /** Next command to match: commands are in line and segment order, so one cursor finds each. */
  let nextCmd = 0;
  /** Next literal goto target, likewise. */
  let nextGoto = 0;
  for (let i = 0; i < lineCount; i++) {
    const flags = lineFlags[i] as number;
    if ((flags & LF_SEGMENTS) === 0) {
      // Blank, comment-only and label-only lines fall through.
      if (i + 1 < lineCount) fallKinds[i] = FALL_ONLY;
      else exits.push(i);
      continue;
    }
    if ((flags & LF_SIMPLE) !== 0) {
      // One plain command: it may fail (the script stops) or succeed (the next line runs).
      nextCmd++;
      if (i + 1 < lineCount) fallKinds[i] = FALL_ONLY;
      exits.push(i);
      continue;
    }
    let stOk = true;
    let stFail = false;
    let jumps: number[] | null = null;
    let stops = false;
    fx.anyLabel = false;
    fx.dynamicEdge = false;
    const base = segBase[i] as number;
    const nSegs = segOps[base] as number;
    for (let si = 0; si < nSegs; si++) {
      /** This segment's command index, -1 for an empty segment. */
      let cmd = -1;
      let ck = CK_PLAIN;
      /** A goto's target, and the index of its source span in `gotoSpans`. */
      let target = "";
      let span = 0;
      if (nextCmd < nCmds && cmdLines[nextCmd] === i && cmdSegs[nextCmd] === si) {
        cmd = nextCmd;
        ck = cmdKinds[nextCmd] as number;
        nextCmd++;
        if (ck === CK_GOTO || ck === CK_GOTO_DYNAMIC) {
          span = nextGoto * 2;
          target = gotoTargets[nextGoto++] as string;
        }
      }
      // The operator before this segment (ending the previous one).
      const op = si === 0 ? OP_NONE : (segOps[base + si] as number);
      let runs: boolean;
      let carryOk = false;
      let carryFail = false;
      if (op === OP_NONE || op === OP_SEQ) runs = stOk || stFail;
      else if (op === OP_AND) {
        runs = stOk;
        carryFail = stFail;
      } else {
        runs = stFail;
        carryOk = stOk;
      }
      if (!runs) {
        stOk = carryOk;
        stFail = carryFail;
        continue;
      }
      if (cmd < 0) {
        // An empty segment (after a trailing operator) succeeds.
        stOk = true;
        stFail = carryFail;
        continue;
      }
      if (ck === CK_PLAIN) {
        stOk = true;
        stFail = true;
        continue;
      }
      if (ck === CK_GOTO) {
        // A literal goto, settled here without an outcome object.
        const l = labels.get(target)?.line.index;
        if (l === undefined) {
          const a = gotoSpans[span] as number;
          undefinedLabel(c, target, a, gotoSpans[span + 1] as number, op === OP_OR);
          stOk = carryOk;
          stFail = true;
        } else {
          if (jumps === null) jumps = [l];
          else if (!jumps.includes(l)) jumps.push(l);
          stOk = carryOk;
          stFail = carryFail;
        }
        continue;
      }
      const out =
        ck === CK_GOTO_DYNAMIC
          ? dynamicGoto(fx, target, gotoSpans[span] as number, gotoSpans[span + 1] as number)
          : ck === CK_STOP
            ? cmdBuiltIns[cmd] === EXIT_ID
              ? EXIT_OUTCOME
              : STOP_OUTCOME
            : STOP_OUTCOME;
      if (out.jumps.length) {
        if (jumps === null) jumps = out.jumps.slice();
        else {
          for (let k = 0; k < out.jumps.length; k++) {
            const j = out.jumps[k] as number;
            if (!jumps.includes(j)) jumps.push(j);
          }
        }
      }
      if (out.stops) stops = true;
      stOk = carryOk || out.ok;
      stFail = carryFail || out.fail;
    }
    const falls = stOk && i + 1 < lineCount;
    if (jumps !== null) jumpsOf[i] = jumps;
    fallKinds[i] =
      jumps === null
        ? falls
          ? FALL_ONLY
          : FALL_NONE
        : !fx.dynamicEdge
          ? falls
            ? GOTO_FALL
            : GOTO_ONLY
          : falls
            ? DYN_FALL
            : DYN_ONLY;
    if (stFail || stops || (stOk && i + 1 >= lineCount)) exits.push(i);
    if (fx.anyLabel) {
      anyLabelLines.push(i);
      isAnyLabel[i] = 1;
    }
  }
  const reachable = new Array<boolean>(lineCount).fill(false);
  let labelsOpened = false;
  if (lineCount > 0) {
    // Each line is pushed at most once.
    const stack = new Int32Array(lineCount);
    let sp = 0;
    stack[sp++] = 0;
    reachable[0] = true;
    while (sp > 0) {
      const i = stack[--sp] as number;
      if (!labelsOpened && isAnyLabel[i] === 1) {
        // An unresolved `goto ${x}` may reach every label.
        labelsOpened = true;
        for (const d of labels.values()) {
          const j = d.line.index;
          if (!reachable[j]) {
            reachable[j] = true;
            stack[sp++] = j;
          }
        }
      }
      const k = fallKinds[i] as number;
      if (k >= GOTO_ONLY) {
        const js = jumpsOf[i] as number[];
        for (let q = 0; q < js.length; q++) {
          const j = js[q] as number;
          if (!reachable[j]) {
            reachable[j] = true;
            stack[sp++] = j;
          }
        }
      }
      if ((k === FALL_ONLY || k === GOTO_FALL || k === DYN_FALL) && !reachable[i + 1]) {
        reachable[i + 1] = true;
        stack[sp++] = i + 1;
      }
    }
  }
  // Unreachable runs of command lines.
  let runStart = -1;
  let runCount = 0;
  for (let i = 0; i <= lineCount; i++) {
    const flags = i < lineCount ? (lineFlags[i] as number) : 0;
    const end = i === lineCount || reachable[i] === true || (flags & LF_LABEL) !== 0;
    if (end && runStart >= 0) {
      c.at(
        "unreachable",
        `no path from the top of the script reaches ${runCount === 1 ? "this line" : `these ${runCount} lines`}`,
        firstWordSpan(lines[runStart] as Line),
      );
      runStart = -1;
      runCount = 0;
    }
    if (i === lineCount || reachable[i] === true || (flags & LF_CMD) === 0) continue;
    if (runStart < 0) runStart = i;
    runCount++;
  }

  sortDiagnostics(c.diagnostics);
  return new Model(
    tree,
    pass,
    labels,
    labelDefs,
    new Flow(fallKinds, jumpsOf, reachable, exits, anyLabelLines),
    c.diagnostics,
  );
}

/**
 * The {@link ScriptModel} `analyze` returns. `commands`, `fetches`, `settings`, `menuItems` and
 * `choices` are own enumerable getters that make their objects on first access (then return the same array every
 * time), so `Object.keys`, a spread, `JSON.stringify` and `structuredClone` see every field, in the
 * interface's order. The getter functions are shared by every model (one set of hidden classes).
 */
class Model implements ScriptModel {
  /** Where the objects made on demand come from (an ES private field: no own key). */
  readonly #pass: ModelPass;
  readonly tree: Script;
  declare readonly commands: readonly CommandNode[];
  readonly labels: ReadonlyMap<string, LabelDef>;
  readonly labelDefs: readonly LabelDef[];
  readonly flow: ControlFlow;
  declare readonly fetches: readonly FetchRef[];
  declare readonly settings: readonly SettingAccess[];
  declare readonly menuItems: readonly MenuItem[];
  declare readonly choices: readonly MenuChoice[];
  readonly diagnostics: readonly Diagnostic[];
  constructor(
    tree: Script,
    pass: ModelPass,
    labels: ReadonlyMap<string, LabelDef>,
    labelDefs: readonly LabelDef[],
    flow: ControlFlow,
    diagnostics: readonly Diagnostic[],
  ) {
    this.#pass = pass;
    this.tree = tree;
    Object.defineProperty(this, "commands", Model.#lazy.commands);
    this.labels = labels;
    this.labelDefs = labelDefs;
    this.flow = flow;
    Object.defineProperty(this, "fetches", Model.#lazy.fetches);
    Object.defineProperty(this, "settings", Model.#lazy.settings);
    Object.defineProperty(this, "menuItems", Model.#lazy.menuItems);
    Object.defineProperty(this, "choices", Model.#lazy.choices);
    this.diagnostics = diagnostics;
  }
  static readonly #lazy = {
    commands: {
      enumerable: true,
      get(this: Model): readonly CommandNode[] {
        return this.#pass.commands();
      },
    },
    fetches: {
      enumerable: true,
      get(this: Model): readonly FetchRef[] {
        return this.#pass.fetches();
      },
    },
    settings: {
      enumerable: true,
      get(this: Model): readonly SettingAccess[] {
        return this.#pass.settings();
      },
    },
    menuItems: {
      enumerable: true,
      get(this: Model): readonly MenuItem[] {
        return this.#pass.menus().items;
      },
    },
    choices: {
      enumerable: true,
      get(this: Model): readonly MenuChoice[] {
        return this.#pass.menus().choices;
      },
    },
  } as const satisfies Record<string, PropertyDescriptor>;
}

/** Diagnostics order: by start, then by code. */
function diagnosticBefore(a: Diagnostic, b: Diagnostic): boolean {
  return a.start < b.start || (a.start === b.start && a.code < b.code);
}

/**
 * Sorts diagnostics by start, then code, keeping the order of equal ones: a merge sort with the
 * comparison inlined (the diagnostics come in a few sorted runs; `Array.prototype.sort` with a
 * comparator callback cost more than the rest of the flow pass).
 */
function sortDiagnostics(d: Diagnostic[]): void {
  const n = d.length;
  let k = 1;
  while (k < n && !diagnosticBefore(d[k] as Diagnostic, d[k - 1] as Diagnostic)) k++;
  if (k >= n) return;
  let src = d.slice();
  let dst = new Array<Diagnostic>(n);
  for (let width = 1; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let o = lo;
      while (i < mid && j < hi) {
        // Equal ones: the left (earlier) first.
        if (diagnosticBefore(src[j] as Diagnostic, src[i] as Diagnostic))
          dst[o++] = src[j++] as Diagnostic;
        else dst[o++] = src[i++] as Diagnostic;
      }
      while (i < mid) dst[o++] = src[i++] as Diagnostic;
      while (j < hi) dst[o++] = src[j++] as Diagnostic;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  for (let q = 0; q < n; q++) d[q] = src[q] as Diagnostic;
}

/** The first word of a line with a command (the token an "unreachable" diagnostic points at). */
function firstWordSpan(line: Line): SyntaxToken | { start: number; end: number } {
  if (line instanceof LineNode) {
    // Read from the store: no word objects for the line.
    const S = line._store.segs;
    const W = line._store.words;
    for (let k = line._seg0; k < line._seg0 + line._nseg; k++) {
      if ((S[k * 4 + 1] as number) === 0) continue;
      const w = S[k * 4] as number;
      return { start: W[w * 3] as number, end: W[w * 3 + 1] as number };
    }
  }
  const segs = line.segments;
  for (let s = 0; s < segs.length; s++) {
    const w = (segs[s] as Segment).words[0];
    if (w !== undefined) return w;
  }
  return line.tokens[0] as SyntaxToken;
}

function hasOptionNamed(options: readonly ParsedOption[], n: string): boolean {
  for (let i = 0; i < options.length; i++) if ((options[i] as ParsedOption).name === n) return true;
  return false;
}

/** The value of the first option named `n` (a loop: no callback closure per look-up). */
function optValue(cmd: CommandNode, n: string): string | undefined {
  const options = cmd.options;
  for (let i = 0; i < options.length; i++) {
    const o = options[i] as ParsedOption;
    if (o.name === n) return o.value;
  }
  return undefined;
}

function hasOpt(cmd: CommandNode, n: string): boolean {
  return cmd.options.length > 0 && hasOptionNamed(cmd.options, n);
}

/** An `item` or `choose` (a built-in command with a literal name). */
function collectMenu(cmd: CommandNode, menuItems: MenuItem[], choices: MenuChoice[]): void {
  if (cmd.name === "item") {
    const gap = hasOpt(cmd, "gap");
    const nameW = gap ? undefined : cmd.args[0];
    menuItems.push({
      command: cmd,
      menu: optValue(cmd, "menu") ?? "",
      name: nameW?.value,
      text: joinValues(cmd.args, gap ? 0 : 1),
      key: optValue(cmd, "key"),
      isDefault: hasOpt(cmd, "default"),
      gap: gap || cmd.args.length === 0,
    });
  } else if (cmd.name === "choose") {
    const t = cmd.options.find((o) => o.name === "timeout");
    choices.push({
      command: cmd,
      menu: optValue(cmd, "menu") ?? "",
      setting:
        cmd.args[0] && !cmd.args[0].dynamic ? parseSettingRef(cmd.args[0].value).name : undefined,
      default: optValue(cmd, "default"),
      timeoutMs: t?.number,
    });
  }
}

/** Images, SAN paths and pictures a built-in command (literal name) fetches. */
function collectFetches(cmd: CommandNode, fetches: FetchRef[]): void {
  const n = cmd.name as string;
  if (IMAGE_COMMANDS.has(n) && cmd.args[0]) {
    const first = cmd.args[0];
    const mayBeImageName = !DOWNLOAD_COMMANDS.has(n);
    const cmdline = n === "imgverify" || n === "imgdecrypt" ? "" : joinValues(cmd.args, 1);
    fetches.push({
      command: cmd,
      word: first,
      uri: first.value,
      role: "image",
      mayBeImageName,
      cmdline,
    });
    const second = cmd.args[1];
    if ((n === "imgverify" || n === "imgdecrypt") && second)
      fetches.push({
        command: cmd,
        word: second,
        uri: second.value,
        role: n === "imgverify" ? "signature" : "envelope",
        mayBeImageName: true,
        cmdline: "",
      });
  } else if (n === "imgset" && cmd.args[1]) {
    fetches.push({
      command: cmd,
      word: cmd.args[1],
      uri: cmd.args[1].value,
      role: "image",
      mayBeImageName: true,
      cmdline: "",
    });
  } else if (n === "sanboot" || n === "sanhook") {
    for (const w of cmd.args)
      fetches.push({
        command: cmd,
        word: w,
        uri: w.value,
        role: "san",
        mayBeImageName: false,
        cmdline: "",
      });
  } else if (n === "console") {
    const p = cmd.options.find((o) => o.name === "picture");
    const w = p?.valueWord ?? p?.word;
    if (p?.value !== undefined && w)
      fetches.push({
        command: cmd,
        word: w,
        uri: p.value,
        role: "picture",
        mayBeImageName: false,
        cmdline: "",
      });
  }
}

/** State of the "setting read before the script writes it" check, in textual order. */
interface ReadBeforeWrite {
  readonly c: Collector;
  /** Per unscoped setting name: SEEN_WRITTEN and/or SEEN_REPORTED (one look-up per access). */
  readonly seen: Map<string, number>;
  /**
   * Direct-mapped caches (by {@link rbwSlot}) of names whose next read, or write, is known to
   * change nothing: most accesses repeat a name, and a `Map` look-up hashes the freshly sliced
   * name string every time (out of line), while a slot check is a few instructions.
   */
  readonly readDone: (string | undefined)[];
  readonly writeDone: (string | undefined)[];
  /**
   * Values of the `${…}` words already checked: every setting such a word reads has been read
   * before, so the same word again cannot report anything (scripts repeat `${base-url}` & co.).
   */
  readonly readWords: Set<string>;
}

/** Slots of the {@link ReadBeforeWrite} caches (a power of two). */
const RBW_CACHE = 64;

/** A cache slot from a name's length and first and last characters. */
function rbwSlot(name: string): number {
  const n = name.length;
  return n === 0 ? 0 : (n * 31 + name.charCodeAt(0) * 7 + name.charCodeAt(n - 1)) & (RBW_CACHE - 1);
}

/**
 * A write or delete of the setting `name` (from {@link parseSettingRef} of the written word's
 * value; the scope does not matter here): once written, a name stays written.
 */
function rbwWrite(st: ReadBeforeWrite, name: string): void {
  const slot = rbwSlot(name);
  // Once written, a name stays written, and its reads change nothing either.
  if (st.writeDone[slot] === name) return;
  st.writeDone[slot] = name;
  st.readDone[slot] = name;
  const was = st.seen.get(name);
  if (was === undefined || (was & SEEN_WRITTEN) === 0) st.seen.set(name, (was ?? 0) | SEEN_WRITTEN);
}

/**
 * A read of the unscoped setting `name` by word `w`: reports the first read of each setting not
 * written earlier in the text.
 */
function rbwRead(st: ReadBeforeWrite, name: string, start: number, end: number): void {
  const slot = rbwSlot(name);
  // A name already seen, predefined or numeric: no read of it reports anything again.
  if (st.readDone[slot] === name) return;
  st.readDone[slot] = name;
  const was = st.seen.get(name);
  if (was !== undefined) return; // written or already reported
  if (PREDEFINED_SETTINGS.has(name) || isDigit(name.charCodeAt(0))) return;
  st.seen.set(name, SEEN_REPORTED);
  st.c.add(
    "setting-read-before-write",
    `setting "${name}" is read before the script writes it (empty unless set elsewhere)`,
    start,
    end,
  );
}

const SEEN_WRITTEN = 1;
const SEEN_REPORTED = 2;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * A read of the setting named by `v[a, b)` (the literal inside `${…}`), split as
 * {@link parseSettingRef} does, without building the word's parts.
 */
function readAccess(
  cmd: CommandNode,
  w: WordToken,
  v: string,
  a: number,
  b: number,
): SettingAccess {
  const slash = indexIn(v, "/", a, b);
  const nameStart = slash >= 0 ? slash + 1 : a;
  const colon = indexIn(v, ":", nameStart, b);
  const nameEnd = colon >= 0 ? colon : b;
  const name = v.slice(nameStart, nameEnd);
  const scope = slash >= 0 ? v.slice(a, slash) : undefined;
  return {
    kind: "read",
    // `scope/name` is exactly the text from the start to the end of the name.
    key: scope !== undefined ? v.slice(a, nameEnd) : name,
    scope,
    name,
    type: colon >= 0 ? v.slice(colon + 1, b) : undefined,
    line: cmd.line,
    word: w,
    command: cmd,
  };
}

/** Offset of `c` in `v[from, to)`, -1 when it is not there (the inside of one `${…}`). */
function indexIn(v: string, c: string, from: number, to: number): number {
  const i = v.indexOf(c, from);
  return i >= 0 && i < to ? i : -1;
}

/** Scratch for {@link flatRefSpans} (reused: no allocation per word). */
const REF_SPANS: number[] = [];

/**
 * When every complete `${…}` in `v` is flat (no `${` before its `}`), writes the offsets of each
 * one's `$` and `}` to `out` (pairs, left to right) and returns how many numbers it wrote; else -1.
 * The `${` search that checks one reference for nesting also finds the next reference.
 */
function flatRefSpans(v: string, out: number[]): number {
  let n = 0;
  let open = v.indexOf("${");
  while (open >= 0) {
    const close = v.indexOf("}", open + 2);
    // Unterminated: the rest is literal text.
    if (close < 0) break;
    const next = v.indexOf("${", open + 2);
    if (next >= 0 && next < close) return -1;
    out[n++] = open;
    out[n++] = close;
    open = next;
  }
  return n;
}

/**
 * The "read before write" check of the `${…}` reads in a command's words and the lone `|` check,
 * in one walk over the words: the diagnostics half of {@link collectSettings}, without its objects.
 */
function checkSettings(
  st: ReadBeforeWrite,
  store: LexStore,
  w0: number,
  nw: number,
  checkPipe: boolean,
): void {
  const W = store.words;
  for (let k = w0; k < w0 + nw; k++) {
    const flags = W[k * 3 + 2] as number;
    const start = W[k * 3] as number;
    const end = W[k * 3 + 1] as number;
    if ((flags & W_DYNAMIC) === 0) {
      if (checkPipe && (flags & W_PIPE) !== 0)
        st.c.add(
          "lone-pipe",
          `a lone "|" is passed to the command as an argument: iPXE has no pipes`,
          start,
          end,
        );
      continue;
    }
    const v = store.value(k);
    if (st.readWords.has(v)) continue;
    st.readWords.add(v);
    const spans = REF_SPANS;
    const nSpans = flatRefSpans(v, spans);
    if (nSpans >= 0) {
      // The common case, read straight from the value (same order as the parts: left to right).
      for (let q = 0; q < nSpans; q += 2) {
        const a = (spans[q] as number) + 2;
        const b = spans[q + 1] as number;
        // Scoped reads (`${net0/mac}`) are not checked; the name ends at the type's `:`.
        if (indexIn(v, "/", a, b) >= 0) continue;
        const colon = indexIn(v, ":", a, b);
        rbwRead(st, v.slice(a, colon >= 0 ? colon : b), start, end);
      }
      continue;
    }
    const found = expansions(parseWordParts(v).parts);
    for (let iE = 0; iE < found.length; iE++) {
      const ref = (found[iE] as ExpansionPart).ref;
      if (ref && ref.scope === undefined) rbwRead(st, ref.name, start, end);
    }
  }
}

/**
 * `${…}` reads in a command's words, then what the command writes or deletes: the objects of
 * {@link ScriptModel.settings}, made on first access (the diagnostics are {@link checkSettings}').
 */
function collectSettings(cmd: CommandNode, settings: SettingAccess[], role: number): void {
  const words = cmd.segment.words;
  for (let k = 0; k < words.length; k++) {
    const w = words[k] as WordToken;
    if (!w.dynamic) continue;
    const v = w.value;
    const spans = REF_SPANS;
    const nSpans = flatRefSpans(v, spans);
    if (nSpans >= 0) {
      for (let q = 0; q < nSpans; q += 2)
        settings.push(readAccess(cmd, w, v, (spans[q] as number) + 2, spans[q + 1] as number));
      continue;
    }
    const found = expansions(w.parts);
    for (let iE = 0; iE < found.length; iE++) {
      const ref = (found[iE] as ExpansionPart).ref;
      if (!ref) continue;
      settings.push({
        kind: "read",
        key: ref.scope !== undefined ? `${ref.scope}/${ref.name}` : ref.name,
        scope: ref.scope,
        name: ref.name,
        type: ref.type,
        line: cmd.line,
        word: w,
        command: cmd,
      });
    }
  }
  if (role === 0) return;
  if ((role & R_SET) !== 0)
    writeSetting(settings, cmd, cmd.args[0], cmd.args.length > 1 ? "write" : "delete");
  else if ((role & R_CLEAR) !== 0) writeSetting(settings, cmd, cmd.args[0], "delete");
  else if ((role & R_WRITES_ARG0) !== 0) writeSetting(settings, cmd, cmd.args[0], "write");
  else if ((role & R_SUM) !== 0 && cmd.options.length > 0) {
    const s = cmd.options.find((o) => o.name === "set");
    if (s?.valueWord) writeSetting(settings, cmd, s.valueWord, "write");
  }
}

function writeSetting(
  settings: SettingAccess[],
  cmd: CommandNode,
  w: WordToken | undefined,
  kind: "write" | "delete",
): void {
  if (!w || w.dynamic) return;
  const ref = parseSettingRef(w.value);
  settings.push({
    kind,
    key: ref.scope !== undefined ? `${ref.scope}/${ref.name}` : ref.name,
    scope: ref.scope,
    name: ref.name,
    type: ref.type,
    line: cmd.line,
    word: w,
    command: cmd,
  });
}

const NO_MENUS: ReadonlySet<string> = new Set();

/**
 * Menu items by menu and `choose` menus by setting, built on the first `goto ${choice}`. Scanning
 * every item and every `choose` for each such goto made a script with many menus quadratic.
 */
class MenuIndex {
  private byMenu: Map<string, ItemRec[]> | undefined;
  private bySetting: Map<string, Set<string>> | undefined;
  constructor(
    private readonly items: readonly ItemRec[],
    private readonly choices: readonly ChoiceRec[],
  ) {}
  /** The menus of the `choose` commands that write `setting`; undefined when there are none. */
  menusOf(setting: string): ReadonlySet<string> | undefined {
    if (this.bySetting === undefined) {
      const m = new Map<string, Set<string>>();
      for (let i = 0; i < this.choices.length; i++) {
        const ch = this.choices[i] as ChoiceRec;
        if (ch.setting === undefined) continue;
        let set = m.get(ch.setting);
        if (set === undefined) {
          set = new Set<string>();
          m.set(ch.setting, set);
        }
        set.add(ch.menu);
      }
      this.bySetting = m;
    }
    return this.bySetting.get(setting);
  }
  /** The items of `menus`, in document order. */
  itemsIn(menus: ReadonlySet<string>): readonly ItemRec[] {
    if (menus.size !== 1) return this.items.filter((it) => menus.has(it.menu));
    if (this.byMenu === undefined) {
      const m = new Map<string, ItemRec[]>();
      for (let i = 0; i < this.items.length; i++) {
        const it = this.items[i] as ItemRec;
        const list = m.get(it.menu);
        if (list === undefined) m.set(it.menu, [it]);
        else list.push(it);
      }
      this.byMenu = m;
    }
    let only = "";
    for (const x of menus) only = x;
    return this.byMenu.get(only) ?? [];
  }
  private unlabeledByMenu: Map<string, ItemRec[]> | undefined;
  /**
   * The named items of `menus` whose name is no label, in document order (cached per menu: in a
   * script with many `goto ${choice}` on one menu, each would scan every item again).
   */
  unlabeledIn(
    menus: ReadonlySet<string>,
    labels: ReadonlyMap<string, LabelDef>,
  ): readonly ItemRec[] {
    let only: string | undefined;
    if (menus.size === 1) {
      for (const x of menus) only = x;
      const hit = this.unlabeledByMenu?.get(only as string);
      if (hit !== undefined) return hit;
    }
    const items = this.itemsIn(menus);
    const out: ItemRec[] = [];
    for (let i = 0; i < items.length; i++) {
      const it = items[i] as ItemRec;
      if (!it.gap && it.name !== undefined && !labels.has(it.name)) out.push(it);
    }
    if (only !== undefined) {
      if (this.unlabeledByMenu === undefined) this.unlabeledByMenu = new Map();
      this.unlabeledByMenu.set(only, out);
    }
    return out;
  }
}

/** What the control-flow pass shares with {@link dynamicGoto}. */
interface FlowCtx {
  readonly c: Collector;
  readonly labels: ReadonlyMap<string, LabelDef>;
  readonly menuIndex: MenuIndex;
  readonly choiceTargets: (setting: string) => { lines: number[]; canFail: boolean } | undefined;
  readonly itemWarned: Set<ItemRec>;
  readonly warnedSettings: Set<string>;
  /** Set when the current line has a `goto ${x}` with unknown targets. */
  anyLabel: boolean;
  /** Set when the current line's jumps come from a dynamic goto. */
  dynamicEdge: boolean;
}

/** Reports a literal `goto` target `name` (at `[start, end)`) that no label of the script has. */
function undefinedLabel(
  c: Collector,
  name: string,
  start: number,
  end: number,
  fallback: boolean,
): void {
  if (fallback)
    c.add(
      "undefined-label-fallback",
      `goto: label ":${name}" is not defined in this script, so this fallback fails and the script stops here`,
      start,
      end,
    );
  else c.add("undefined-label", `goto: label ":${name}" is not defined in this script`, start, end);
}

/** `exit` (succeeds when it stops the script) and `reboot`/`poweroff`, `chain --replace` & co. */
const EXIT_OUTCOME: Outcome & { stops: boolean } = {
  ok: false,
  fail: false,
  jumps: NO_JUMPS,
  stops: true,
};
const STOP_OUTCOME: Outcome & { stops: boolean } = {
  ok: false,
  fail: true,
  jumps: NO_JUMPS,
  stops: true,
};

/**
 * What a `goto` whose target `value` (at `[start, end)`) holds `${…}` can do: jump to the labels
 * of the menu items a `choose` of that setting offers, else to any label.
 */
function dynamicGoto(
  fx: FlowCtx,
  value: string,
  start: number,
  end: number,
): Outcome & { stops: boolean } {
  const { c, labels } = fx;
  fx.dynamicEdge = true;
  const parts = parseWordParts(value).parts;
  const only = parts.length === 1 ? parts[0] : undefined;
  const choiceSetting =
    only?.kind === "Expansion" && only.ref && only.ref.scope === undefined
      ? only.ref.name
      : undefined;
  const viaChoice = choiceSetting === undefined ? undefined : fx.choiceTargets(choiceSetting);
  if (viaChoice && choiceSetting !== undefined && !fx.warnedSettings.has(choiceSetting)) {
    fx.warnedSettings.add(choiceSetting);
    // The items of the menus a `choose` of this setting reads (each has such a choose).
    const items = fx.menuIndex.unlabeledIn(fx.menuIndex.menusOf(choiceSetting) ?? NO_MENUS, labels);
    for (let iIt13 = 0; iIt13 < items.length; iIt13++) {
      const it = items[iIt13] as ItemRec;
      if (fx.itemWarned.has(it)) continue;
      fx.itemWarned.add(it);
      c.add(
        "item-without-label",
        `menu item "${it.name}" has no matching label: goto ${value} fails when it is chosen`,
        it.start,
        it.end,
      );
    }
  }
  if (viaChoice) {
    c.add("dynamic-goto", `goto ${value}: target chosen from a menu at run time`, start, end);
    return { ok: false, fail: viaChoice.canFail, jumps: viaChoice.lines, stops: false };
  }
  c.add("dynamic-goto", `goto ${value}: the target is only known at run time`, start, end);
  fx.anyLabel = true;
  return { ok: false, fail: true, jumps: NO_JUMPS, stops: false };
}

function printTree(tree: Script): string {
  let out = "";
  for (const line of tree.lines) for (const t of line.tokens) out += t.text;
  return out;
}

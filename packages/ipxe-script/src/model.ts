/**
 * Semantic model of a parsed iPXE script: commands with their options and arguments (per iPXE's own
 * option descriptors), labels, a control-flow graph, menus, fetched images/URLs, settings read and
 * written, and the diagnostics a linter reports.
 *
 * @module
 */
import {
  type CommandInfo,
  commandInfo,
  DOWNLOAD_COMMANDS,
  IMAGE_COMMANDS,
  PREDEFINED_SETTINGS,
} from "./commands.js";
import { getopt, type ParsedOption, parseIpxeInteger } from "./getopt.js";
import {
  type ExpansionPart,
  type LabelToken,
  type Line,
  LineIndex,
  parseSettingRef,
  parseTree,
  type Script,
  type Segment,
  type SyntaxToken,
  signatureOf,
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

/** The semantic model. */
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

const TERMINATORS = new Set(["exit", "reboot", "poweroff"]);
const EXEC_COMMANDS = new Set(["chain", "boot", "imgexec"]);

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

/** {@link ControlFlow} with `edges` built on first access from the successor lists. */
class Flow implements ControlFlow {
  private _edges: FlowEdge[] | undefined;
  constructor(
    readonly successors: readonly (readonly number[])[],
    private readonly kinds: readonly number[],
    readonly reachable: readonly boolean[],
    readonly exits: readonly number[],
    readonly anyLabel: readonly number[],
  ) {}
  get edges(): readonly FlowEdge[] {
    if (this._edges) return this._edges;
    const edges: FlowEdge[] = [];
    for (let from = 0; from < this.successors.length; from++) {
      const succ = this.successors[from] as readonly number[];
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

const PLAIN_OUTCOME = { ok: true, fail: true, jumps: NO_JUMPS, stops: false } as const;
const EMPTY_OUTCOME = { ok: true, fail: false, jumps: NO_JUMPS, stops: false } as const;

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
  const c = new Collector(text, index);
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
  return c.diagnostics;
}

interface Outcome {
  ok: boolean;
  fail: boolean;
  jumps: readonly number[];
}

/**
 * Builds the semantic model of a script (text or tree) and all its diagnostics.
 * Never throws.
 */
export function analyze(input: string | Script, sourceText?: string): ScriptModel {
  const tree = typeof input === "string" ? parseTree(input) : input;
  const text = typeof input === "string" ? input : (sourceText ?? printTree(tree));
  const c = new Collector(text);
  const syntax = syntaxDiagnostics(tree, text);
  for (let i = 0; i < syntax.length; i++) c.diagnostics.push(syntax[i] as Diagnostic);

  const commands: CommandNode[] = [];
  const settings: SettingAccess[] = [];
  const menuItems: MenuItem[] = [];
  const choices: MenuChoice[] = [];
  const fetches: FetchRef[] = [];
  /** Settings state for "read before write" (textual order). */
  const rbw: ReadBeforeWrite = { c, written: new Set<string>(), reported: new Set<string>() };
  /** Lines with at least one command. */
  const hasCmd = new Uint8Array(tree.lines.length);
  const labelDefs: LabelDef[] = [];
  const labels = new Map<string, LabelDef>();
  const newerSeen = new Set<string>();

  for (let iLine2 = 0; iLine2 < tree.lines.length; iLine2++) {
    const line = tree.lines[iLine2] as (typeof tree.lines)[number];
    if (line.label) {
      const def: LabelDef = { name: line.label.name, line, token: line.label };
      labelDefs.push(def);
      const first = labels.get(def.name);
      if (first) {
        c.at(
          "duplicate-label",
          `label ":${def.name}" is already defined on line ${first.line.lineNumber}; goto finds that one`,
          line.label,
        );
      } else labels.set(def.name, def);
    }
    let after: "||" | "&&" | ";" | null = null;
    for (let segmentIndex = 0; segmentIndex < line.segments.length; segmentIndex++) {
      const segment = line.segments[segmentIndex] as Segment;
      const prev = after;
      after = segment.operator?.op ?? null;
      const nameWord = segment.words[0];
      if (!nameWord) continue;
      for (let k = 0; k < segment.words.length; k++) {
        const w = segment.words[k] as WordToken;
        if (w.value === "|")
          c.at(
            "lone-pipe",
            `a lone "|" is passed to the command as an argument: iPXE has no pipes`,
            w,
          );
      }
      const name = nameWord.dynamic ? undefined : nameWord.value;
      const info = name === undefined ? undefined : commandInfo(name);
      let options: ParsedOption[] = [];
      let args: WordToken[];
      if (info) {
        const g = getopt(info, segment.words, 1);
        options = g.options;
        args = g.args;
        for (let iP3 = 0; iP3 < g.problems.length; iP3++) {
          const p = g.problems[iP3] as (typeof g.problems)[number];
          if (p.word) c.at(p.code, p.message, p.word);
          else c.at(p.code, p.message, nameWord);
        }
        if (info.since && !newerSeen.has(info.name)) {
          newerSeen.add(info.name);
          c.at(
            "newer-ipxe",
            `"${info.name}" was added to iPXE in ${info.since} (after v1.21.1; Debian's 1.0.0+git-20190125 lacks it)`,
            nameWord,
          );
        }
        for (let iO4 = 0; iO4 < options.length; iO4++) {
          const o = options[iO4] as (typeof options)[number];
          const key = `${info.name} --${o.name}`;
          if (o.info?.since && !newerSeen.has(key)) {
            newerSeen.add(key);
            c.at(
              "newer-ipxe",
              `"${key}" was added to iPXE in ${o.info.since} (after v1.21.1)`,
              o.word,
            );
          }
        }
        if ((name === "sleep" || name === "exit") && args[0] && !args[0].dynamic) {
          if (parseIpxeInteger(args[0].value) === undefined)
            c.at("bad-integer", `${name}: "${args[0].value}" is not a valid integer`, args[0]);
        }
      } else {
        args = segment.words.slice(1);
        if (name !== undefined)
          c.at(
            "unknown-command",
            `"${name}" is not a built-in iPXE command (it fails unless this build has it)`,
            nameWord,
          );
      }
      const node: CommandNode = {
        line,
        segment,
        segmentIndex,
        after: prev,
        name,
        nameWord,
        info,
        options,
        args,
      };
      commands.push(node);
      hasCmd[iLine2] = 1;
      // Settings, menus and fetches depend on this command alone: collect them in this one pass
      // over the tree (a pass per section cost more in cache misses than the work itself).
      const firstSetting = settings.length;
      collectSettings(node, settings);
      readBeforeWrite(rbw, settings, firstSetting);
      if (info && name !== undefined) {
        collectMenu(node, menuItems, choices);
        collectFetches(node, fetches);
      }
    }
  }

  // Control flow.
  const lineCount = tree.lines.length;
  const labelLine = (name: string): number | undefined => labels.get(name)?.line.index;
  const choiceCache = new Map<string, { lines: number[]; canFail: boolean } | undefined>();
  const choiceTargets = (setting: string): { lines: number[]; canFail: boolean } | undefined => {
    if (choiceCache.has(setting)) return choiceCache.get(setting);
    const r = computeChoiceTargets(setting);
    choiceCache.set(setting, r);
    return r;
  };
  const menuIndex = new MenuIndex(menuItems, choices);
  const computeChoiceTargets = (
    setting: string,
  ): { lines: number[]; canFail: boolean } | undefined => {
    const menus = menuIndex.menusOf(setting);
    if (menus === undefined) return undefined;
    const out = new Set<number>();
    let canFail = false;
    const items = menuIndex.itemsIn(menus);
    for (let iIt11 = 0; iIt11 < items.length; iIt11++) {
      const it = items[iIt11] as MenuItem;
      if (it.gap || it.name === undefined) continue;
      if (it.command.args[0]?.dynamic) return undefined;
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
    itemWarned: new Set<MenuItem>(),
    warnedSettings: new Set<string>(),
    anyLabel: false,
    dynamicEdge: false,
  };
  const successors: number[][] = [];
  // Per line: which kinds its successors are (edges are materialised on demand).
  const fallKinds: number[] = [];
  const exits: number[] = [];
  const anyLabelLines: number[] = [];
  /** Next command to match: commands are in line and segment order, so one cursor finds each. */
  let nextCmd = 0;
  for (let iLine12 = 0; iLine12 < tree.lines.length; iLine12++) {
    const line = tree.lines[iLine12] as (typeof tree.lines)[number];
    if (line.segments.length === 0) {
      // Blank, comment-only and label-only lines fall through.
      if (line.index + 1 < lineCount) {
        successors.push([line.index + 1]);
        fallKinds.push(FALL_ONLY);
      } else {
        fallKinds.push(FALL_NONE);
        successors.push([]);
        exits.push(line.index);
      }
      continue;
    }
    let stOk = true;
    let stFail = false;
    let jumps: number[] | null = null;
    let stops = false;
    fx.anyLabel = false;
    fx.dynamicEdge = false;
    const segs = line.segments;
    for (let si = 0; si < segs.length; si++) {
      let cmd: CommandNode | undefined = commands[nextCmd];
      if (cmd !== undefined && cmd.line === line && cmd.segmentIndex === si) nextCmd++;
      else cmd = undefined;
      const op = si === 0 ? null : (segs[si - 1] as Segment).operator?.op;
      let runs: boolean;
      let carryOk = false;
      let carryFail = false;
      if (op === null || op === undefined || op === ";") runs = stOk || stFail;
      else if (op === "&&") {
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
      const out = segmentOutcome(fx, cmd, op === "||");
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
    const falls = stOk && line.index + 1 < lineCount;
    // Built at their final size: a pushed-to `[]` keeps 17 slots.
    let succ: number[];
    if (jumps === null) succ = falls ? [line.index + 1] : [];
    else {
      succ = jumps;
      if (falls) succ.push(line.index + 1);
    }
    fallKinds.push(
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
            : DYN_ONLY,
    );
    if (stFail || stops || (stOk && line.index + 1 >= lineCount)) exits.push(line.index);
    if (fx.anyLabel) anyLabelLines.push(line.index);
    successors.push(succ);
  }
  const reachable = new Array<boolean>(lineCount).fill(false);
  const isAnyLabel = new Set(anyLabelLines);
  let labelsOpened = false;
  if (lineCount > 0) {
    const stack = [0];
    reachable[0] = true;
    while (stack.length) {
      const i = stack.pop() as number;
      if (!labelsOpened && isAnyLabel.has(i)) {
        // An unresolved `goto ${x}` may reach every label.
        labelsOpened = true;
        for (const d of labels.values()) {
          const j = d.line.index;
          if (!reachable[j]) {
            reachable[j] = true;
            stack.push(j);
          }
        }
      }
      const succI = successors[i] as number[];
      for (let iJ14 = 0; iJ14 < succI.length; iJ14++) {
        const j = succI[iJ14] as number;
        if (!reachable[j]) {
          reachable[j] = true;
          stack.push(j);
        }
      }
    }
  }
  // Unreachable runs of command lines.
  let runStart: Line | undefined;
  let runCount = 0;
  const flush = (): void => {
    if (runStart && runCount > 0) {
      const first = runStart.tokens.find((t) => t.kind === "Word") ?? runStart.tokens[0];
      if (first)
        c.at(
          "unreachable",
          `no path from the top of the script reaches ${runCount === 1 ? "this line" : `these ${runCount} lines`}`,
          first,
        );
    }
    runStart = undefined;
    runCount = 0;
  };
  for (let iLine15 = 0; iLine15 < tree.lines.length; iLine15++) {
    const line = tree.lines[iLine15] as (typeof tree.lines)[number];
    if (reachable[line.index]) {
      flush();
      continue;
    }
    if (line.label) flush();
    if (hasCmd[iLine15] === 0) continue;
    if (!runStart) runStart = line;
    runCount++;
  }
  flush();

  // Menu items with no label, when their choice feeds no goto (reported above otherwise).
  c.diagnostics.sort(
    (a, b) => a.start - b.start || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
  return {
    tree,
    commands,
    labels,
    labelDefs,
    flow: new Flow(successors, fallKinds, reachable, exits, anyLabelLines),
    fetches,
    settings,
    menuItems,
    choices,
    diagnostics: c.diagnostics,
  };
}

const optValue = (cmd: CommandNode, n: string): string | undefined =>
  cmd.options.find((o) => o.name === n)?.value;
const hasOpt = (cmd: CommandNode, n: string): boolean => cmd.options.some((o) => o.name === n);

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
  readonly written: Set<string>;
  readonly reported: Set<string>;
}

/** Reports the first read of each unscoped setting not written earlier (`settings[from…]`). */
function readBeforeWrite(
  st: ReadBeforeWrite,
  settings: readonly SettingAccess[],
  from: number,
): void {
  for (let i = from; i < settings.length; i++) {
    const s = settings[i] as SettingAccess;
    if (s.kind !== "read") {
      st.written.add(s.name);
      continue;
    }
    if (s.scope !== undefined || st.written.has(s.name) || st.reported.has(s.name)) continue;
    if (PREDEFINED_SETTINGS.has(s.name) || isDigit(s.name.charCodeAt(0))) continue;
    st.reported.add(s.name);
    st.c.at(
      "setting-read-before-write",
      `setting "${s.name}" is read before the script writes it (empty unless set elsewhere)`,
      s.word,
    );
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** `${…}` reads in a command's words, then what the command writes or deletes. */
function collectSettings(cmd: CommandNode, settings: SettingAccess[]): void {
  const words = cmd.segment.words;
  for (let k = 0; k < words.length; k++) {
    const w = words[k] as WordToken;
    if (!w.dynamic) continue;
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
  if (!cmd.info) return;
  switch (cmd.name) {
    case "set":
      writeSetting(settings, cmd, cmd.args[0], cmd.args.length > 1 ? "write" : "delete");
      break;
    case "clear":
      writeSetting(settings, cmd, cmd.args[0], "delete");
      break;
    case "read":
    case "inc":
    case "choose":
    case "pciscan":
    case "usbscan":
    case "imgset":
    case "nslookup":
      writeSetting(settings, cmd, cmd.args[0], "write");
      break;
    default:
      if (cmd.name?.endsWith("sum")) {
        const s = cmd.options.find((o) => o.name === "set");
        if (s?.valueWord) writeSetting(settings, cmd, s.valueWord, "write");
      }
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
  private byMenu: Map<string, MenuItem[]> | undefined;
  private bySetting: Map<string, Set<string>> | undefined;
  constructor(
    private readonly items: readonly MenuItem[],
    private readonly choices: readonly MenuChoice[],
  ) {}
  /** The menus of the `choose` commands that write `setting`; undefined when there are none. */
  menusOf(setting: string): ReadonlySet<string> | undefined {
    if (this.bySetting === undefined) {
      const m = new Map<string, Set<string>>();
      for (let i = 0; i < this.choices.length; i++) {
        const ch = this.choices[i] as MenuChoice;
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
  itemsIn(menus: ReadonlySet<string>): readonly MenuItem[] {
    if (menus.size !== 1) return this.items.filter((it) => menus.has(it.menu));
    if (this.byMenu === undefined) {
      const m = new Map<string, MenuItem[]>();
      for (let i = 0; i < this.items.length; i++) {
        const it = this.items[i] as MenuItem;
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
}

/** What the control-flow pass shares with {@link segmentOutcome}. */
interface FlowCtx {
  readonly c: Collector;
  readonly labels: ReadonlyMap<string, LabelDef>;
  readonly menuIndex: MenuIndex;
  readonly choiceTargets: (setting: string) => { lines: number[]; canFail: boolean } | undefined;
  readonly itemWarned: Set<MenuItem>;
  readonly warnedSettings: Set<string>;
  /** Set when the current line has a `goto ${x}` with unknown targets. */
  anyLabel: boolean;
  /** Set when the current line's jumps come from a dynamic goto. */
  dynamicEdge: boolean;
}

/** What running one segment can do: succeed, fail, jump, stop the script. */
function segmentOutcome(
  fx: FlowCtx,
  cmd: CommandNode | undefined,
  fallback: boolean,
): Outcome & { stops: boolean } {
  const { c, labels } = fx;
  if (!cmd) return EMPTY_OUTCOME;
  const n = cmd.name;
  if (n === "goto" && cmd.info && cmd.args.length === 1) {
    const t = cmd.args[0] as WordToken;
    if (!t.dynamic) {
      const l = labels.get(t.value)?.line.index;
      if (l === undefined) {
        if (fallback)
          c.at(
            "undefined-label-fallback",
            `goto: label ":${t.value}" is not defined in this script, so this fallback fails and the script stops here`,
            t,
          );
        else c.at("undefined-label", `goto: label ":${t.value}" is not defined in this script`, t);
        return { ok: false, fail: true, jumps: NO_JUMPS, stops: false };
      }
      return { ok: false, fail: false, jumps: [l], stops: false };
    }
    fx.dynamicEdge = true;
    const only = t.parts.length === 1 ? t.parts[0] : undefined;
    const choiceSetting =
      only?.kind === "Expansion" && only.ref && only.ref.scope === undefined
        ? only.ref.name
        : undefined;
    const viaChoice = choiceSetting === undefined ? undefined : fx.choiceTargets(choiceSetting);
    if (viaChoice && choiceSetting !== undefined && !fx.warnedSettings.has(choiceSetting)) {
      fx.warnedSettings.add(choiceSetting);
      // The items of the menus a `choose` of this setting reads (each has such a choose).
      const items = fx.menuIndex.itemsIn(fx.menuIndex.menusOf(choiceSetting) ?? NO_MENUS);
      for (let iIt13 = 0; iIt13 < items.length; iIt13++) {
        const it = items[iIt13] as MenuItem;
        if (it.gap || it.name === undefined || labels.has(it.name) || fx.itemWarned.has(it))
          continue;
        fx.itemWarned.add(it);
        c.at(
          "item-without-label",
          `menu item "${it.name}" has no matching label: goto ${t.value} fails when it is chosen`,
          it.command.args[0] ?? it.command.nameWord,
        );
      }
    }
    if (viaChoice) {
      c.at("dynamic-goto", `goto ${t.value}: target chosen from a menu at run time`, t);
      return {
        ok: false,
        fail: viaChoice.canFail,
        jumps: viaChoice.lines,
        stops: false,
      };
    }
    c.at("dynamic-goto", `goto ${t.value}: the target is only known at run time`, t);
    fx.anyLabel = true;
    return { ok: false, fail: true, jumps: NO_JUMPS, stops: false };
  }
  if (n !== undefined && TERMINATORS.has(n) && cmd.info) {
    return { ok: false, fail: n !== "exit", jumps: NO_JUMPS, stops: true };
  }
  if (n !== undefined && EXEC_COMMANDS.has(n) && cmd.options.some((o) => o.name === "replace")) {
    return { ok: false, fail: true, jumps: NO_JUMPS, stops: true };
  }
  return PLAIN_OUTCOME;
}

function printTree(tree: Script): string {
  let out = "";
  for (const line of tree.lines) for (const t of line.tokens) out += t.text;
  return out;
}

/**
 * Safe builder: typed objects in, an iPXE script out, and back again.
 *
 * iPXE has no quoting or escaping: tokens are split on whitespace, a token starting with `#` starts
 * a comment, `||`/`&&`/`;` are operators and a trailing `\` joins the next line. A value that
 * cannot be written as one token is therefore carried through a setting: the builder emits
 * `set pxekit-bN:hex <utf-8 bytes>` on the line before and uses `${pxekit-bN:string}` in its place.
 * Values that can never be carried (label names with whitespace, comments with line breaks,
 * unknown options of built-in commands, wrong argument counts) are refused with an
 * {@link IpxeScriptError}. Nothing is ever emitted broken.
 *
 * `parseScriptSpec(buildScript(spec))` deep-equals `spec` for every canonical spec (optional
 * fields absent rather than `undefined`/`false`/empty, option keys spelled as long names, numbers
 * for integer options).
 *
 * @module
 */
import { commandInfo } from "./commands.js";
import { IpxeScriptError } from "./errors.js";
import { getopt } from "./getopt.js";
import { isIpxeSpace, type Line, parseTree, type Script, type WordToken } from "./syntax.js";
import { decodeUtf8, encodeUtf8 } from "./utf8.js";

/** An option value: `true` for a flag, a number for integer/timeout options, else a string. */
export type OptionValue = string | number | true;

/** Names of the commands most scripts use (any other command name is accepted too). */
export type CommonCommandName =
  | "kernel"
  | "initrd"
  | "chain"
  | "imgargs"
  | "imgfetch"
  | "imgexec"
  | "module"
  | "boot"
  | "goto"
  | "set"
  | "clear"
  | "echo"
  | "sleep"
  | "prompt"
  | "exit"
  | "dhcp"
  | "ifconf"
  | "isset"
  | "iseq"
  | "params"
  | "param"
  | "sanboot"
  | "shell"
  | "reboot"
  | "poweroff";

/**
 * One command line: `name [--option value]... [arg]...`, optionally followed by `|| <fallback>`.
 *
 * Options are keyed by their long name (`timeout`, `autofree`) and written before the arguments;
 * for built-in commands the builder checks them against iPXE's own option table.
 */
export interface CommandSpec {
  readonly type: "command";
  readonly name: CommonCommandName | (string & {});
  /** Options by long name; insertion order is kept. */
  readonly options?: Readonly<Record<string, OptionValue>>;
  /** Positional arguments, each one iPXE argument (it may contain `${...}` references). */
  readonly args?: readonly string[];
  /** `"ignore"` emits a trailing `||`; a command emits `|| <command>`. */
  readonly onFailure?: CommandSpec | "ignore";
}

/** `:name`. */
export interface LabelSpec {
  readonly type: "label";
  readonly name: string;
}

/** `# text`. */
export interface CommentSpec {
  readonly type: "comment";
  readonly text: string;
}

/** An empty line. */
export interface BlankSpec {
  readonly type: "blank";
}

/** A line written verbatim (for what the typed statements cannot express). */
export interface RawSpec {
  readonly type: "raw";
  readonly line: string;
}

/** A selectable menu item: `item [--key k] [--default] name text`. */
export interface MenuItemSpec {
  readonly type: "item";
  /** The value `choose` stores (usually a label name). */
  readonly name: string;
  readonly text?: string;
  /** Hotkey: one character, or an integer key code such as `0x02`. */
  readonly key?: string;
  readonly default?: true;
}

/** A separator / heading: `item --gap [text]`. */
export interface MenuGapSpec {
  readonly type: "gap";
  readonly text?: string;
}

/**
 * A menu: `menu [title]`, its items, `choose [--default d] [--timeout ms] <setting>` and, with
 * `dispatch`, a following `goto ${setting}`.
 */
export interface MenuSpec {
  readonly type: "menu";
  /** `--name` for scripts with several menus. */
  readonly name?: string;
  readonly title?: string;
  readonly items: readonly (MenuItemSpec | MenuGapSpec)[];
  /** The setting `choose` stores the chosen item name in. */
  readonly setting: string;
  /** `choose --default`. */
  readonly default?: string;
  /** `choose --timeout`, milliseconds. */
  readonly timeout?: number;
  /** `choose --keep`. */
  readonly keep?: true;
  /** What runs when the user presses Esc (`choose … || <command>`), or `"ignore"`. */
  readonly onCancel?: CommandSpec | "ignore";
  /** Emit `goto ${setting}` after `choose`. */
  readonly dispatch?: true;
}

/** One statement of a script. */
export type StatementSpec = CommandSpec | LabelSpec | CommentSpec | BlankSpec | RawSpec | MenuSpec;

/** A whole script. */
export interface ScriptSpec {
  /** Signature line; `#!ipxe` when omitted (the canonical form omits `"ipxe"`). */
  readonly signature?: "ipxe" | "gpxe";
  readonly body: readonly StatementSpec[];
}

/** Prefix of the settings the builder uses to carry values that cannot be tokens. */
export const CARRIER_PREFIX = "pxekit-b";

/** True when `value` can be written as exactly one iPXE token anywhere on a line. */
export function isSafeToken(value: string): boolean {
  if (value.length === 0) return false;
  if (value === "||" || value === "&&" || value === ";") return false;
  const c0 = value.charCodeAt(0);
  if (c0 === 35 /* # */) return false;
  if (value.charCodeAt(value.length - 1) === 92 /* \ */) return false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (isIpxeSpace(c) || c === 0) return false;
  }
  return true;
}

function utf8Hex(value: string): string {
  const bytes = encodeUtf8(value);
  const out: string[] = [];
  for (const b of bytes) out.push(b.toString(16).padStart(2, "0"));
  return out.join(":");
}

function fromHex(hex: string): string | undefined {
  if (hex === "") return "";
  const parts = hex.split(":");
  const bytes = new Uint8Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i] as string;
    if (!/^[0-9a-fA-F]{1,2}$/.test(p)) return undefined;
    bytes[i] = Number.parseInt(p, 16);
  }
  return decodeUtf8(bytes, true);
}

class Emitter {
  readonly lines: string[] = [];
  private carriers = 0;
  /** Lines to put before the statement currently being built. */
  private pending: string[] = [];

  /** One argument: the value itself when it is a safe token, else a carrier reference. */
  token(value: string): string {
    if (isSafeToken(value) && !value.startsWith(`\${${CARRIER_PREFIX}`)) return value;
    return this.carry(value);
  }

  carry(value: string): string {
    const name = `${CARRIER_PREFIX}${this.carriers++}`;
    const hex = utf8Hex(value);
    this.pending.push(hex ? `set ${name}:hex ${hex}` : `set ${name}:hex`);
    return `\${${name}:string}`;
  }

  /** Text that iPXE re-joins with single spaces (menu titles, item text). */
  text(value: string): string[] {
    const words = value.split(" ");
    if (
      value.length > 0 &&
      words.every((w) => isSafeToken(w) && !w.startsWith(`\${${CARRIER_PREFIX}`))
    )
      return words;
    return [this.carry(value)];
  }

  push(line: string): void {
    for (const p of this.pending) this.lines.push(p);
    this.pending = [];
    this.lines.push(line);
  }
}

function refuse(code: string, message: string): never {
  throw new IpxeScriptError(code, message);
}

function checkName(kind: string, name: string): void {
  if (!isSafeToken(name))
    refuse("bad-value", `${kind} ${JSON.stringify(name)} cannot be written as one iPXE token`);
}

function commandWords(em: Emitter, spec: CommandSpec): string[] {
  const name = spec.name;
  checkName("command name", name);
  if (name.startsWith(":"))
    refuse("bad-value", `command name ${JSON.stringify(name)} would be read as a label`);
  const info = commandInfo(name);
  const words = [name];
  const options = spec.options ?? {};
  const optionKeys = Object.keys(options);
  if (!info && optionKeys.length > 0)
    refuse("unknown-option", `"${name}" is not a built-in command; pass its options as args`);
  for (const key of optionKeys) {
    const value = options[key] as OptionValue;
    const opt = info?.options.find((o) => o.long === key);
    if (!info || !opt) refuse("unknown-option", `${name} has no option --${key}`);
    if (opt.arg === "none") {
      if (value !== true) refuse("bad-value", `${name} --${key} is a flag; its value must be true`);
      words.push(`--${key}`);
      continue;
    }
    if (value === true) refuse("bad-value", `${name} --${key} needs a value`);
    let text: string;
    if (typeof value === "number") {
      if (!Number.isSafeInteger(value) || value < 0)
        refuse("bad-value", `${name} --${key}: ${value} is not a non-negative integer`);
      if (opt.arg === "string")
        refuse("bad-value", `${name} --${key} takes a string, not a number`);
      text = String(value);
    } else {
      if (opt.arg === "int" || opt.arg === "timeout") {
        // Strings are allowed for integer options only when they are not literal integers
        // (e.g. "${timeout}"), so that the spec has one canonical form.
        if (!value.includes("${"))
          refuse(
            "bad-value",
            `${name} --${key}: pass a number (or a string with a \${...} reference)`,
          );
      }
      text = em.token(value);
    }
    words.push(text.startsWith("-") ? `--${key}=${text}` : `--${key}`);
    if (!text.startsWith("-")) words.push(text);
  }
  const args = spec.args ?? [];
  if (info) {
    if (args.length < info.minArgs || args.length > info.maxArgs)
      refuse(
        "bad-arity",
        `${name} takes ${info.minArgs}..${info.maxArgs} arguments, got ${args.length}`,
      );
  }
  const argWords = args.map((a) => em.token(a));
  if (info?.parsesOptions && argWords.length > 0 && (argWords[0] as string).startsWith("-"))
    words.push("--");
  words.push(...argWords);
  return words;
}

function commandLine(em: Emitter, spec: CommandSpec): string {
  const words = commandWords(em, spec);
  if (spec.onFailure === "ignore") words.push("||");
  else if (spec.onFailure) {
    if (spec.onFailure.onFailure !== undefined)
      refuse("bad-value", "a fallback command cannot have its own onFailure");
    words.push("||", ...commandWords(em, spec.onFailure));
  }
  return words.join(" ");
}

function menuLines(em: Emitter, spec: MenuSpec): void {
  const menu = ["menu"];
  if (spec.name !== undefined) menu.push("--name", em.token(spec.name));
  if (spec.title !== undefined) {
    const t = em.text(spec.title);
    if ((t[0] as string).startsWith("-")) menu.push("--");
    menu.push(...t);
  }
  em.push(menu.join(" "));
  for (const item of spec.items) {
    const w = ["item"];
    if (spec.name !== undefined) w.push("--menu", em.token(spec.name));
    if (item.type === "gap") {
      w.push("--gap");
      if (item.text !== undefined) {
        const t = em.text(item.text);
        if ((t[0] as string).startsWith("-")) w.push("--");
        w.push(...t);
      }
    } else {
      if (item.key !== undefined) {
        if (item.key.length === 0) refuse("bad-value", "item key must not be empty");
        const k = em.token(item.key);
        w.push(k.startsWith("-") ? `--key=${k}` : "--key", ...(k.startsWith("-") ? [] : [k]));
      }
      if (item.default) w.push("--default");
      const n = em.token(item.name);
      if (n.startsWith("-")) w.push("--");
      w.push(n);
      if (item.text !== undefined) w.push(...em.text(item.text));
    }
    em.push(w.join(" "));
  }
  const choose = ["choose"];
  if (spec.name !== undefined) choose.push("--menu", em.token(spec.name));
  if (spec.default !== undefined) {
    const d = em.token(spec.default);
    choose.push(...(d.startsWith("-") ? [`--default=${d}`] : ["--default", d]));
  }
  if (spec.timeout !== undefined) {
    if (!Number.isSafeInteger(spec.timeout) || spec.timeout < 0)
      refuse("bad-value", `menu timeout ${spec.timeout} is not a non-negative integer`);
    choose.push("--timeout", String(spec.timeout));
  }
  if (spec.keep) choose.push("--keep");
  checkName("setting name", spec.setting);
  if (spec.setting.startsWith("-")) choose.push("--");
  choose.push(spec.setting);
  if (spec.onCancel === "ignore") choose.push("||");
  else if (spec.onCancel) {
    if (spec.onCancel.onFailure !== undefined)
      refuse("bad-value", "onCancel cannot have its own onFailure");
    choose.push("||", ...commandWords(em, spec.onCancel));
  }
  em.push(choose.join(" "));
  if (spec.dispatch) em.push(`goto \${${spec.setting}}`);
}

/**
 * Builds an iPXE script from typed statements. The result always starts with the signature line
 * and ends with a newline.
 *
 * @throws {@link IpxeScriptError} with code `bad-value`, `unknown-option` or `bad-arity` when the
 * spec cannot be written faithfully.
 */
export function buildScript(spec: ScriptSpec): string {
  const em = new Emitter();
  em.push(`#!${spec.signature ?? "ipxe"}`);
  for (const st of spec.body) {
    switch (st.type) {
      case "blank":
        em.push("");
        break;
      case "comment":
        if (/[\r\n\0]/.test(st.text) || st.text.endsWith("\\"))
          refuse("bad-value", "a comment cannot contain line breaks, NUL, or end with a backslash");
        em.push(st.text === "" ? "#" : `# ${st.text}`);
        break;
      case "label":
        checkName("label", st.name);
        em.push(`:${st.name}`);
        break;
      case "raw":
        if (/[\r\n\0]/.test(st.line) || st.line.endsWith("\\"))
          refuse(
            "bad-value",
            "a raw line cannot contain line breaks, NUL, or end with a backslash",
          );
        em.push(st.line);
        break;
      case "command":
        em.push(commandLine(em, st));
        break;
      case "menu":
        menuLines(em, st);
        break;
      default:
        refuse(
          "bad-value",
          `unknown statement type ${JSON.stringify((st as { type: unknown }).type)}`,
        );
    }
  }
  return `${em.lines.join("\n")}\n`;
}

// ---------------------------------------------------------------------------------------------
// Reading a script back into a spec.

const CARRIER_REF = new RegExp(`^\\$\\{(${CARRIER_PREFIX}\\d+):string\\}$`);

class Reader {
  readonly carriers = new Map<string, string>();
  resolve(w: WordToken): string {
    const m = CARRIER_REF.exec(w.value);
    if (m) {
      const v = this.carriers.get(m[1] as string);
      if (v !== undefined) return v;
    }
    return w.value;
  }
  join(ws: readonly WordToken[]): string {
    if (ws.length === 1) return this.resolve(ws[0] as WordToken);
    return ws.map((w) => w.value).join(" ");
  }
}

function isCarrierLine(r: Reader, line: Line): boolean {
  if (line.label || line.comment || line.segments.length !== 1) return false;
  const ws = (line.segments[0] as { words: readonly WordToken[] }).words;
  if (ws.length < 2 || ws.length > 3 || (ws[0] as WordToken).value !== "set") return false;
  const m = new RegExp(`^(${CARRIER_PREFIX}\\d+):hex$`).exec((ws[1] as WordToken).value);
  if (!m) return false;
  const v = fromHex(ws.length === 3 ? (ws[2] as WordToken).value : "");
  if (v === undefined) return false;
  r.carriers.set(m[1] as string, v);
  return true;
}

function readCommand(r: Reader, words: readonly WordToken[]): CommandSpec | undefined {
  const first = words[0];
  if (!first || first.dynamic) return undefined;
  const name = first.value;
  const info = commandInfo(name);
  if (!info) {
    const args = words.slice(1).map((w) => r.resolve(w));
    return args.length ? { type: "command", name, args } : { type: "command", name };
  }
  const g = getopt(info, words.slice(1));
  if (g.problems.length) return undefined;
  const options: Record<string, OptionValue> = {};
  for (const o of g.options) {
    if (!o.info) return undefined;
    if (o.info.arg === "none") options[o.name] = true;
    else {
      const raw = o.valueWord ? r.resolve(o.valueWord) : (o.value ?? "");
      if ((o.info.arg === "int" || o.info.arg === "timeout") && o.number !== undefined)
        options[o.name] = o.number;
      else options[o.name] = raw;
    }
  }
  const args = g.args.map((w) => r.resolve(w));
  const spec: { -readonly [K in keyof CommandSpec]: CommandSpec[K] } = { type: "command", name };
  if (Object.keys(options).length) spec.options = options;
  if (args.length) spec.args = args;
  return spec;
}

function readCommandLine(r: Reader, line: Line): CommandSpec | undefined {
  const segs = line.segments;
  if (line.comment || segs.length === 0 || segs.length > 2) return undefined;
  const s0 = segs[0] as (typeof segs)[number];
  const cmd = readCommand(r, s0.words);
  if (!cmd) return undefined;
  if (segs.length === 1) return cmd;
  if (s0.operator?.op !== "||") return undefined;
  const s1 = segs[1] as (typeof segs)[number];
  if (s1.words.length === 0) return { ...cmd, onFailure: "ignore" };
  const fb = readCommand(r, s1.words);
  if (!fb) return undefined;
  return { ...cmd, onFailure: fb };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function tryMenu(
  r: Reader,
  lines: readonly Line[],
  at: number,
): { spec: MenuSpec; next: number } | undefined {
  const head = lines[at] as Line;
  if (head.label || head.comment || head.segments.length !== 1) return undefined;
  const mw = (head.segments[0] as { words: readonly WordToken[] }).words;
  if ((mw[0] as WordToken | undefined)?.value !== "menu") return undefined;
  const mg = getopt(
    commandInfo("menu") as NonNullable<ReturnType<typeof commandInfo>>,
    mw.slice(1),
  );
  if (mg.problems.length || mg.options.some((o) => o.name !== "name")) return undefined;
  const menu: Mutable<MenuSpec> = { type: "menu", items: [], setting: "" };
  const nameOpt = mg.options.find((o) => o.name === "name");
  if (nameOpt?.valueWord) menu.name = r.resolve(nameOpt.valueWord);
  else if (nameOpt) return undefined;
  if (mg.args.length) menu.title = r.join(mg.args);
  const items: (MenuItemSpec | MenuGapSpec)[] = [];
  let i = at + 1;
  const itemInfo = commandInfo("item") as NonNullable<ReturnType<typeof commandInfo>>;
  for (; i < lines.length; i++) {
    const l = lines[i] as Line;
    if (l.label || l.comment || l.segments.length !== 1) break;
    const ws = (l.segments[0] as { words: readonly WordToken[] }).words;
    if ((ws[0] as WordToken | undefined)?.value !== "item") break;
    const g = getopt(itemInfo, ws.slice(1));
    if (g.problems.length) return undefined;
    let gap = false;
    let key: string | undefined;
    let isDefault = false;
    for (const o of g.options) {
      if (o.name === "gap") gap = true;
      else if (o.name === "default") isDefault = true;
      else if (o.name === "key") key = o.valueWord ? r.resolve(o.valueWord) : (o.value ?? "");
      else if (o.name === "menu") {
        const v = o.valueWord ? r.resolve(o.valueWord) : o.value;
        if (v !== menu.name) return undefined;
      } else return undefined;
    }
    if (menu.name !== undefined && !g.options.some((o) => o.name === "menu")) return undefined;
    if (gap || g.args.length === 0) {
      if (key !== undefined || isDefault) return undefined;
      items.push(g.args.length ? { type: "gap", text: r.join(g.args) } : { type: "gap" });
    } else {
      const it: Mutable<MenuItemSpec> = { type: "item", name: r.resolve(g.args[0] as WordToken) };
      if (g.args.length > 1) it.text = r.join(g.args.slice(1));
      if (key !== undefined) it.key = key;
      if (isDefault) it.default = true;
      items.push(it);
    }
  }
  menu.items = items;
  const cl = lines[i];
  if (!cl || cl.label || cl.comment || cl.segments.length === 0 || cl.segments.length > 2)
    return undefined;
  const cw = (cl.segments[0] as { words: readonly WordToken[] }).words;
  if ((cw[0] as WordToken | undefined)?.value !== "choose") return undefined;
  const cg = getopt(
    commandInfo("choose") as NonNullable<ReturnType<typeof commandInfo>>,
    cw.slice(1),
  );
  if (cg.problems.length) return undefined;
  let sawMenu = false;
  for (const o of cg.options) {
    const v = o.valueWord ? r.resolve(o.valueWord) : o.value;
    if (o.name === "menu") {
      if (v !== menu.name) return undefined;
      sawMenu = true;
    } else if (o.name === "default" && v !== undefined) menu.default = v;
    else if (o.name === "timeout" && o.number !== undefined) menu.timeout = o.number;
    else if (o.name === "keep") menu.keep = true;
    else return undefined;
  }
  if (menu.name !== undefined && !sawMenu) return undefined;
  menu.setting = (cg.args[0] as WordToken).value;
  if (cl.segments.length === 2) {
    const s0 = cl.segments[0] as (typeof cl.segments)[number];
    if (s0.operator?.op !== "||") return undefined;
    const s1 = cl.segments[1] as (typeof cl.segments)[number];
    if (s1.words.length === 0) menu.onCancel = "ignore";
    else {
      const fb = readCommand(r, s1.words);
      if (!fb) return undefined;
      menu.onCancel = fb;
    }
  }
  i++;
  const gl = lines[i];
  if (gl && !gl.label && !gl.comment && gl.segments.length === 1) {
    const gw = (gl.segments[0] as { words: readonly WordToken[] }).words;
    if (gw.length === 2 && gw[0]?.value === "goto" && gw[1]?.value === `\${${menu.setting}}`) {
      menu.dispatch = true;
      i++;
    }
  }
  return { spec: menu, next: i };
}

function lineContent(line: Line): string {
  let s = "";
  for (const t of line.tokens) if (t.kind !== "Newline") s += t.text;
  return s;
}

/**
 * Reads a script (text or an already parsed tree) back into a {@link ScriptSpec}: the inverse of
 * {@link buildScript}. Lines that the typed statements cannot express come back as `raw`.
 */
export function parseScriptSpec(input: string | Script): ScriptSpec {
  const tree = typeof input === "string" ? parseTree(input) : input;
  const r = new Reader();
  const body: StatementSpec[] = [];
  let lines = tree.lines;
  const spec: Mutable<ScriptSpec> = { body };
  if (tree.signature && lines.length) {
    if (tree.signature === "gpxe") spec.signature = "gpxe";
    lines = lines.slice(1);
  }
  lines = lines.filter((l) => !isCarrierLine(r, l));
  for (let i = 0; i < lines.length; ) {
    const line = lines[i] as Line;
    if (line.label) {
      body.push({ type: "label", name: line.label.name });
      if (line.segments.length === 0 && !line.comment) {
        i++;
        continue;
      }
    }
    if (!line.label && line.segments.length === 0) {
      if (line.comment) {
        const v = line.comment.value.slice(1);
        body.push({ type: "comment", text: v.startsWith(" ") ? v.slice(1) : v });
      } else if (line.tokens.every((t) => t.kind === "Whitespace" || t.kind === "Newline"))
        body.push({ type: "blank" });
      else body.push({ type: "raw", line: lineContent(line) });
      i++;
      continue;
    }
    if (!line.label) {
      const m = tryMenu(r, lines, i);
      if (m) {
        body.push(m.spec);
        i = m.next;
        continue;
      }
    }
    const cmd = line.label ? undefined : readCommandLine(r, line);
    if (cmd) body.push(cmd);
    else {
      // Label lines with a command, comments after commands and complex operator chains.
      let content = lineContent(line);
      if (line.label)
        content = content
          .trimStart()
          .slice(line.label.text.length)
          .replace(/^[ \t\v\f\r]/, "");
      if (content.length) body.push({ type: "raw", line: content });
    }
    i++;
  }
  return spec;
}

/**
 * Semantic model: replays a config (and what it INCLUDEs) through either syslinux reader and
 * returns the resolved menu tree, the globals and every label's boot command, mirroring
 * `parse_config_file()`, `record()`, `resolve_gotos()` and `parse_configs()` of
 * com32/elflink/ldlinux/readconfig.c (core) and com32/menu/readconfig.c (menu.c32).
 */
import { afterFirstWord, cAtoi, cStrtoul0, firstWord } from "./chars.js";
import { type ConfigFile, type CstLine, lineDiagnostic, parse, syntaxDiagnostics } from "./cst.js";
import { type Diagnostic, DiagnosticCode, type Severity } from "./diagnostics.js";
import { Directives, type KernelType } from "./directives.js";
import { type ResolvedPath, resolvePath } from "./lookup.js";

/** Which of syslinux's two readers interprets the config. */
export type Reader =
  /** the core reader in ldlinux.c32 (CLI, `boot:` prompt; DEFAULT/ONTIMEOUT/labels) */
  | "core"
  /** the reader in menu.c32/vesamenu.c32 */
  | "menu";

/** Where something came from. */
export interface SourceRef {
  readonly file: string;
  /** 1-based line. */
  readonly line: number;
}

/** What the image is, after `KERNEL`'s extension rule. */
export type ImageType =
  | "linux"
  | "com32"
  | "fdimage"
  | "bss"
  | "boot"
  | "pxe"
  | "comboot"
  | "config"
  | "localboot"
  | "none";

/** What selecting an entry does. */
export type EntryAction = "boot" | "goto" | "exit" | "quit" | "help" | "disabled";

/** A `LABEL` entry. */
export interface LabelEntry {
  readonly kind: "label";
  /** The label name as this reader reads it (case-sensitive). */
  readonly label: string;
  /** What the menu shows (MENU LABEL, else the label; with MENU INDENT spaces). */
  readonly displayName: string;
  /** Hotkey (upper-case) from the first `^x` of MENU LABEL, if this entry got it. */
  readonly hotkey: string | undefined;
  /** TEXT HELP text, raw. */
  readonly help: string | undefined;
  /** The kernel-type keyword in force (`kernel` when none was given). */
  readonly kernelType: KernelType;
  /** The image type syslinux boots: for `kernel`, derived from the file extension. */
  readonly imageType: ImageType;
  /** The image file: first word of the kernel line (the label name when no kernel line). */
  readonly kernel: string;
  /** Words after the image on the kernel line itself. */
  readonly kernelArgs: string;
  /** The effective APPEND (the label's, else the global one); undefined when none or `-`. */
  readonly append: string | undefined;
  /** Initrd files, as the Linux loader reads them (first `initrd=` of the command line, comma-separated). */
  readonly initrd: readonly string[];
  /** Where the initrd list came from. */
  readonly initrdFrom: "initrd" | "append" | undefined;
  /** The append line without its `initrd=` words. */
  readonly appendRest: string;
  /** IPAPPEND/SYSAPPEND bit mask (1 ip=, 2 BOOTIF=, 4 SYSUUID=, ...). */
  readonly ipappend: number;
  /** True when MENU PASSWD was given (the password itself is not kept). */
  readonly passwd: boolean;
  readonly hidden: boolean;
  readonly isDefault: boolean;
  readonly action: EntryAction;
  /** MENU GOTO/EXIT tag, or the MENU HELP file. */
  readonly target: string | undefined;
  /** The submenu a goto/exit leads to (after resolution). */
  readonly targetMenu: MenuModel | undefined;
  /** The command line `record()` builds (without the run-time IPAPPEND strings); undefined unless action is boot. */
  readonly commandLine: string | undefined;
  /** Kernel resolved against the path prefix. */
  readonly kernelPath: ResolvedPath | undefined;
  /** Initrds resolved against the path prefix. */
  readonly initrdPaths: readonly ResolvedPath[];
  readonly source: SourceRef;
}

/** `MENU SEPARATOR`. */
export interface SeparatorEntry {
  readonly kind: "separator";
  readonly source: SourceRef;
}

/** The entry that opens a submenu (`MENU BEGIN`, or `INCLUDE file tag` in menu.c32). */
export interface SubmenuEntry {
  readonly kind: "submenu";
  readonly displayName: string;
  readonly hotkey: string | undefined;
  readonly passwd: boolean;
  readonly isDefault: boolean;
  readonly menu: MenuModel;
  readonly source: SourceRef;
}

/** One item of a menu. */
export type MenuItem = LabelEntry | SeparatorEntry | SubmenuEntry;

/** A menu: `.top`, `.hidden` or a submenu. */
export interface MenuModel {
  /** `.top`, `.hidden`, or the MENU BEGIN tag (may be empty). */
  readonly tag: string;
  readonly title: string;
  readonly parent: MenuModel | undefined;
  readonly items: readonly MenuItem[];
  /** Index into `items` of the default entry. */
  readonly defaultIndex: number | undefined;
  /** TIMEOUT in tenths of a second (menu.c32: per menu; core: the global value). */
  readonly timeout: number | undefined;
  readonly onTimeout: string | undefined;
  readonly onError: string | undefined;
  readonly allowOptions: boolean;
  /** True when MENU MASTER PASSWD was given. */
  readonly masterPassword: boolean;
  readonly background: string | undefined;
  readonly source: SourceRef | undefined;
}

/** Everything a config says, as one reader sees it. */
export interface PxelinuxModel {
  readonly reader: Reader;
  /** Why this reader was chosen. */
  readonly readerReason: string;
  readonly root: MenuModel;
  readonly hidden: MenuModel;
  /** Every menu, root first, in creation order. */
  readonly menus: readonly MenuModel[];
  /** The menu shown first (DEFAULT's menu, or MENU START). */
  readonly start: MenuModel;
  /** Every label entry in definition order (hidden ones included). */
  readonly labels: readonly LabelEntry[];
  readonly ui: string | undefined;
  /** DEFAULT, raw. */
  readonly default: string | undefined;
  /** The label DEFAULT names, when it names one this reader honours. */
  readonly defaultEntry: LabelEntry | undefined;
  /** The core's automatic command: the UI line, else DEFAULT. */
  readonly defaultCommand: string | undefined;
  /** Start menu's TIMEOUT, tenths of a second (0 or undefined: wait forever). */
  readonly timeout: number | undefined;
  readonly totalTimeout: number | undefined;
  /** ONTIMEOUT, raw. */
  readonly onTimeout: string | undefined;
  /** ONTIMEOUT with its first word replaced by that label's command line (`unlabel()`). */
  readonly onTimeoutCommand: string | undefined;
  readonly onError: string | undefined;
  readonly allowOptions: boolean;
  readonly prompt: number;
  readonly implicit: number;
  readonly noEscape: number;
  readonly noComplete: number;
  readonly say: readonly string[];
  readonly display: string | undefined;
  readonly font: string | undefined;
  readonly kbdmap: string | undefined;
  readonly serial: string | undefined;
  /** PATH entries (module search path). */
  readonly path: readonly string[];
  /** F-key help files by function key 1..12 (`F0` is stored as F11, as syslinux's `is_fkey()` does). */
  readonly fkeys: ReadonlyMap<number, { file: string; background: string | undefined }>;
  readonly append: string | undefined;
  readonly ipappend: number;
  /** Working directory used for path resolution (`::<prefix>` or a URL). */
  readonly cwd: string;
  /** Files read, in order (each include occurrence once). */
  readonly files: readonly string[];
  readonly diagnostics: readonly Diagnostic[];
}

/** A config and the files it includes, as {@link loadConfig} fetched them. */
export interface LoadedConfig {
  /** Name of the main config file (key into `files`). */
  readonly entry: string;
  /** Parsed files by resolved name (`ResolvedPath.name`); `undefined` when not found. */
  readonly files: ReadonlyMap<string, ConfigFile | undefined>;
  /** Resolver failures by resolved name. */
  readonly errors: ReadonlyMap<string, string>;
  /** Working directory the names were resolved against. */
  readonly cwd: string;
}

/** Options of {@link buildModel}. */
export interface ModelOptions {
  /** Reader to replay with; `auto` (default) picks by the config's UI/DEFAULT lines. */
  readonly reader?: Reader | "auto";
  /** Deepest INCLUDE nesting, counting the main file as 1 (syslinux documents 16). */
  readonly maxIncludeDepth?: number;
  /**
   * True when `files` holds only the main file (a lone fragment is being linted): includes are
   * not reported as missing and a stray MENU END is a warning, as the file may be included
   * inside a MENU BEGIN block.
   */
  readonly standalone?: boolean;
}

/** The depth limit of `INCLUDE` nesting syslinux documents ("up to 16 levels deep"). */
export const MAX_INCLUDE_DEPTH = 16;

const MENU_MODULE = /(^|[/:])(vesa)?menu\.c32$/i;

interface MutMenu {
  tag: string;
  title: string;
  parent: MutMenu | undefined;
  parentEntry: MutSubmenu | undefined;
  items: (MutLabel | SeparatorEntry | MutSubmenu)[];
  defaultIndex: number | undefined;
  timeout: number | undefined;
  onTimeout: string | undefined;
  onError: string | undefined;
  allowOptions: boolean;
  masterPassword: boolean;
  background: string | undefined;
  source: SourceRef | undefined;
  id: number;
  beginLine: { file: string; line: CstLine } | undefined;
  hotkeys: Set<string>;
  /** Labels defined in this menu scope (a prototype-less dictionary: faster than a Map here). */
  seen: Record<string, SourceRef | undefined>;
}

interface MutSubmenu {
  kind: "submenu";
  displayName: string;
  displayIsTag: boolean;
  hotkey: string | undefined;
  passwd: boolean;
  isDefault: boolean;
  menu: MutMenu;
  source: SourceRef;
}

/**
 * A label entry. What `record()` derives (image type, command line, initrds, resolved paths) is
 * computed on first use, so building a model of a large config allocates little.
 */
class Entry implements LabelEntry {
  readonly kind = "label" as const;
  isDefault = false;
  targetMenu: MenuModel | undefined;
  #kernelPath: ResolvedPath | undefined | null = null;
  #initrd: { list: string[]; from: "initrd" | "append" | undefined } | undefined;
  #initrdPaths: ResolvedPath[] | undefined;
  constructor(
    readonly label: string,
    readonly displayName: string,
    readonly hotkey: string | undefined,
    readonly help: string | undefined,
    readonly kernelType: KernelType,
    /** The whole kernel line (image and its words). */
    readonly kernelLine: string,
    readonly append: string | undefined,
    /** The label's INITRD line. */
    readonly initrdLine: string | undefined,
    readonly ipappend: number,
    readonly passwd: boolean,
    readonly hidden: boolean,
    public action: EntryAction,
    readonly target: string | undefined,
    readonly source: SourceRef,
    readonly menu: MutMenu,
    readonly targetTag: string | undefined,
    private readonly cwd: string,
  ) {}
  get kernel(): string {
    return firstWord(this.kernelLine);
  }
  get kernelArgs(): string {
    return afterFirstWord(this.kernelLine);
  }
  get imageType(): ImageType {
    return imageTypeOf(this.kernelType, this.kernel);
  }
  get commandLine(): string | undefined {
    if (this.action !== "boot") return undefined;
    const a = this.append ?? "";
    const s = a === "" ? "" : " ";
    const ip = this.initrdLine !== undefined ? ` initrd=${this.initrdLine}` : "";
    const words = this.kernelLine;
    return this.kernelType === "kernel"
      ? `${words}${s}${a}${ip}`
      : `.${this.kernelType} ${words}${s}${a}${ip}`;
  }
  private initrdInfo(): { list: string[]; from: "initrd" | "append" | undefined } {
    if (this.#initrd) return this.#initrd;
    let list: string[] = [];
    let from: "initrd" | "append" | undefined;
    if (this.imageType === "linux") {
      const args = `${this.kernelArgs} ${this.append ?? ""}`;
      if (args.includes("initrd=")) {
        list = initrdList(args);
        from = "append";
      } else if (this.initrdLine !== undefined) {
        list = initrdList(`initrd=${this.initrdLine}`);
        from = "initrd";
      }
    }
    this.#initrd = { list, from };
    return this.#initrd;
  }
  get initrd(): readonly string[] {
    return this.initrdInfo().list;
  }
  get initrdFrom(): "initrd" | "append" | undefined {
    return this.initrdInfo().from;
  }
  get appendRest(): string {
    const a = this.append ?? "";
    if (!a.includes("initrd=")) return a;
    return a
      .split(/[ \t]+/)
      .filter((w) => w !== "" && !w.startsWith("initrd="))
      .join(" ");
  }
  get kernelPath(): ResolvedPath | undefined {
    if (this.#kernelPath === null) {
      const k = this.kernel;
      this.#kernelPath =
        this.action === "boot" &&
        this.kernelType !== "localboot" &&
        this.kernelType !== "none" &&
        k !== ""
          ? resolvePath(k, this.cwd)
          : undefined;
    }
    return this.#kernelPath;
  }
  get initrdPaths(): readonly ResolvedPath[] {
    this.#initrdPaths ??= this.initrd.filter((f) => f !== "").map((f) => resolvePath(f, this.cwd));
    return this.#initrdPaths;
  }
  /** Plain-object view (derived fields included, the target menu by tag). */
  toJSON(): Record<string, unknown> {
    return {
      kind: this.kind,
      label: this.label,
      displayName: this.displayName,
      hotkey: this.hotkey,
      help: this.help,
      kernelType: this.kernelType,
      imageType: this.imageType,
      kernel: this.kernel,
      kernelArgs: this.kernelArgs,
      append: this.append,
      initrd: this.initrd,
      initrdFrom: this.initrdFrom,
      appendRest: this.appendRest,
      ipappend: this.ipappend,
      passwd: this.passwd,
      hidden: this.hidden,
      isDefault: this.isDefault,
      action: this.action,
      target: this.target,
      targetMenu: this.targetMenu?.tag,
      commandLine: this.commandLine,
      kernelPath: this.kernelPath,
      initrdPaths: this.initrdPaths,
      source: this.source,
    };
  }
}
type MutLabel = Entry;

interface LabelData {
  label: string;
  kernel: string;
  type: KernelType;
  append: string | undefined;
  initrd: string | undefined;
  menulabel: string | undefined;
  passwd: string | undefined;
  help: string | undefined;
  ipappend: number;
  hide: boolean;
  isDefault: boolean;
  disabled: boolean;
  indent: number;
  action: EntryAction | "goto-unres" | "exit-unres" | undefined;
  target: string | undefined;
  exitTo: MutMenu | undefined;
  helpBackground: string | undefined;
  source: SourceRef;
  line: CstLine;
  file: string;
}

function imageTypeOf(type: KernelType, kernel: string): ImageType {
  if (type === "kernel") {
    const dot = kernel.lastIndexOf(".");
    const ext = dot >= 0 && kernel.indexOf("/", dot) < 0 ? kernel.slice(dot) : "";
    switch (ext) {
      case ".c32":
        return "com32";
      case ".img":
        return "fdimage";
      case ".bss":
        return "bss";
      case ".bin":
      case ".bs":
        return "boot";
      case ".0":
        return "pxe";
      default:
        return "linux";
    }
  }
  return type;
}

function stripCaret(s: string): string {
  return s.replace(/\^/g, "");
}

/** Initrd list as the Linux loader reads it: the first `initrd=` anywhere, items up to `,` or space. */
export function initrdList(cmdline: string): string[] {
  const at = cmdline.indexOf("initrd=");
  if (at < 0) return [];
  const out: string[] = [];
  let p = at + 6;
  do {
    p++;
    let e = p;
    while (e < cmdline.length && cmdline[e] !== " " && cmdline[e] !== ",") e++;
    out.push(cmdline.slice(p, e));
    p = e;
  } while (cmdline[p] === ",");
  return out;
}

class Pass {
  readonly diags: Diagnostic[] = [];
  readonly menus: MutMenu[] = [];
  readonly all: MutLabel[] = [];
  readonly root: MutMenu;
  readonly hidden: MutMenu;
  cur: MutMenu;
  start: MutMenu;
  ld: LabelData | undefined;
  globalAppend: string | undefined;
  globalIpappend = 0;
  ui: string | undefined;
  hasUi = false;
  globalDefault: string | undefined;
  defaultCommand: string | undefined;
  timeout: number | undefined;
  totalTimeout: number | undefined;
  onTimeout: string | undefined;
  onError: string | undefined;
  allowOptions = true;
  prompt = 0;
  implicit = 1;
  noEscape = 0;
  noComplete = 0;
  say: string[] = [];
  display: string | undefined;
  font: string | undefined;
  kbdmap: string | undefined;
  serial: string | undefined;
  path: string[] = [];
  fkeys = new Map<number, { file: string; background: string | undefined }>();
  filesRead: string[] = [];
  stack: string[] = [];
  nextId = 0;
  readerKnown = true;
  /** Scan mode: only UI, DEFAULT, LABEL names and INCLUDEs (enough to choose the reader). */
  scanOnly = false;
  scanLabels = new Set<string>();

  constructor(
    readonly loaded: LoadedConfig,
    readonly reader: Reader,
    readonly maxDepth: number,
    readonly standalone: boolean,
    readonly report: boolean,
  ) {
    this.hidden = this.newMenu(".hidden", undefined, undefined, undefined);
    this.root = this.newMenu(".top", undefined, undefined, undefined);
    this.cur = this.root;
    this.start = this.root;
  }

  diag(file: string, l: CstLine, code: DiagnosticCode, severity: Severity, message: string): void {
    if (code === DiagnosticCode.IgnoredByReader && !this.readerKnown) return;
    if (this.report) this.diags.push(lineDiagnostic(file, l, code, severity, message));
  }

  newMenu(
    tag: string,
    parent: MutMenu | undefined,
    entry: MutSubmenu | undefined,
    src: SourceRef | undefined,
  ): MutMenu {
    const m: MutMenu = {
      tag,
      title: "",
      parent,
      parentEntry: entry,
      items: [],
      defaultIndex: undefined,
      timeout: parent?.timeout,
      onTimeout: parent?.onTimeout,
      onError: parent?.onError,
      allowOptions: parent?.allowOptions ?? true,
      masterPassword: parent?.masterPassword ?? false,
      background: parent?.background,
      source: src,
      id: this.nextId++,
      beginLine: undefined,
      hotkeys: new Set(),
      seen: Object.create(null) as Record<string, SourceRef | undefined>,
    };
    this.menus.push(m);
    return m;
  }

  record(): void {
    const ld = this.ld;
    this.ld = undefined;
    if (!ld) return;
    const m = ld.hide ? this.hidden : this.cur;
    let display = ld.menulabel ?? ld.label;
    if (ld.indent > 0) display = " ".repeat(ld.indent) + display;
    let action: EntryAction | "goto-unres" | "exit-unres" = ld.action ?? "boot";
    if (ld.disabled) action = "disabled";
    let hotkey: string | undefined;
    if (ld.menulabel !== undefined && action !== "disabled") hotkey = this.hotkey(m, display);
    if (action !== "disabled") {
      const prev = this.cur.seen[ld.label];
      if (prev) {
        this.diag(
          ld.file,
          ld.line,
          DiagnosticCode.DuplicateLabel,
          "warning",
          `label "${ld.label}" is already defined in this menu (${prev.file}:${prev.line}); lookups by name find the first`,
        );
      } else this.cur.seen[ld.label] = ld.source;
    }
    let append = ld.append ?? this.globalAppend;
    if (append === "-") append = undefined;
    const e = new Entry(
      ld.label,
      display,
      hotkey,
      ld.help,
      ld.type,
      ld.kernel,
      append,
      ld.initrd,
      ld.ipappend,
      ld.passwd !== undefined && action !== "disabled",
      ld.hide,
      action === "goto-unres" ? "goto" : action === "exit-unres" ? "exit" : action,
      action === "help" ? firstWord(ld.kernel) : ld.target,
      ld.source,
      m,
      action === "goto-unres" || action === "exit-unres" ? ld.target : undefined,
      this.loaded.cwd,
    );
    e.targetMenu = ld.exitTo as MenuModel | undefined;
    m.items.push(e);
    this.all.push(e);
    const defaultable =
      action === "boot" ||
      (this.reader === "menu" && (action === "goto-unres" || action === "goto"));
    if (ld.isDefault && defaultable) m.defaultIndex = m.items.length - 1;
  }

  hotkey(m: MutMenu, display: string): string | undefined {
    const p = display.indexOf("^");
    if (p < 0 || p + 1 >= display.length) return undefined;
    const c = display.charCodeAt(p + 1);
    const k = String.fromCharCode(c < 0x80 ? c & ~0x20 : c);
    if (m.hotkeys.has(k)) return undefined;
    m.hotkeys.add(k);
    return k;
  }

  beginSubmenu(tag: string, file: string, l: CstLine): void {
    const src = { file, line: l.line };
    const entry: MutSubmenu = {
      kind: "submenu",
      displayName: tag,
      displayIsTag: true,
      hotkey: undefined,
      passwd: false,
      isDefault: false,
      menu: undefined as unknown as MutMenu,
      source: src,
    };
    this.cur.items.push(entry);
    const m = this.newMenu(tag, this.cur, entry, src);
    m.beginLine = { file, line: l };
    entry.menu = m;
    this.cur = m;
  }

  endSubmenu(): boolean {
    if (this.cur.parent) {
      this.cur = this.cur.parent;
      return true;
    }
    return false;
  }

  canInclude(word: string): boolean {
    const name = resolvePath(word, this.loaded.cwd).name;
    return (
      this.loaded.files.get(name) !== undefined &&
      !this.stack.includes(name) &&
      this.stack.length < this.maxDepth
    );
  }

  includeFile(word: string, file: string, l: CstLine): void {
    const name = resolvePath(word, this.loaded.cwd).name;
    if (this.stack.includes(name)) {
      this.diag(
        file,
        l,
        DiagnosticCode.IncludeCycle,
        "warning",
        `"${word}" is already being read: include cycle skipped`,
      );
      return;
    }
    if (this.stack.length + 1 > this.maxDepth) {
      this.diag(
        file,
        l,
        DiagnosticCode.IncludeDepth,
        "warning",
        `include nesting deeper than ${this.maxDepth} levels: "${word}" skipped`,
      );
      return;
    }
    const cfg = this.loaded.files.get(name);
    if (!cfg) {
      if (!this.standalone) {
        const why = this.loaded.errors.get(name);
        this.diag(
          file,
          l,
          DiagnosticCode.IncludeNotFound,
          "warning",
          `included file "${word}" (${name}) not found${why ? `: ${why}` : ""}; syslinux skips it`,
        );
      }
      return;
    }
    this.file(name, cfg);
  }

  file(name: string, cfg: ConfigFile): void {
    this.stack.push(name);
    this.filesRead.push(name);
    const lines = cfg.lines;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i] as CstLine;
      if (l.kind !== "directive") continue;
      if (l.textEnd !== null) {
        const end = l.textEnd < 0 ? lines.length : l.textEnd;
        if (!this.scanOnly && l.name === "text help" && (this.reader === "menu" || l.coreIndent)) {
          let text = "";
          for (let j = i + 1; j < end; j++) {
            const b = lines[j] as CstLine;
            const nul = b.value.indexOf("\u0000");
            text += nul >= 0 ? b.value.slice(0, nul) : b.value + b.eol;
          }
          if (this.ld) this.ld.help = (this.ld.help ?? "") + text;
          else
            this.diag(
              name,
              l,
              DiagnosticCode.OrphanHelp,
              "warning",
              "TEXT HELP before any LABEL is discarded",
            );
        }
        i = end;
        continue;
      }
      if (!l.coreIndent && this.reader === "core") continue;
      this.directive(name, l);
    }
    this.stack.pop();
  }

  scan(file: string, l: CstLine): void {
    const v = l.value;
    switch (l.name) {
      case "ui":
        this.hasUi = true;
        this.ui = v;
        return;
      case "default":
        this.globalDefault = v;
        return;
      case "label":
        // Only needed to tell `DEFAULT vesamenu.c32` (a module) from a label of that name.
        if (v.includes(".c32")) this.scanLabels.add(this.reader === "core" ? firstWord(v) : v);
        return;
      case "include":
      case "menu include":
        this.includeFile(firstWord(v), file, l);
        return;
      default:
        return;
    }
  }

  outside(file: string, l: CstLine, what: string): void {
    this.diag(
      file,
      l,
      DiagnosticCode.OutsideLabel,
      "warning",
      `${what} outside a LABEL block is ignored`,
    );
  }

  directive(file: string, l: CstLine): void {
    const name = l.name;
    if (this.scanOnly) {
      this.scan(file, l);
      return;
    }
    const readers = Directives.get(name);
    const v = l.value;
    if (readers === "core" && this.reader === "menu") {
      if (
        this.hasUi &&
        (name === "prompt" || name === "noescape" || name === "nocomplete" || name === "onerror")
      ) {
        this.diag(
          file,
          l,
          DiagnosticCode.IgnoredByReader,
          "warning",
          `${l.keyword} has no effect once the UI menu runs (menu.c32 ignores it${name === "onerror" ? "; use MENU ONERROR" : ""})`,
        );
      }
      return;
    }
    if (readers === "menu" && this.reader === "core") {
      this.diag(
        file,
        l,
        DiagnosticCode.IgnoredByReader,
        "warning",
        `${l.keyword} is read only by menu.c32/vesamenu.c32`,
      );
      return;
    }
    const ld = this.ld;
    const m = this.cur;
    switch (name) {
      case "menu label":
        if (ld) ld.menulabel = v;
        else if (m.parentEntry) {
          m.parentEntry.displayName = v;
          m.parentEntry.displayIsTag = false;
          m.parentEntry.hotkey = m.parent ? this.hotkey(m.parent, v) : undefined;
          if (m.title === "") m.title = stripCaret(v);
        } else this.outside(file, l, "MENU LABEL");
        return;
      case "menu title":
        m.title = v;
        if (m.parentEntry?.displayIsTag) {
          m.parentEntry.displayName = v;
          m.parentEntry.displayIsTag = false;
        }
        return;
      case "menu default":
        if (ld) ld.isDefault = true;
        else if (m.parentEntry && m.parent)
          m.parent.defaultIndex = m.parent.items.indexOf(m.parentEntry);
        else this.outside(file, l, "MENU DEFAULT");
        return;
      case "menu hide":
        if (ld) ld.hide = true;
        else this.outside(file, l, "MENU HIDE");
        return;
      case "menu passwd":
        if (ld) ld.passwd = v;
        else if (m.parentEntry) m.parentEntry.passwd = true;
        else this.outside(file, l, "MENU PASSWD");
        return;
      case "menu master passwd":
        m.masterPassword = v !== "";
        return;
      case "menu onerror":
        m.onError = v;
        if (this.reader === "core") this.onError = v;
        return;
      case "menu include": {
        const word = firstWord(v);
        const tag = afterFirstWord(v);
        if (tag !== "" && this.reader === "core" && !this.canInclude(word)) {
          // do_include_menu() opens the file first: nothing (not even the submenu) without it.
          this.includeFile(word, file, l);
          if (!this.standalone) {
            this.diag(
              file,
              l,
              DiagnosticCode.ReaderDisagreement,
              "warning",
              `MENU INCLUDE of a missing file: menu.c32 still shows an empty submenu "${tag}", the core reader none`,
            );
          }
        } else if (tag !== "") {
          this.record();
          this.beginSubmenu(tag, file, l);
          this.includeFile(word, file, l);
          this.record();
          this.endSubmenu();
        } else this.includeFile(word, file, l);
        return;
      }
      case "menu background":
        m.background = firstWord(v);
        return;
      case "menu separator":
        this.record();
        m.items.push({ kind: "separator", source: { file, line: l.line } });
        return;
      case "menu disable":
      case "menu disabled":
        if (ld) ld.disabled = true;
        else this.outside(file, l, "MENU DISABLE");
        return;
      case "menu indent":
        if (ld) ld.indent = Math.max(0, cAtoi(v));
        return;
      case "menu begin":
        this.record();
        this.beginSubmenu(v, file, l);
        return;
      case "menu end":
        this.record();
        if (!this.endSubmenu()) {
          this.diag(
            file,
            l,
            DiagnosticCode.MenuEndWithoutBegin,
            this.standalone ? "warning" : "error",
            this.standalone
              ? "MENU END without MENU BEGIN in this file (fine only if the file is included inside a MENU BEGIN block)"
              : "MENU END without MENU BEGIN",
          );
        }
        return;
      case "menu quit":
        if (ld) ld.action = "quit";
        else this.outside(file, l, "MENU QUIT");
        return;
      case "menu goto":
        if (ld) {
          ld.action = "goto-unres";
          ld.target = v;
        } else this.outside(file, l, "MENU GOTO");
        return;
      case "menu exit":
        if (ld && m.parent) {
          if (v !== "") {
            ld.action = "exit-unres";
            ld.target = v;
          } else {
            ld.action = "exit";
            ld.exitTo = m.parent;
            ld.target = m.parent.tag;
          }
        } else if (ld) {
          this.diag(
            file,
            l,
            DiagnosticCode.ExitOutsideSubmenu,
            "warning",
            "MENU EXIT outside a submenu is ignored",
          );
        } else this.outside(file, l, "MENU EXIT");
        return;
      case "menu start":
        this.start = m;
        return;
      case "menu help":
        if (ld) {
          ld.action = "help";
          ld.kernel = firstWord(v);
          ld.append = undefined;
          ld.helpBackground = firstWord(afterFirstWord(v)) || undefined;
        }
        return;
      case "include": {
        const word = firstWord(v);
        const tag = afterFirstWord(v);
        if (tag !== "") {
          this.diag(
            file,
            l,
            DiagnosticCode.ReaderDisagreement,
            "warning",
            `INCLUDE with a tag: menu.c32 wraps "${word}" in submenu "${tag}", the core reader ignores the tag`,
          );
        }
        if (tag !== "" && this.reader === "menu") {
          this.record();
          this.beginSubmenu(tag, file, l);
          this.includeFile(word, file, l);
          this.record();
          this.endSubmenu();
        } else this.includeFile(word, file, l);
        return;
      }
      case "append":
        if (ld) ld.append = v;
        else this.globalAppend = v;
        return;
      case "initrd":
        if (ld) ld.initrd = v;
        else this.outside(file, l, "INITRD");
        return;
      case "label": {
        this.record();
        const word = firstWord(v);
        if (word !== v) {
          this.diag(
            file,
            l,
            DiagnosticCode.ReaderDisagreement,
            "warning",
            `LABEL "${v}": the core reader names it "${word}", menu.c32 "${v}"`,
          );
        }
        const label = this.reader === "core" ? word : v;
        this.ld = {
          label,
          kernel: label,
          type: "kernel",
          append: undefined,
          initrd: undefined,
          menulabel: undefined,
          passwd: undefined,
          help: undefined,
          ipappend: this.globalIpappend,
          hide: false,
          isDefault: false,
          disabled: false,
          indent: 0,
          action: undefined,
          target: undefined,
          exitTo: undefined,
          helpBackground: undefined,
          source: { file, line: l.line },
          line: l,
          file,
        };
        return;
      }
      case "none":
      case "localboot":
      case "kernel":
      case "linux":
      case "boot":
      case "bss":
      case "pxe":
      case "fdimage":
      case "comboot":
      case "com32":
      case "config":
        if (ld) {
          ld.kernel = v;
          ld.type = name;
        } else this.outside(file, l, l.keyword.toUpperCase());
        return;
      case "timeout":
      case "ontimeout":
      case "allowoptions":
        if (m !== this.root) {
          this.diag(
            file,
            l,
            DiagnosticCode.ReaderDisagreement,
            "warning",
            `${l.keyword} inside a submenu: menu.c32 applies it to this submenu, the core reader globally`,
          );
        }
        if (name === "timeout") {
          const t = cAtoi(v);
          if (this.reader === "core") this.timeout = t;
          else m.timeout = t;
        } else if (name === "ontimeout") {
          if (this.reader === "core") this.onTimeout = v;
          else m.onTimeout = v;
        } else {
          const on = cAtoi(v) !== 0;
          if (this.reader === "core") this.allowOptions = on;
          else m.allowOptions = on;
        }
        return;
      case "totaltimeout":
        this.totalTimeout = cAtoi(v);
        return;
      case "ipappend":
      case "sysappend":
        if (ld) ld.ipappend = cStrtoul0(v);
        else this.globalIpappend = cStrtoul0(v);
        return;
      case "default":
        this.globalDefault = v;
        if (!this.hasUi) this.defaultCommand = v;
        return;
      case "ui":
        this.hasUi = true;
        this.ui = v;
        this.defaultCommand = v;
        return;
      case "display":
        this.display = firstWord(v);
        return;
      case "font":
        this.font = firstWord(v);
        return;
      case "kbdmap":
        this.kbdmap = v;
        return;
      case "implicit":
        this.implicit = cAtoi(v);
        return;
      case "prompt":
        this.prompt = cAtoi(v);
        return;
      case "noescape":
        this.noEscape = cAtoi(v);
        return;
      case "nocomplete":
        this.noComplete = cAtoi(v);
        return;
      case "onerror":
        this.onError = v;
        m.onError = v;
        return;
      case "serial":
        this.serial = v;
        return;
      case "say":
        this.say.push((l.sep + v).slice(1));
        return;
      case "path":
        for (const p of v.split(":")) this.path.push(p);
        return;
      default:
        if (/^f\d+$/.test(name)) {
          // is_fkey() puts F0 in the F11 slot (index 10): F0 and F11 are the same key.
          const n = name === "f0" ? 11 : Number(name.slice(1));
          this.fkeys.set(n, {
            file: firstWord(v),
            background: firstWord(afterFirstWord(v)) || undefined,
          });
        }
        return;
    }
  }

  finish(): void {
    this.record();
    // An unclosed MENU BEGIN is legal (SliTaz closes nothing); say so once per submenu left open.
    for (let m: MutMenu | undefined = this.cur; m && m !== this.root; m = m.parent) {
      if (m.beginLine) {
        this.diag(
          m.beginLine.file,
          m.beginLine.line,
          DiagnosticCode.UnclosedMenuBegin,
          "warning",
          "MENU BEGIN is never closed by MENU END: every later entry lands in this submenu",
        );
      }
    }
    for (const e of this.all) {
      if (e.targetTag === undefined) continue;
      const target = this.menus.find((mm) => mm.tag === e.targetTag);
      if (target) e.targetMenu = target as unknown as MenuModel;
      else {
        e.action = "disabled";
        if (this.report) {
          this.diags.push({
            code: DiagnosticCode.UnresolvedGoto,
            severity: "warning",
            message: `no submenu is tagged "${e.targetTag}": this entry is disabled`,
            file: e.source.file,
            start: 0,
            end: 0,
            line: e.source.line,
            column: 1,
          });
        }
      }
    }
  }

  findLabel(cmd: string): MutLabel | undefined {
    const w = firstWord(cmd);
    return this.all.find((e) => e.action !== "disabled" && e.label === w);
  }

  unlabel(cmd: string | undefined): string | undefined {
    if (cmd === undefined) return undefined;
    const e = this.findLabel(cmd);
    if (!e || e.commandLine === undefined) return cmd;
    return e.commandLine + cmd.slice(firstWord(cmd).length);
  }
}

function runPass(
  loaded: LoadedConfig,
  reader: Reader,
  opts: ModelOptions,
  report: boolean,
  readerKnown = true,
  scanOnly = false,
): Pass {
  const p = new Pass(
    loaded,
    reader,
    opts.maxIncludeDepth ?? MAX_INCLUDE_DEPTH,
    opts.standalone ?? false,
    report,
  );
  p.readerKnown = readerKnown;
  p.scanOnly = scanOnly;
  const main = loaded.files.get(loaded.entry);
  if (main) p.file(loaded.entry, main);
  p.finish();
  return p;
}

function chooseReader(core: Pass): { reader: Reader; reason: string; known: boolean } {
  if (core.ui !== undefined) {
    const mod = firstWord(core.ui);
    if (MENU_MODULE.test(mod))
      return { reader: "menu", reason: `UI ${mod} runs the menu reader`, known: true };
    return {
      reader: "core",
      reason: `UI ${mod} is not menu.c32/vesamenu.c32; modelled with the core reader`,
      known: true,
    };
  }
  if (core.globalDefault !== undefined) {
    const w = firstWord(core.globalDefault);
    if (!core.scanLabels.has(w) && MENU_MODULE.test(w)) {
      return { reader: "menu", reason: `DEFAULT ${w} starts the menu reader`, known: true };
    }
    return { reader: "core", reason: `DEFAULT ${w} runs in the core reader`, known: true };
  }
  return { reader: "core", reason: "no UI or DEFAULT line: the core reader", known: false };
}

function freeze(p: Pass, reader: Reader, reason: string, syntax: Diagnostic[]): PxelinuxModel {
  // Global DEFAULT: the core honours it always, menu.c32 only with a UI line.
  let defaultEntry: MutLabel | undefined;
  if (p.globalDefault !== undefined && (reader === "core" || p.hasUi)) {
    const e = p.findLabel(p.globalDefault);
    if (e && e.menu !== p.hidden) {
      e.menu.defaultIndex = e.menu.items.indexOf(e);
      p.start = e.menu;
      defaultEntry = e;
    } else if (e) defaultEntry = e;
  }
  for (const m of p.menus) {
    if (m.defaultIndex !== undefined) {
      const it = m.items[m.defaultIndex];
      if (it && it.kind !== "separator") it.isDefault = true;
    }
    if (reader === "core") {
      m.timeout = p.timeout;
      m.onTimeout = p.onTimeout;
      m.allowOptions = p.allowOptions;
    }
  }
  const start = p.start;
  const onTimeout = reader === "core" ? p.onTimeout : start.onTimeout;
  const diagnostics = [...syntax, ...p.diags].sort((a, b) =>
    a.file === b.file ? a.start - b.start || a.line - b.line : 0,
  );
  return {
    reader,
    readerReason: reason,
    root: p.root as unknown as MenuModel,
    hidden: p.hidden as unknown as MenuModel,
    menus: [p.root, ...p.menus.filter((m) => m !== p.root)] as unknown as MenuModel[],
    start: start as unknown as MenuModel,
    labels: p.all as LabelEntry[],
    ui: p.ui,
    default: p.globalDefault,
    defaultEntry,
    defaultCommand: p.defaultCommand,
    timeout: reader === "core" ? p.timeout : start.timeout,
    totalTimeout: p.totalTimeout,
    onTimeout,
    onTimeoutCommand: p.unlabel(onTimeout),
    onError: reader === "core" ? p.onError : start.onError,
    allowOptions: reader === "core" ? p.allowOptions : start.allowOptions,
    prompt: p.prompt,
    implicit: p.implicit,
    noEscape: p.noEscape,
    noComplete: p.noComplete,
    say: p.say,
    display: p.display,
    font: p.font,
    kbdmap: p.kbdmap,
    serial: p.serial,
    path: p.path,
    fkeys: p.fkeys,
    append: p.globalAppend === "-" ? undefined : p.globalAppend,
    ipappend: p.globalIpappend,
    cwd: p.loaded.cwd,
    files: p.filesRead,
    diagnostics,
  };
}

/**
 * Builds the semantic model of a loaded config. With `reader: "auto"` (the default) both readers
 * are replayed: the core one decides which reader the config actually runs under (a UI line
 * naming menu.c32/vesamenu.c32, or DEFAULT naming one), and the result is that reader's view.
 * Diagnostics include the syntax findings of every file read.
 */
export function buildModel(loaded: LoadedConfig, opts: ModelOptions = {}): PxelinuxModel {
  let reader: Reader;
  let reason: string;
  let known = true;
  if (opts.reader === undefined || opts.reader === "auto") {
    const core = runPass(loaded, "core", opts, false, true, true);
    ({ reader, reason, known } = chooseReader(core));
  } else {
    reader = opts.reader;
    reason = `reader "${reader}" requested`;
  }
  // A lone fragment without UI/DEFAULT does not say which reader will read it: do not report
  // directives as ignored by a reader that was only guessed.
  const p = runPass(loaded, reader, opts, true, !(opts.standalone && !known));
  const syntax: Diagnostic[] = [];
  const done = new Set<string>();
  for (const f of p.filesRead) {
    if (done.has(f)) continue;
    done.add(f);
    const cfg = loaded.files.get(f);
    if (cfg) {
      // A loop, not push(...spread): a huge config's diagnostics would overflow the call's argument list.
      const d = syntaxDiagnostics(cfg, f);
      for (let i = 0; i < d.length; i++) syntax.push(d[i] as Diagnostic);
    }
  }
  return freeze(p, reader, reason, syntax);
}

/**
 * Model of one config text on its own (no INCLUDE is followed). Useful for linting a fragment
 * and for benchmarks. `name` is the file name used in diagnostics.
 */
export function modelFromText(
  text: string,
  opts: ModelOptions & { name?: string; cwd?: string } = {},
): PxelinuxModel {
  const cwd = opts.cwd ?? "::";
  const name = opts.name ?? "";
  const files = new Map<string, ConfigFile | undefined>([[name, parse(text)]]);
  return buildModel({ entry: name, files, errors: new Map(), cwd }, { standalone: true, ...opts });
}

/**
 * Where syslinux looks for a COM32 module named `name`: a bare name is tried in the working
 * directory, then in each `PATH` directory; a name with a `/` or a `::`/URL form only as given.
 */
export function moduleCandidates(
  name: string,
  model: Pick<PxelinuxModel, "cwd" | "path">,
): ResolvedPath[] {
  const out = [resolvePath(name, model.cwd)];
  if (name.includes("/") || name.includes("::") || name.includes("://")) return out;
  for (const dir of model.path) {
    if (dir === "") continue;
    out.push(resolvePath(dir.endsWith("/") ? dir + name : `${dir}/${name}`, model.cwd));
  }
  return out;
}

/** One way the core and menu.c32 readers end up with different results for the same files. */
export interface ReaderDifference {
  readonly kind: "label" | "menus" | "default" | "timeout";
  readonly message: string;
  readonly source: SourceRef | undefined;
}

/**
 * Replays the config with both readers and lists where the results differ: label names
 * (`LABEL a b`), the submenus each builds (`INCLUDE file tag`, missing `MENU INCLUDE` files), the
 * entry DEFAULT selects, and the start menu's timeout. Complements the line-level
 * `reader-disagreement` diagnostics with their effect on the whole config.
 */
export function compareReaders(
  loaded: LoadedConfig,
  opts: Omit<ModelOptions, "reader"> = {},
): ReaderDifference[] {
  const core = buildModel(loaded, { ...opts, reader: "core" });
  const menu = buildModel(loaded, { ...opts, reader: "menu" });
  const out: ReaderDifference[] = [];
  const key = (s: SourceRef) => `${s.file}\u0000${s.line}`;
  const menuLabels = new Map<string, LabelEntry>();
  for (const e of menu.labels) if (!menuLabels.has(key(e.source))) menuLabels.set(key(e.source), e);
  const seen = new Set<string>();
  for (const e of core.labels) {
    const k = key(e.source);
    if (seen.has(k)) continue;
    seen.add(k);
    const other = menuLabels.get(k);
    if (other && other.label !== e.label) {
      out.push({
        kind: "label",
        message: `label is "${e.label}" for the core reader, "${other.label}" for menu.c32`,
        source: e.source,
      });
    }
  }
  const tags = (m: PxelinuxModel) =>
    m.menus.filter((x) => x !== m.root && x !== m.hidden).map((x) => x.tag);
  const ct = tags(core);
  const mt = tags(menu);
  if (ct.join("\u0000") !== mt.join("\u0000")) {
    out.push({
      kind: "menus",
      message: `submenus: core [${ct.join(", ")}], menu.c32 [${mt.join(", ")}]`,
      source: undefined,
    });
  }
  const defKey = (m: PxelinuxModel) =>
    m.defaultEntry ? `${key(m.defaultEntry.source)}\u0000${m.defaultEntry.label}` : "";
  if (defKey(core) !== defKey(menu)) {
    out.push({
      kind: "default",
      message: `DEFAULT selects ${core.defaultEntry ? `"${core.defaultEntry.label}"` : "no entry"} in the core, ${
        menu.defaultEntry ? `"${menu.defaultEntry.label}"` : "no entry"
      } in menu.c32`,
      source: core.defaultEntry?.source ?? menu.defaultEntry?.source,
    });
  }
  if (core.timeout !== menu.timeout) {
    out.push({
      kind: "timeout",
      message: `start menu timeout: ${core.timeout ?? "none"} (core) vs ${menu.timeout ?? "none"} (menu.c32)`,
      source: undefined,
    });
  }
  return out;
}

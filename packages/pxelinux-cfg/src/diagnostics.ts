/** How bad a finding is, matched to what syslinux itself does with the file. */
export type Severity = "error" | "warning" | "info";

/**
 * Stable diagnostic codes. Severities follow syslinux: it rejects almost nothing, so only what
 * cannot work in any reader is an error.
 */
export const DiagnosticCode = {
  /** `TEXT` block never closed by `ENDTEXT`: it swallows the rest of the file (error). */
  UnterminatedText: "unterminated-text",
  /** `MENU END` with no open `MENU BEGIN` (error in a resolved config, warning in a lone fragment). */
  MenuEndWithoutBegin: "menu-end-without-begin",
  /** `MENU BEGIN` never closed by `MENU END` (warning). */
  UnclosedMenuBegin: "unclosed-menu-begin",
  /** A keyword neither reader knows; syslinux skips the line (warning). */
  UnknownKeyword: "unknown-keyword",
  /** `INCLUDE` of a file the resolver could not find; syslinux skips it (warning). */
  IncludeNotFound: "include-not-found",
  /** `INCLUDE` of a file already being read (warning; the include is skipped). */
  IncludeCycle: "include-cycle",
  /** `INCLUDE` nested deeper than syslinux's documented 16 levels (warning; skipped). */
  IncludeDepth: "include-depth",
  /** A label defined twice within one menu scope (warning). */
  DuplicateLabel: "duplicate-label",
  /** A directive the chosen reader ignores (warning). */
  IgnoredByReader: "ignored-by-reader",
  /** A directive that only acts inside a `LABEL` block but appears outside one (warning). */
  OutsideLabel: "outside-label",
  /** The core and menu.c32 readers would read this line differently (warning). */
  ReaderDisagreement: "reader-disagreement",
  /** `MENU GOTO`/`MENU EXIT` target that names no submenu: the entry is disabled (warning). */
  UnresolvedGoto: "unresolved-goto",
  /** `MENU EXIT` outside a submenu: ignored (warning). */
  ExitOutsideSubmenu: "exit-outside-submenu",
  /** A line longer than 4095 bytes: syslinux reads the rest as a new line (warning). */
  LineTooLong: "line-too-long",
  /** Text after a bare CR or a NUL byte, which syslinux ignores (warning). */
  IgnoredTail: "ignored-tail",
  /** `TEXT` block with a kind other than `HELP`: read and thrown away (warning). */
  UnknownTextBlock: "unknown-text-block",
  /** Help text before any `LABEL`: discarded (warning). */
  OrphanHelp: "orphan-help",
  /** Trailing whitespace, passed verbatim to the kernel or shown in the menu (info). */
  TrailingWhitespace: "trailing-whitespace",
  /** Keywords spelled in more than one case style in one file (info). */
  MixedKeywordCase: "mixed-keyword-case",
} as const;
/** One of {@link DiagnosticCode}'s values. */
export type DiagnosticCode = (typeof DiagnosticCode)[keyof typeof DiagnosticCode];

/** One finding about a config file. */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  /** The file the finding is about (the name given to the loader, or `""` for a lone text). */
  readonly file: string;
  /** Offset (UTF-16 code units) into that file's text. */
  readonly start: number;
  readonly end: number;
  /** 1-based line (lines end at `\n`). */
  readonly line: number;
  /** 1-based column (UTF-16 code units). */
  readonly column: number;
}

/** One diagnostic as `pxe lint --json` prints it. */
export interface CliDiagnostic {
  line: number;
  column: number;
  severity: "error" | "warning" | "info";
  code: string;
  message: string;
}

/** A kind of file `pxe lint` / `pxe fmt` understand. Each package's adapter implements one. */
export interface LintKind {
  readonly kind: "ipxe" | "pxelinux";
  /** How sure we are that `text` is of this kind, 0 (not at all) to 1 (certain). */
  detect(text: string): number;
  /** Parses and lints; `roundTrip` says whether print(parse(text)) === text. */
  lint(text: string): { roundTrip: boolean; diagnostics: CliDiagnostic[] };
  /** Formats without changing meaning. */
  format(text: string): string;
}

/**
 * The PXELINUX/SYSLINUX config kind for `pxe lint` / `pxe fmt`, backed by @pxe/pxelinux-cfg.
 */
import { formatText, lintText, parse } from "@pxe/pxelinux-cfg";
import type { CliDiagnostic, LintKind } from "./types.js";

/** Directives only PXELINUX configs use (iPXE shares `kernel`, `initrd`, `menu`, `boot`...). */
const PXELINUX_ONLY = new Set([
  "label",
  "append",
  "default",
  "ui",
  "timeout",
  "totaltimeout",
  "ontimeout",
  "prompt",
  "include",
  "localboot",
  "com32",
  "linux",
  "ipappend",
  "sysappend",
  "text help",
  "menu label",
  "menu title",
  "menu begin",
  "menu end",
  "menu default",
  "menu hide",
  "menu separator",
  "menu color",
  "menu background",
  "serial",
  "display",
]);

/** The PXELINUX {@link LintKind}. */
export const pxelinuxLintKind: LintKind = {
  kind: "pxelinux",
  detect(text: string): number {
    const body = text.startsWith("\ufeff") ? text.slice(1) : text;
    if (/^#![ig]pxe/i.test(body)) return 0;
    const lines = parse(body.length > 65536 ? body.slice(0, 65536) : body).lines;
    let known = 0;
    let unknown = 0;
    let strong = 0;
    for (const l of lines) {
      if (l.kind === "directive") {
        known++;
        if (PXELINUX_ONLY.has(l.name)) strong++;
      } else if (l.kind === "unknown") unknown++;
    }
    if (known + unknown === 0) return 0.05;
    const ratio = known / (known + unknown);
    return strong > 0 ? Math.min(0.95, 0.3 + ratio * 0.65) : ratio * 0.4;
  },
  lint(text: string): { roundTrip: boolean; diagnostics: CliDiagnostic[] } {
    const res = lintText(text);
    const diagnostics = res.diagnostics.map((d) => ({
      line: d.line,
      column: d.column,
      severity: d.severity,
      code: d.code,
      message: d.message,
    }));
    return { roundTrip: res.roundTrip, diagnostics };
  },
  format(text: string): string {
    return formatText(text);
  },
};

/**
 * The iPXE script kind for `pxe lint` / `pxe fmt`, backed by @pxe/ipxe-script.
 */
import { analyze, format, print } from "@pxe/ipxe-script";
import type { CliDiagnostic, LintKind } from "./types.js";

/** First words that only iPXE scripts use (PXELINUX shares `kernel`, `menu`, `label`...). */
const IPXE_WORDS = new Set([
  "chain",
  "goto",
  "choose",
  "item",
  "isset",
  "iseq",
  "imgfetch",
  "imgexec",
  "imgargs",
  "initrd",
  "sanboot",
  "dhcp",
  "ifconf",
  "set",
  "echo",
  "boot",
  "sleep",
  "prompt",
  "exit",
]);

/** The iPXE script {@link LintKind}. */
export const ipxeLintKind: LintKind = {
  kind: "ipxe",
  detect(text: string): number {
    const body = text.startsWith("\ufeff") ? text.slice(1) : text;
    if (/^#![ig]pxe\s/.test(body)) return text === body ? 1 : 0.95;
    if (/^#![ig]pxe/i.test(body)) return 0.9;
    let hits = 0;
    let lines = 0;
    for (const raw of body.split("\n", 200)) {
      const line = raw.trim();
      if (!line || line.startsWith("#")) continue;
      lines++;
      const first = line.split(/\s+/, 1)[0] ?? "";
      if (
        /^:\S/.test(first) ||
        IPXE_WORDS.has(first) ||
        /\s(\|\||&&)(\s|$)/.test(line) ||
        line.includes("${")
      )
        hits++;
    }
    if (lines === 0) return 0.05;
    return Math.min(0.8, (hits / lines) * 0.8);
  },
  lint(text: string): { roundTrip: boolean; diagnostics: CliDiagnostic[] } {
    const model = analyze(text);
    const roundTrip = print(model.tree) === text;
    const diagnostics = model.diagnostics.map((d) => ({
      line: d.line,
      column: d.column,
      severity: d.severity,
      code: d.code,
      message: d.message,
    }));
    return { roundTrip, diagnostics };
  },
  format(text: string): string {
    return format(text);
  },
};

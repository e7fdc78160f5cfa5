import { readFile, writeFile } from "node:fs/promises";
import type { Command } from "commander";
import { KIND_NAMES, pickKind } from "../lint/registry.js";
import type { CliDiagnostic } from "../lint/types.js";

// File reading/writing shared by `pxe lint` and `pxe fmt`: bytes are decoded as UTF-8 when they
// are valid UTF-8 (a BOM is kept as U+FEFF), else as latin1, and written back the same way, so
// files round-trip byte for byte.
/** A decoded text file. */
export interface TextFile {
  text: string;
  encoding: "utf8" | "latin1";
}

/** Reads and decodes `file`. */
export async function readText(file: string): Promise<TextFile> {
  const bytes = await readFile(file);
  try {
    return {
      text: new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes),
      encoding: "utf8",
    };
  } catch {
    return { text: bytes.toString("latin1"), encoding: "latin1" };
  }
}

/** Encodes and writes `text` back with the file's encoding. */
export async function writeText(
  file: string,
  text: string,
  encoding: TextFile["encoding"],
): Promise<void> {
  await writeFile(file, Buffer.from(text, encoding));
}

/** Where command output goes (injectable for tests). */
export interface CliIo {
  out(s: string): void;
  err(s: string): void;
}

/** Process stdout/stderr. */
export const processIo: CliIo = {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
};

/** Options of {@link runLint}. */
export interface LintOptions {
  json?: boolean;
  kind?: string;
}

/** One entry of `pxe lint --json`. */
export interface LintReport {
  file: string;
  kind: "ipxe" | "pxelinux";
  roundTrip: boolean;
  diagnostics: CliDiagnostic[];
}

/**
 * Lints `files` and prints compiler-style lines (or one JSON array). Returns the exit code:
 * 2 when a file could not be read or `--kind` is unknown, 1 when an error-level diagnostic was
 * found, else 0.
 */
export async function runLint(
  files: readonly string[],
  opts: LintOptions,
  io: CliIo = processIo,
): Promise<number> {
  if (opts.kind !== undefined && !(KIND_NAMES as readonly string[]).includes(opts.kind)) {
    io.err(
      `pxe lint: unknown --kind ${JSON.stringify(opts.kind)} (expected ${KIND_NAMES.join(" or ")})\n`,
    );
    return 2;
  }
  let code = 0;
  let unreadable = false;
  const reports: LintReport[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = (await readText(file)).text;
    } catch (e) {
      io.err(`${file}: error: cannot read file: ${e instanceof Error ? e.message : String(e)}\n`);
      unreadable = true;
      continue;
    }
    const kind = pickKind(text, opts.kind);
    if (!kind) {
      io.err(
        `${file}: error: no linter for --kind ${opts.kind ?? "?"} is registered in this build\n`,
      );
      unreadable = true;
      continue;
    }
    const { roundTrip, diagnostics } = kind.lint(text);
    if (diagnostics.some((d) => d.severity === "error")) code = 1;
    reports.push({ file, kind: kind.kind, roundTrip, diagnostics });
    if (!opts.json) {
      for (const d of diagnostics)
        io.out(`${file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}\n`);
      if (!roundTrip)
        io.err(`${file}: warning: the ${kind.kind} parser did not round-trip this file\n`);
    }
  }
  if (opts.json) io.out(`${JSON.stringify(reports, null, 2)}\n`);
  return unreadable ? 2 : code;
}

/** `pxe lint [--json] [--kind ipxe|pxelinux] FILE...` */
export function registerLint(program: Command): void {
  program
    .command("lint")
    .description("lint iPXE scripts and PXELINUX configs (kind detected from the content)")
    .argument("<files...>", "files to lint")
    .option("--json", "print one JSON array with one object per file")
    .option("--kind <kind>", "force the kind: ipxe or pxelinux")
    .action(async (files: string[], opts: LintOptions) => {
      process.exitCode = await runLint(files, opts);
    });
}

import type { Command } from "commander";
import { KIND_NAMES, pickKind } from "../lint/registry.js";
import { type CliIo, processIo, readText, writeText } from "./lint.js";

/** Options of {@link runFmt}. */
export interface FmtOptions {
  check?: boolean;
  kind?: string;
}

/**
 * Formats `files` in place, or with `check` lists the files that would change. Returns the exit
 * code: 2 for unreadable/unwritable files or an unknown `--kind`, 1 when `check` found a file that
 * would change, else 0.
 */
export async function runFmt(
  files: readonly string[],
  opts: FmtOptions,
  io: CliIo = processIo,
): Promise<number> {
  if (opts.kind !== undefined && !(KIND_NAMES as readonly string[]).includes(opts.kind)) {
    io.err(
      `pxe fmt: unknown --kind ${JSON.stringify(opts.kind)} (expected ${KIND_NAMES.join(" or ")})\n`,
    );
    return 2;
  }
  let code = 0;
  let failed = false;
  for (const file of files) {
    try {
      const { text, encoding } = await readText(file);
      const kind = pickKind(text, opts.kind);
      if (!kind) {
        io.err(
          `${file}: error: no formatter for --kind ${opts.kind ?? "?"} is registered in this build\n`,
        );
        failed = true;
        continue;
      }
      const formatted = kind.format(text);
      if (formatted === text) continue;
      if (opts.check) {
        io.out(`${file}\n`);
        code = 1;
      } else {
        await writeText(file, formatted, encoding);
        io.out(`formatted ${file}\n`);
      }
    } catch (e) {
      io.err(`${file}: error: ${e instanceof Error ? e.message : String(e)}\n`);
      failed = true;
    }
  }
  return failed ? 2 : code;
}

/** `pxe fmt [--check] [--kind ipxe|pxelinux] FILE...` */
export function registerFmt(program: Command): void {
  program
    .command("fmt")
    .description("format iPXE scripts and PXELINUX configs in place without changing their meaning")
    .argument("<files...>", "files to format")
    .option("--check", "write nothing; list the files that would change and exit 1 if any")
    .option("--kind <kind>", "force the kind: ipxe or pxelinux")
    .action(async (files: string[], opts: FmtOptions) => {
      process.exitCode = await runFmt(files, opts);
    });
}

/**
 * The `pxe` command line. Each sub-command lives in `commands/<name>.ts` and registers itself on
 * the program; this file only wires them together, so commands can grow independently.
 */
import { Command } from "commander";
import { registerConvert } from "./commands/convert.js";
import { registerFmt } from "./commands/fmt.js";
import { registerLint } from "./commands/lint.js";
import { registerReplay } from "./commands/replay.js";
import { registerServe } from "./commands/serve.js";
import { registerTftp } from "./commands/tftp.js";

export function buildProgram(): Command {
  const program = new Command("pxe")
    .description("pxe-kit: network boot toolkit (boot server, pcap replay, lint, tftp)")
    .version("0.0.0")
    .showHelpAfterError();
  registerReplay(program);
  registerLint(program);
  registerFmt(program);
  registerConvert(program);
  registerServe(program);
  registerTftp(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}

main(process.argv).catch((err: unknown) => {
  process.stderr.write(`pxe: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
});

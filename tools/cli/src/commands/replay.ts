import type { Command } from "commander";
import { renderHuman, replayFiles } from "../replay/report.js";

/**
 * `pxe replay FILE...`: summarise captures (pcap/pcapng, gzip too). Exit 0 when every file could
 * be read as a capture (packet-level problems are listed, not fatal), 2 when a file cannot be
 * opened or is not a capture (the others are still reported).
 */
export function registerReplay(program: Command): void {
  program
    .command("replay")
    .description("read pcap/pcapng captures and report the DHCP and TFTP traffic in them")
    .argument("<files...>", "capture files (.pcap, .pcapng, optionally gzip-compressed)")
    .option("--json", "print one JSON object (schema 1) instead of tables")
    .option("--verbose", "include per-message details")
    .action((files: string[], opts: { json?: boolean; verbose?: boolean }) => {
      const verbose = opts.verbose === true;
      const { json, exitCode } = replayFiles(files, { verbose });
      process.stdout.write(
        opts.json === true ? `${JSON.stringify(json, null, 2)}\n` : renderHuman(json, { verbose }),
      );
      if (exitCode !== 0) process.exitCode = exitCode;
    });
}

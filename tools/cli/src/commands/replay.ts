import type { Command } from "commander";

/** `pxe replay FILE...`: summarise captures (implemented by the replay work). */
export function registerReplay(program: Command): void {
  program
    .command("replay")
    .description("read pcap/pcapng captures and report the DHCP and TFTP traffic in them")
    .argument("<files...>", "capture files (.pcap, .pcapng, optionally .gz)")
    .option("--json", "print one JSON object (schema 1) instead of tables")
    .option("--verbose", "include per-message details")
    .action(() => {
      throw new Error("pxe replay is not implemented yet");
    });
}

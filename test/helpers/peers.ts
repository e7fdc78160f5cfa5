/** Helpers for tests that need real tools (tshark, tcpdump, tftp-hpa) or ../shared. */
import { execFile, execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";

/** The repository root. */
export const repoRoot = resolve(import.meta.dirname, "../..");

/** `../shared` next to the repository (research notes, captures, corpus), when it exists. */
export const sharedDir = resolve(repoRoot, "../shared");

/** True when `cmd` is on the PATH. */
export function hasCommand(cmd: string): boolean {
  try {
    execFileSync("sh", ["-c", `command -v ${cmd}`], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** True when running as root. */
export function isRoot(): boolean {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** True when `../shared/<sub>` exists. */
export function hasShared(sub = ""): boolean {
  return existsSync(resolve(sharedDir, sub));
}

/** Counts of one capture as tshark sees them with `-Y 'udp && !icmp'`, `'dhcp && !icmp'`, `'tftp && !icmp'`. */
export interface TsharkCounts {
  frames: number;
  udp: number;
  dhcp: number;
  tftp: number;
  /** The same without `&& !icmp` (what the MANIFEST files list). */
  dhcpWithIcmp: number;
  tftpWithIcmp: number;
}

/**
 * Runs tshark once over `file` (`-T fields -e frame.number -e frame.protocols`) and derives the
 * counts: a frame matches the display filter `udp` when `udp` is one of its protocols, and `!icmp`
 * when `icmp` is not (tshark's `icmp` is ICMPv4 only; `icmpv6` is another protocol).
 *
 * The TCP dissector is disabled (`--disable-protocol tcp`): a TCP segment is never a UDP, DHCP or
 * TFTP frame, and TCP reassembly of the HTTP-boot captures is what makes tshark slow (32 s instead
 * of 3 s for one of them on a loaded machine). The counts were checked identical with and without
 * it on every capture of ../shared/captures, and the tests also compare tshark's DHCP/TFTP counts
 * with the MANIFEST files, which a full tshark run wrote.
 */
export function tsharkCounts(file: string, extraArgs: string[] = []): Promise<TsharkCounts> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      "tshark",
      [
        "-n",
        "--disable-protocol",
        "tcp",
        "-r",
        file,
        ...extraArgs,
        "-T",
        "fields",
        "-e",
        "frame.number",
        "-e",
        "frame.protocols",
      ],
      { maxBuffer: 512 * 1024 * 1024, timeout: 120_000 },
      (err, stdout) => {
        if (err) {
          reject(err);
          return;
        }
        const c: TsharkCounts = {
          frames: 0,
          udp: 0,
          dhcp: 0,
          tftp: 0,
          dhcpWithIcmp: 0,
          tftpWithIcmp: 0,
        };
        for (const line of stdout.split("\n")) {
          if (line === "") continue;
          c.frames++;
          const protos = new Set((line.split("\t")[1] ?? "").split(":"));
          const icmp = protos.has("icmp");
          if (protos.has("dhcp")) c.dhcpWithIcmp++;
          if (protos.has("tftp")) c.tftpWithIcmp++;
          if (icmp) continue;
          if (protos.has("udp")) c.udp++;
          if (protos.has("dhcp")) c.dhcp++;
          if (protos.has("tftp")) c.tftp++;
        }
        resolvePromise(c);
      },
    );
  });
}

import type { UdpDatagram } from "@pxe/replay";

/** The `tftp` section of one file in `pxe replay --json` (schema 1). Grows with @pxe/tftp. */
export interface TftpSection {
  count: number;
  [key: string]: unknown;
}

/** Builds the `tftp` section from the datagrams classified as TFTP, in capture order. */
export function tftpSection(datagrams: readonly UdpDatagram[], _opts: { verbose: boolean }): TftpSection {
  return { count: datagrams.length };
}

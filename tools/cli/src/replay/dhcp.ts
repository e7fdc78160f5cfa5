import type { UdpDatagram } from "@pxe/replay";

/** The `dhcp` section of one file in `pxe replay --json` (schema 1). Grows with @pxe/dhcp. */
export interface DhcpSection {
  count: number;
  [key: string]: unknown;
}

/** Builds the `dhcp` section from the datagrams classified as DHCP, in capture order. */
export function dhcpSection(datagrams: readonly UdpDatagram[], _opts: { verbose: boolean }): DhcpSection {
  return { count: datagrams.length };
}

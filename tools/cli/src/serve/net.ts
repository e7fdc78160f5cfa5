/**
 * Interface addresses and IPv4 subnet arithmetic for `pxe serve`. Node cannot bind a UDP socket
 * to a device, so the server keeps to one interface by its address and subnet (see README).
 */
import { networkInterfaces } from "node:os";

/** An IPv4 interface address with its subnet. */
export interface Ipv4Iface {
  name: string;
  address: string;
  netmask: string;
  prefix: number;
}

/** IPv4 dotted quad to a u32; NaN when not a dotted quad. */
export function ipToInt(s: string): number {
  const p = s.split(".");
  if (p.length !== 4) return Number.NaN;
  let n = 0;
  for (const x of p) {
    if (!/^\d{1,3}$/.test(x) || Number(x) > 255) return Number.NaN;
    n = n * 256 + Number(x);
  }
  return n;
}

/** u32 to a dotted quad. */
export function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");
}

/** Netmask of a prefix length. */
export function prefixMask(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** True when `a` lies in `net/prefix`. */
export function inSubnet(a: string, net: string, prefix: number): boolean {
  const m = prefixMask(prefix);
  return (ipToInt(a) & m) >>> 0 === (ipToInt(net) & m) >>> 0;
}

/** Finds an interface's first IPv4 address (optionally the given one). */
export function findIface(name: string, address?: string): Ipv4Iface | undefined {
  const list = networkInterfaces()[name] ?? [];
  for (const a of list) {
    if (a.family !== "IPv4") continue;
    if (address && a.address !== address) continue;
    const prefix = a.cidr ? Number(a.cidr.split("/")[1]) : 24;
    return { name, address: a.address, netmask: a.netmask, prefix };
  }
  return undefined;
}

/** The interface that holds `address`, if any. */
export function ifaceOfAddress(address: string): Ipv4Iface | undefined {
  for (const [name, list] of Object.entries(networkInterfaces())) {
    for (const a of list ?? []) {
      if (a.family === "IPv4" && a.address === address) {
        const prefix = a.cidr ? Number(a.cidr.split("/")[1]) : 24;
        return { name, address: a.address, netmask: a.netmask, prefix };
      }
    }
  }
  return undefined;
}

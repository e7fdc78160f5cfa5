/** Address leases for full DHCP mode, kept in a JSON file (written atomically on change). */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { intToIp, ipToInt } from "./net.js";

/** One lease. */
export interface Lease {
  mac: string;
  ip: string;
  /** Expiry, ms since the epoch. */
  expires: number;
}

/** A pool of addresses START..END with leases by MAC, optionally persisted to a file. */
export class LeaseStore {
  private readonly byMac = new Map<string, Lease>();
  private readonly start: number;
  private readonly end: number;

  /**
   * @param range - first and last address of the pool (inclusive)
   * @param file - the JSON lease file, read at start and rewritten on every change (undefined: memory only)
   */
  constructor(
    range: [string, string],
    private readonly file: string | undefined,
  ) {
    this.start = ipToInt(range[0]);
    this.end = ipToInt(range[1]);
    if (!(this.start <= this.end)) throw new Error(`bad range ${range[0]}-${range[1]}`);
    if (file) {
      try {
        const data = JSON.parse(readFileSync(file, "utf8")) as unknown;
        if (Array.isArray(data)) {
          for (const l of data as Lease[]) {
            if (
              typeof l.mac === "string" &&
              typeof l.ip === "string" &&
              typeof l.expires === "number"
            ) {
              this.byMac.set(l.mac, l);
            }
          }
        }
      } catch {
        // no file yet, or unreadable: start empty (it is rewritten on the first lease)
      }
    }
  }

  /** True when `ip` is inside the pool. */
  inPool(ip: string): boolean {
    const n = ipToInt(ip);
    return n >= this.start && n <= this.end;
  }

  private holder(ip: string, now: number): Lease | undefined {
    for (const l of this.byMac.values()) if (l.ip === ip && l.expires > now) return l;
    return undefined;
  }

  /** The address to offer `mac`: its lease, else `wanted` if free, else the first free one. */
  pick(mac: string, wanted: string | undefined, now: number): string | undefined {
    const own = this.byMac.get(mac);
    if (own && this.inPool(own.ip)) {
      const h = this.holder(own.ip, now);
      if (!h || h.mac === mac) return own.ip;
    }
    if (wanted && this.inPool(wanted)) {
      const h = this.holder(wanted, now);
      if (!h || h.mac === mac) return wanted;
    }
    for (let n = this.start; n <= this.end; n++) {
      const ip = intToIp(n);
      if (!this.holder(ip, now)) return ip;
    }
    return undefined;
  }

  /** Commits a lease (on DHCPACK); false when another client holds the address. */
  commit(mac: string, ip: string, now: number, seconds: number): boolean {
    if (!this.inPool(ip)) return false;
    const h = this.holder(ip, now);
    if (h && h.mac !== mac) return false;
    this.byMac.set(mac, { mac, ip, expires: now + seconds * 1000 });
    this.save();
    return true;
  }

  /** Drops `mac`'s lease (DHCPRELEASE/DECLINE). */
  release(mac: string): void {
    if (this.byMac.delete(mac)) this.save();
  }

  /** All leases. */
  list(): Lease[] {
    return [...this.byMac.values()];
  }

  private save(): void {
    if (!this.file) return;
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.list(), null, 1)}\n`);
    renameSync(tmp, this.file);
  }
}

/**
 * Turns `pxe serve`'s flags (and an optional JSON config file with the same keys) into
 * {@link ServeOptions}, with the safe defaults: no arguments means the built-in root on TFTP and
 * HTTP, DHCP off, loopback only, unprivileged ports when not root.
 */
import { readFileSync } from "node:fs";
import { FileTree } from "./files.js";
import { findIface, ifaceOfAddress, inSubnet, intToIp, ipToInt, prefixMask } from "./net.js";
import type { ServeOptions } from "./server.js";

/** The flags as commander gives them (all optional). */
export interface ServeFlags {
  root?: string;
  interface?: string;
  address?: string;
  range?: string;
  proxy?: boolean;
  httpPort?: string;
  tftpPort?: string;
  tftp?: boolean;
  http?: boolean;
  script?: string;
  httpBaseUrl?: string;
  append?: string;
  leaseFile?: string;
  router?: string;
  dns?: string;
  config?: string;
  ipxeProxyWait?: boolean;
  ipv6Ra?: boolean;
  uefiProgram?: string;
  uefiDiscovery?: boolean;
}

/** A problem with the flags, printed as is (exit status 2). */
export class ServeConfigError extends Error {
  override name = "ServeConfigError";
}

function requireIface(iface: string | undefined): string {
  if (!iface)
    throw new ServeConfigError("--ipv6-ra needs --interface IF: the network to advertise on");
  return iface;
}

function port(s: string | undefined, name: string, dflt: number): number {
  if (s === undefined) return dflt;
  if (!/^\d+$/.test(s) || Number(s) > 65535)
    throw new ServeConfigError(`${name}: not a port number: ${s}`);
  return Number(s);
}

/** Reads the optional config file (JSON object with the flag names as keys) under the flags. */
export function mergeConfigFile(flags: ServeFlags): ServeFlags {
  if (!flags.config) return flags;
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(flags.config, "utf8"));
  } catch (e) {
    throw new ServeConfigError(`--config ${flags.config}: ${(e as Error).message}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new ServeConfigError(`--config ${flags.config}: expected a JSON object`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) {
    out[k] = typeof v === "number" ? String(v) : v;
  }
  return { ...(out as ServeFlags), ...flags };
}

/** Builds the server options; `isRoot` decides the default TFTP port (69 or 6969). */
export function resolveServeOptions(input: ServeFlags, isRoot: boolean): ServeOptions {
  const flags = mergeConfigFile(input);
  if (flags.range && flags.proxy)
    throw new ServeConfigError("--range and --proxy exclude each other");
  const dhcp = flags.range ? "full" : flags.proxy ? "proxy" : "off";
  if (flags.http === false && flags.tftp === false)
    throw new ServeConfigError("--no-http and --no-tftp leave nothing to serve");
  let address = flags.address;
  let prefix = 32;
  if (flags.interface) {
    const ifc = findIface(flags.interface, flags.address);
    if (!ifc) {
      throw new ServeConfigError(
        `--interface ${flags.interface}: no such interface with an IPv4 address${flags.address ? ` ${flags.address}` : ""} that is up and running (Node lists no interface without carrier)`,
      );
    }
    address = ifc.address;
    prefix = ifc.prefix;
  } else if (address) {
    if (Number.isNaN(ipToInt(address)))
      throw new ServeConfigError(`--address: not an IPv4 address: ${address}`);
    const ifc = ifaceOfAddress(address);
    if (ifc) prefix = ifc.prefix;
  }
  if (dhcp !== "off") {
    if (!flags.interface)
      throw new ServeConfigError(
        "DHCP (--range or --proxy) needs --interface IF: the network to answer on",
      );
    if (!isRoot) {
      throw new ServeConfigError(
        "DHCP needs UDP ports 67 and 4011: run as root (or with CAP_NET_BIND_SERVICE)",
      );
    }
  }
  address ??= "127.0.0.1";
  let range: [string, string] | undefined;
  let poolSubnet: ServeOptions["poolSubnet"];
  if (flags.range) {
    // START-END, or START-END/PREFIX for a subnet behind a DHCP relay.
    const m = /^(\d+\.\d+\.\d+\.\d+)-(\d+\.\d+\.\d+\.\d+)(?:\/(\d{1,2}))?$/.exec(flags.range);
    if (
      !m?.[1] ||
      !m[2] ||
      Number.isNaN(ipToInt(m[1])) ||
      Number.isNaN(ipToInt(m[2])) ||
      ipToInt(m[1]) > ipToInt(m[2]) ||
      (m[3] !== undefined && (Number(m[3]) < 8 || Number(m[3]) > 30))
    ) {
      throw new ServeConfigError(
        `--range: expected START-END or START-END/PREFIX (two IPv4 addresses, START <= END, PREFIX 8-30): ${flags.range}`,
      );
    }
    const local = inSubnet(m[1], address, prefix) && inSubnet(m[2], address, prefix);
    if (!local) {
      if (m[3] === undefined) {
        throw new ServeConfigError(
          `--range: ${flags.range} is outside ${address}/${prefix}; for a subnet behind a DHCP relay give its prefix length, e.g. ${flags.range}/24`,
        );
      }
      const p = Number(m[3]);
      if (!inSubnet(m[2], m[1], p))
        throw new ServeConfigError(`--range: ${m[1]} and ${m[2]} are not in one /${p} subnet`);
      if (inSubnet(address, m[1], p))
        throw new ServeConfigError(`--range: ${m[1]}/${p} contains the served address ${address}`);
      poolSubnet = {
        network: intToIp((ipToInt(m[1]) & prefixMask(p)) >>> 0),
        prefix: p,
        netmask: intToIp(prefixMask(p)),
      };
    }
    range = [m[1], m[2]];
  }
  const httpPort = port(flags.httpPort, "--http-port", 8080);
  const tftpPort = port(flags.tftpPort, "--tftp-port", isRoot ? 69 : 6969);
  if (!isRoot && (httpPort < 1024 || tftpPort < 1024) && httpPort !== 0 && tftpPort !== 0) {
    throw new ServeConfigError("ports below 1024 need root: pick --http-port/--tftp-port >= 1024");
  }
  if (flags.uefiProgram !== undefined) {
    // A path in the served tree (the root, or a name Debian's ipxe package provides).
    if (!new FileTree(flags.root).has(flags.uefiProgram)) {
      throw new ServeConfigError(
        `--uefi-program ${flags.uefiProgram}: not found in ${flags.root ?? "the built-in root"}${flags.root ? " (nor in Debian's /usr/lib/ipxe)" : ""}`,
      );
    }
  }
  const dns = flags.dns ? flags.dns.split(",").map((s) => s.trim()) : undefined;
  return {
    root: flags.root,
    address,
    prefix,
    netmask: intToIp(prefixMask(prefix)),
    dhcp,
    range,
    ...(poolSubnet ? { poolSubnet } : {}),
    leaseFile: dhcp === "full" ? (flags.leaseFile ?? "pxe-serve.leases.json") : undefined,
    router: flags.router,
    dns,
    httpPort,
    tftpPort,
    tftp: flags.tftp !== false,
    http: flags.http !== false,
    scriptFile: flags.script,
    httpBaseUrl: flags.httpBaseUrl,
    append: flags.append,
    ipxeNoProxyWait: flags.ipxeProxyWait !== true,
    uefiX64Program: flags.uefiProgram,
    uefiBypassDiscovery: flags.uefiDiscovery !== true,
    ...(flags.ipv6Ra === true ? { ipv6RaInterface: requireIface(flags.interface) } : {}),
  };
}

/**
 * How PXELINUX names files: the path prefix, the text-prefix rule for relative names, and the
 * ordered list of config files it tries (core/fs/pxe/pxe.c, core/fs/pxe/urlparse.c).
 */
import { PxelinuxCfgError } from "./errors.js";

/** A file name as PXELINUX would request it. */
export type ResolvedPath =
  | {
      /** `scheme://...`: fetched by URL (lpxelinux.0: http, ftp; tftp:// too). */
      readonly kind: "url";
      /** The full name after the prefix rule, e.g. `http://10.0.0.1/boot/vmlinuz`. */
      readonly name: string;
      readonly url: string;
    }
  | {
      /** `host::path` or `::path`: TFTP, from `host` or from the boot server when `server` is undefined. */
      readonly kind: "tftp";
      /** The full name after the prefix rule, e.g. `::/tftpboot/pxelinux.cfg/default`. */
      readonly name: string;
      readonly server: string | undefined;
      /** The file name sent in the TFTP read request. */
      readonly path: string;
    };

/** `url_type()`: only the first `:` matters. */
export function urlType(name: string): "url" | "old-tftp" | "suffix" {
  const q = name.indexOf(":");
  if (q < 0) return "suffix";
  if (name[q + 1] === "/" && name[q + 2] === "/") return "url";
  if (name[q + 1] === ":") return "old-tftp";
  return "suffix";
}

function isPrefixChar(c: number): boolean {
  // get_prefix() ORs 0x20 into the byte before testing, so it also accepts a few control bytes.
  const d = c < 0x100 ? c | 0x20 : c;
  return (d >= 0x30 && d <= 0x39) || (d >= 0x61 && d <= 0x7a) || d === 0x2e || d === 0x2d;
}

/**
 * The path prefix PXELINUX derives from the boot file name when DHCP option 210 is absent:
 * everything up to and including the last byte that is not a letter, digit, `.` or `-`
 * (`/tftpboot/pxelinux.0` -> `/tftpboot/`, `my_pxe.0` -> `my_`, `pxelinux.0` -> ``).
 */
export function derivePathPrefix(bootFile: string): string {
  let i = bootFile.length - 1;
  while (i >= 0 && isPrefixChar(bootFile.charCodeAt(i))) i--;
  return bootFile.slice(0, i + 1);
}

/**
 * The working directory PXELINUX starts in: option 210 verbatim if present, else
 * {@link derivePathPrefix} of the boot file; a prefix that is not a URL or `host::path` becomes
 * `::<prefix>` (an absolute TFTP path on the boot server).
 */
export function pathPrefixCwd(opts: {
  pathPrefix?: string | undefined;
  bootFile?: string | undefined;
}): string {
  const raw = opts.pathPrefix ?? derivePathPrefix(opts.bootFile ?? "");
  return urlType(raw) === "suffix" ? `::${raw}` : raw;
}

/**
 * Resolves a file name the way `pxe_realpath()` does: names that are `scheme://...`,
 * `::path` or `host::path` are taken as they are; anything else (even `/abs/path`) gets the
 * working directory `cwd` prepended as text.
 */
export function resolvePath(name: string, cwd = "::"): ResolvedPath {
  const full = urlType(name) === "suffix" ? cwd + name : name;
  return classify(full);
}

function classify(full: string): ResolvedPath {
  const t = urlType(full);
  if (t === "url") return { kind: "url", name: full, url: full };
  if (t === "old-tftp") {
    const q = full.indexOf("::");
    const host = full.slice(0, q);
    return {
      kind: "tftp",
      name: full,
      server: host === "" ? undefined : host,
      path: full.slice(q + 2),
    };
  }
  // A cwd that is neither (only when the caller passes one): treat as a plain TFTP name.
  return { kind: "tftp", name: full, server: undefined, path: full };
}

/** What the client knows when PXELINUX looks for its config. */
export interface LookupInput {
  /** SMBIOS/option 97 UUID: 16 bytes in wire order, or the `8-4-4-4-12` text. Skipped unless its version nibble is 1..14. */
  readonly uuid?: Uint8Array | string | undefined;
  /** Hardware address: bytes or text (`aa:bb:cc:dd:ee:ff`, `-` also accepted). */
  readonly mac: Uint8Array | string;
  /** ARP hardware type (1 = Ethernet). */
  readonly arpType?: number | undefined;
  /** The client's IPv4 address: dotted quad, 4 bytes, or a 32-bit number. */
  readonly ip: string | Uint8Array | number;
  /** Boot file name (DHCP `file` or option 67), used when option 210 is absent. */
  readonly bootFile?: string | undefined;
  /** DHCP option 209 (pxelinux.configfile). */
  readonly configFile?: string | undefined;
  /** DHCP option 210 (pxelinux.pathprefix). */
  readonly pathPrefix?: string | undefined;
}

/** Why a candidate is tried. */
export type LookupReason = "option-209" | "uuid" | "mac" | "ip" | "default";

/** One config file PXELINUX tries, in order. */
export interface LookupCandidate {
  readonly reason: LookupReason;
  /** The name before the prefix rule, e.g. `pxelinux.cfg/C0A8`. */
  readonly name: string;
  readonly resolved: ResolvedPath;
}

/** The result of {@link configLookupOrder}. */
export interface LookupResult {
  /** The working directory (after the `::` rule), e.g. `::/tftpboot/`. */
  readonly cwd: string;
  readonly candidates: readonly LookupCandidate[];
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, "0");
}

function parseHexBytes(text: string, what: string, sepRe: RegExp): Uint8Array {
  const clean = text.trim();
  const parts = sepRe.test(clean) ? clean.split(sepRe) : (clean.match(/../g) ?? []);
  const out = new Uint8Array(parts.length);
  parts.forEach((p, i) => {
    if (!/^[0-9a-fA-F]{1,2}$/.test(p))
      throw new PxelinuxCfgError("bad-value", `${what}: "${text}" is not hex bytes`);
    out[i] = Number.parseInt(p, 16);
  });
  return out;
}

function uuidBytes(u: Uint8Array | string): Uint8Array {
  if (typeof u !== "string") {
    if (u.length !== 16)
      throw new PxelinuxCfgError("bad-length", `UUID must be 16 bytes, got ${u.length}`);
    return u;
  }
  const hex = u.replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex))
    throw new PxelinuxCfgError("bad-value", `UUID "${u}" is not 32 hex digits`);
  return parseHexBytes(hex, "UUID", /\s/);
}

function ipNumber(ip: string | Uint8Array | number): number {
  if (typeof ip === "number") {
    if (!Number.isInteger(ip) || ip < 0 || ip > 0xffffffff)
      throw new PxelinuxCfgError("bad-value", `bad IPv4 ${ip}`);
    return ip;
  }
  if (typeof ip === "string") {
    const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip.trim());
    const parts = m ? m.slice(1).map(Number) : [];
    if (parts.length !== 4 || parts.some((p) => p > 255)) {
      throw new PxelinuxCfgError("bad-value", `"${ip}" is not a dotted-quad IPv4 address`);
    }
    return (
      (((parts[0] ?? 0) << 24) |
        ((parts[1] ?? 0) << 16) |
        ((parts[2] ?? 0) << 8) |
        (parts[3] ?? 0)) >>>
      0
    );
  }
  if (ip.length !== 4)
    throw new PxelinuxCfgError("bad-length", `IPv4 must be 4 bytes, got ${ip.length}`);
  return (((ip[0] ?? 0) << 24) | ((ip[1] ?? 0) << 16) | ((ip[2] ?? 0) << 8) | (ip[3] ?? 0)) >>> 0;
}

/** `SYSUUID` text: lower-case hex, dashes after 4, 6, 8 and 10 bytes; undefined when syslinux rejects the UUID. */
export function uuidString(u: Uint8Array | string): string | undefined {
  const b = uuidBytes(u);
  const v = b[6] ?? 0;
  if (v < 0x10 || v >= 0xf0) return undefined;
  const h = Array.from(b, hex2).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** `BOOTIF` value: ARP type and MAC, lower-case hex joined by `-` (`01-aa-bb-cc-dd-ee-ff`). */
export function bootifString(mac: Uint8Array | string, arpType = 1): string {
  const b = typeof mac === "string" ? parseHexBytes(mac, "MAC", /[:-]/) : mac;
  if (arpType < 0 || arpType > 255 || !Number.isInteger(arpType)) {
    throw new PxelinuxCfgError("bad-value", `ARP type ${arpType} is not a byte`);
  }
  return [hex2(arpType), ...Array.from(b, hex2)].join("-");
}

/**
 * The exact list of config files PXELINUX tries, in order: option 209 (if given), then
 * `pxelinux.cfg/<uuid>` (if a valid UUID is known), `pxelinux.cfg/01-<mac>`, the upper-case hex
 * IPv4 address shortened by one digit per try (8 tries), and `pxelinux.cfg/default`; each
 * resolved against the path prefix. Throws {@link PxelinuxCfgError} for malformed inputs.
 */
export function configLookupOrder(input: LookupInput): LookupResult {
  const cwd = pathPrefixCwd({ pathPrefix: input.pathPrefix, bootFile: input.bootFile });
  const out: LookupCandidate[] = [];
  const add = (reason: LookupReason, name: string) =>
    out.push({ reason, name, resolved: resolvePath(name, cwd) });
  if (input.configFile !== undefined) add("option-209", input.configFile);
  if (input.uuid !== undefined) {
    const u = uuidString(input.uuid);
    if (u !== undefined) add("uuid", `pxelinux.cfg/${u}`);
  }
  add("mac", `pxelinux.cfg/${bootifString(input.mac, input.arpType ?? 1)}`);
  const hex = ipNumber(input.ip).toString(16).toUpperCase().padStart(8, "0");
  for (let len = 8; len >= 1; len--) add("ip", `pxelinux.cfg/${hex.slice(0, len)}`);
  add("default", "pxelinux.cfg/default");
  return { cwd, candidates: out };
}

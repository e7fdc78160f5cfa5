import { checkUint, putU16, u16 } from "../bytes.js";
import type { OptionCodec } from "../codec.js";
import { PxeOptionsError } from "../errors.js";
import {
  BYTES,
  type Encapsulated,
  encapsulatedCodec,
  findSub,
  I8,
  IPV4,
  type Shape,
  type SubOptionDef,
  type SubOptionOf,
  TEXT,
  U8,
  U32,
} from "../tlv.js";

/** iPXE's bus id (175.177): the network device that booted. */
export interface IpxeBusId {
  /** Bus type (1 = PCI; other values per iPXE `device.h`). */
  readonly busType: number;
  /** Vendor id (PCI vendor for PCI). */
  readonly vendor: number;
  /** Device id (PCI device for PCI). */
  readonly device: number;
}

/** iPXE version (175.235). */
export interface IpxeVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

const BUS_ID: Shape<IpxeBusId> = {
  layout: "{bus type u8, vendor u16, device u16} (5 bytes)",
  decode: (v, s, e) =>
    e - s === 5 ? { busType: v[s] ?? 0, vendor: u16(v, s + 1), device: u16(v, s + 3) } : undefined,
  length: () => 5,
  write: (x, out, at, what) => {
    checkUint(x.busType, 255, `${what} bus type`);
    checkUint(x.vendor, 0xffff, `${what} vendor`);
    checkUint(x.device, 0xffff, `${what} device`);
    out[at] = x.busType;
    putU16(out, at + 1, x.vendor);
    putU16(out, at + 3, x.device);
  },
};

const VERSION: Shape<IpxeVersion> = {
  layout: "{major, minor, patch} (3 bytes)",
  decode: (v, s, e) =>
    e - s === 3 ? { major: v[s] ?? 0, minor: v[s + 1] ?? 0, patch: v[s + 2] ?? 0 } : undefined,
  length: () => 3,
  write: (x, out, at, what) => {
    checkUint(x.major, 255, `${what} major`);
    checkUint(x.minor, 255, `${what} minor`);
    checkUint(x.patch, 255, `${what} patch`);
    out[at] = x.major;
    out[at + 1] = x.minor;
    out[at + 2] = x.patch;
  },
};

/**
 * Every feature flag iPXE defines in `src/include/ipxe/features.h` (`DHCP_EB_FEATURE_*`): code ->
 * name. iPXE sends one sub-option per compiled-in feature, `code, 1, version`.
 */
export const IPXE_FEATURES = {
  16: "pxe-ext",
  17: "iscsi",
  18: "aoe",
  19: "http",
  20: "https",
  21: "tftp",
  22: "ftp",
  23: "dns",
  24: "bzimage",
  25: "multiboot",
  26: "slam",
  27: "srp",
  32: "nbi",
  33: "pxe",
  34: "elf",
  35: "comboot",
  36: "efi",
  37: "fcoe",
  38: "vlan",
  39: "menu",
  40: "sdi",
  41: "nfs",
} as const;

/** Name of an iPXE feature flag. */
export type IpxeFeatureName = (typeof IPXE_FEATURES)[keyof typeof IPXE_FEATURES];

/** Value types of iPXE's encapsulated options (option 175). */
export interface IpxeValues {
  /** 175.1 priority of this options block (signed); the highest-priority offer wins. */
  priority: number;
  /** 175.2 "your" IP address (iPXE-internal; never meant for the wire). */
  yiaddr: string;
  /** 175.3 "server" IP address (iPXE-internal; never meant for the wire). */
  siaddr: string;
  /** 175.8 keep the SAN drive registered after a failed boot. */
  "keep-san": number;
  /** 175.9 skip booting from the SAN drive. */
  "skip-san-boot": number;
  /** 175.16-175.41 a feature flag (see {@link IPXE_FEATURES}); the value is the feature version. */
  feature: number;
  /** 175.81 scriptlet run instead of autoboot. */
  scriptlet: string;
  /** 175.85 encrypted syslog server. */
  syslogs: string;
  /** 175.90 trusted root certificate fingerprints. */
  trust: Uint8Array;
  /** 175.91 client certificate. */
  cert: Uint8Array;
  /** 175.92 client private key. */
  privkey: Uint8Array;
  /** 175.93 cross-signed certificate source (URI). */
  crosscert: string;
  /** 175.176 skip ProxyDHCP and PXE DHCP extensions. */
  "no-pxedhcp": number;
  /** 175.177 network device descriptor. */
  "bus-id": IpxeBusId;
  /** 175.178 use cached settings (obsolete). */
  "use-cached": number;
  /** 175.187 SAN retry count. */
  "san-retry": number;
  /** 175.188 SAN filename. */
  "san-filename": string;
  /** 175.189 BIOS drive number (0x80 = first hard disk). */
  "bios-drive": number;
  /** 175.190 username. */
  username: string;
  /** 175.191 password. */
  password: string;
  /** 175.192 reverse username. */
  "reverse-username": string;
  /** 175.193 reverse password. */
  "reverse-password": string;
  /** 175.194 NFS AUTH_SYS user id. */
  uid: number;
  /** 175.195 NFS AUTH_SYS group id. */
  gid: number;
  /** 175.235 iPXE version. */
  version: IpxeVersion;
  /** Any other sub-option, or a known one kept raw by a lenient decode. */
  raw: Uint8Array;
}

/** A decoded iPXE encapsulated sub-option. */
export type IpxeSubOption = SubOptionOf<IpxeValues>;

/** A decoded option 175. */
export type IpxeOptions = Encapsulated<IpxeSubOption>;

const s = <T>(x: Shape<T>) => x as Shape<unknown>;

/** Code -> definition table of iPXE's option 175 space (iPXE `src/include/ipxe/dhcp.h`, `features.h`). */
export const IPXE_DEFS: ReadonlyMap<number, SubOptionDef> = new Map<number, SubOptionDef>([
  [0x01, { name: "priority", shape: s(I8) }],
  [0x02, { name: "yiaddr", shape: s(IPV4) }],
  [0x03, { name: "siaddr", shape: s(IPV4) }],
  [0x08, { name: "keep-san", shape: s(U8) }],
  [0x09, { name: "skip-san-boot", shape: s(U8) }],
  ...Object.keys(IPXE_FEATURES).map(
    (k) => [Number(k), { name: "feature", shape: s(U8) }] as [number, SubOptionDef],
  ),
  [0x51, { name: "scriptlet", shape: s(TEXT) }],
  [0x55, { name: "syslogs", shape: s(TEXT) }],
  [0x5a, { name: "trust", shape: s(BYTES) }],
  [0x5b, { name: "cert", shape: s(BYTES) }],
  [0x5c, { name: "privkey", shape: s(BYTES) }],
  [0x5d, { name: "crosscert", shape: s(TEXT) }],
  [0xb0, { name: "no-pxedhcp", shape: s(U8) }],
  [0xb1, { name: "bus-id", shape: s(BUS_ID) }],
  [0xb2, { name: "use-cached", shape: s(U8) }],
  [0xbb, { name: "san-retry", shape: s(U8) }],
  [0xbc, { name: "san-filename", shape: s(TEXT) }],
  [0xbd, { name: "bios-drive", shape: s(U8) }],
  [0xbe, { name: "username", shape: s(TEXT) }],
  [0xbf, { name: "password", shape: s(TEXT) }],
  [0xc0, { name: "reverse-username", shape: s(TEXT) }],
  [0xc1, { name: "reverse-password", shape: s(TEXT) }],
  [0xc2, { name: "uid", shape: s(U32) }],
  [0xc3, { name: "gid", shape: s(U32) }],
  [0xeb, { name: "version", shape: s(VERSION) }],
]);

/** Option 175, iPXE/Etherboot encapsulated options. */
export const ipxeCodec: OptionCodec<IpxeOptions> = encapsulatedCodec<IpxeSubOption>(
  175,
  "ipxe-encapsulated-options",
  "option 175",
  IPXE_DEFS,
);

/** First iPXE sub-option named `name`. */
export function ipxeSub<K extends keyof IpxeValues & string>(
  opts: IpxeOptions | undefined,
  name: K,
): IpxeValues[K] | undefined {
  return findSub<IpxeValues, K>(opts, name);
}

/**
 * The feature flags present in a decoded option 175, as name -> version (e.g.
 * `{ http: 1, https: 1, dns: 1, "pxe-ext": 2 }`).
 */
export function ipxeFeatures(opts: IpxeOptions): Partial<Record<IpxeFeatureName, number>> {
  const out: Partial<Record<IpxeFeatureName, number>> = {};
  for (const o of opts.options) {
    if (o.name !== "feature") continue;
    const name = (IPXE_FEATURES as Record<number, IpxeFeatureName>)[o.code];
    if (name !== undefined) out[name] = o.value;
  }
  return out;
}

/** Builds an iPXE sub-option entry; for `"feature"`, pass the feature name instead of a code. */
export function ipxeOption<K extends Exclude<keyof IpxeValues, "raw" | "feature"> & string>(
  name: K,
  value: IpxeValues[K],
): IpxeSubOption {
  for (const [code, def] of IPXE_DEFS) {
    if (def.name === name) return { code, name, value } as IpxeSubOption;
  }
  throw new PxeOptionsError("bad-value", `no iPXE sub-option named ${JSON.stringify(name)}`);
}

/** Builds an iPXE feature flag entry, e.g. `ipxeFeature("http")`. */
export function ipxeFeature(name: IpxeFeatureName, version = 1): IpxeSubOption {
  for (const [code, n] of Object.entries(IPXE_FEATURES)) {
    if (n === name) return { code: Number(code), name: "feature", value: version };
  }
  throw new PxeOptionsError("bad-value", `no iPXE feature named ${JSON.stringify(name)}`);
}

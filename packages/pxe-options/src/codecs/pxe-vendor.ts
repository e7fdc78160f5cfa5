import { checkLatin1, checkUint, ipv4, latin1, putIpv4, putLatin1, putU16, u16 } from "../bytes.js";
import type { OptionCodec } from "../codec.js";
import { PxeOptionsError } from "../errors.js";
import {
  BYTES,
  type Encapsulated,
  encapsulatedCodec,
  findSub,
  IPV4,
  type Shape,
  type SubOptionDef,
  type SubOptionOf,
  TEXT,
  U8,
  U16,
  U32,
  U32_LIST,
} from "../tlv.js";

/** One entry of PXE_BOOT_SERVERS (43.8): a boot server type and its addresses. */
export interface PxeBootServer {
  /** Boot server type (0 = PXE bootstrap server, 32768-65534 vendor types). */
  readonly type: number;
  /** IPv4 addresses of servers of that type (may be empty). */
  readonly addresses: readonly string[];
}

/** One entry of PXE_BOOT_MENU (43.9). */
export interface PxeBootMenuItem {
  /** Boot server type this item selects. */
  readonly type: number;
  /** Text shown to the user (binary string). */
  readonly description: string;
}

/** PXE_MENU_PROMPT (43.10). */
export interface PxeMenuPrompt {
  /** Seconds to wait for F8: 0 = boot the first item at once, 255 = wait for a key. */
  readonly timeout: number;
  /** Prompt text (binary string). */
  readonly prompt: string;
}

/** PXE_BOOT_ITEM (43.71): sent by the client in a Boot Server Discovery request, echoed in the ACK. */
export interface PxeBootItem {
  /** Boot server type. */
  readonly type: number;
  /** Boot layer; bit 15 (0x8000) asks for credentials (BIS). */
  readonly layer: number;
}

const BOOT_SERVERS: Shape<PxeBootServer[]> = {
  layout: "a list of {type u16, count u8, count x IPv4}",
  decode: (v, s, e) => {
    const out: PxeBootServer[] = [];
    let i = s;
    while (i < e) {
      if (i + 3 > e) return undefined;
      const type = u16(v, i);
      const n = v[i + 2] ?? 0;
      if (i + 3 + 4 * n > e) return undefined;
      const addresses: string[] = [];
      for (let k = 0; k < n; k++) addresses.push(ipv4(v, i + 3 + 4 * k));
      out.push({ type, addresses });
      i += 3 + 4 * n;
    }
    return out;
  },
  length: (x) => x.reduce((n, b) => n + 3 + 4 * b.addresses.length, 0),
  write: (x, out, at, what) => {
    let i = at;
    for (const b of x) {
      checkUint(b.type, 0xffff, `${what} type`);
      checkUint(b.addresses.length, 255, `${what} address count`);
      putU16(out, i, b.type);
      out[i + 2] = b.addresses.length;
      b.addresses.forEach((a, k) => {
        putIpv4(out, i + 3 + 4 * k, a, what);
      });
      i += 3 + 4 * b.addresses.length;
    }
  },
};

const BOOT_MENU: Shape<PxeBootMenuItem[]> = {
  layout: "a list of {type u16, length u8, description}",
  decode: (v, s, e) => {
    const out: PxeBootMenuItem[] = [];
    let i = s;
    while (i < e) {
      if (i + 3 > e) return undefined;
      const n = v[i + 2] ?? 0;
      if (i + 3 + n > e) return undefined;
      out.push({ type: u16(v, i), description: latin1(v, i + 3, i + 3 + n) });
      i += 3 + n;
    }
    return out;
  },
  length: (x) => x.reduce((n, m) => n + 3 + m.description.length, 0),
  write: (x, out, at, what) => {
    let i = at;
    for (const m of x) {
      checkUint(m.type, 0xffff, `${what} type`);
      checkUint(m.description.length, 255, `${what} description length`);
      checkLatin1(m.description, what);
      putU16(out, i, m.type);
      out[i + 2] = m.description.length;
      putLatin1(out, i + 3, m.description, what);
      i += 3 + m.description.length;
    }
  },
};

const MENU_PROMPT: Shape<PxeMenuPrompt> = {
  layout: "{timeout u8, prompt}",
  decode: (v, s, e) =>
    e - s >= 1 ? { timeout: v[s] ?? 0, prompt: latin1(v, s + 1, e) } : undefined,
  length: (x) => 1 + x.prompt.length,
  write: (x, out, at, what) => {
    checkUint(x.timeout, 255, `${what} timeout`);
    checkLatin1(x.prompt, what);
    out[at] = x.timeout;
    putLatin1(out, at + 1, x.prompt, what);
  },
};

const BOOT_ITEM: Shape<PxeBootItem> = {
  layout: "{type u16, layer u16} (4 bytes)",
  decode: (v, s, e) => (e - s === 4 ? { type: u16(v, s), layer: u16(v, s + 2) } : undefined),
  length: () => 4,
  write: (x, out, at, what) => {
    checkUint(x.type, 0xffff, `${what} type`);
    checkUint(x.layer, 0xffff, `${what} layer`);
    putU16(out, at, x.type);
    putU16(out, at + 2, x.layer);
  },
};

const PXELINUX_MAGIC: Shape<Uint8Array> = {
  layout: "4 bytes (F1 00 74 7E)",
  decode: (v, s, e) => (e - s === 4 ? v.subarray(s, e) : undefined),
  length: () => 4,
  write: (x, out, at) => {
    if (x.length !== 4) throw new PxeOptionsError("bad-length", "PXELINUX magic is 4 bytes");
    out.set(x, at);
  },
};

/** Value types of the PXE vendor sub-options (option 43 when option 60 is `PXEClient`). */
export interface PxeVendorValues {
  /** 43.1 PXE_MTFTP_IP: multicast IP address for MTFTP. */
  "mtftp-ip": string;
  /** 43.2 PXE_MTFTP_CPORT: UDP port the MTFTP client listens on. */
  "mtftp-client-port": number;
  /** 43.3 PXE_MTFTP_SPORT: UDP port the MTFTP server listens on. */
  "mtftp-server-port": number;
  /** 43.4 PXE_MTFTP_TMOUT: seconds before the client starts an MTFTP transfer. */
  "mtftp-timeout": number;
  /** 43.5 PXE_MTFTP_DELAY: seconds before the client restarts a failed MTFTP transfer. */
  "mtftp-delay": number;
  /** 43.6 PXE_DISCOVERY_CONTROL: {@link DISCOVERY_CONTROL} bits. */
  "discovery-control": number;
  /** 43.7 DISCOVERY_MCAST_ADDR: multicast address for boot server discovery. */
  "discovery-mcast-addr": string;
  /** 43.8 PXE_BOOT_SERVERS. */
  "boot-servers": PxeBootServer[];
  /** 43.9 PXE_BOOT_MENU, in menu order. */
  "boot-menu": PxeBootMenuItem[];
  /** 43.10 PXE_MENU_PROMPT. */
  "menu-prompt": PxeMenuPrompt;
  /** 43.11 PXE_MCAST_ADDRS_ALLOC (layout not typed; kept as bytes). */
  "mcast-addrs-alloc": Uint8Array;
  /** 43.12 PXE_CREDENTIAL_TYPES: list of u32 credential types. */
  "credential-types": number[];
  /** 43.71 PXE_BOOT_ITEM. */
  "boot-item": PxeBootItem;
  /** 43.179 Intel LCM server name. */
  "lcm-server": string;
  /** 43.180 Intel LCM domain. */
  "lcm-domain": string;
  /** 43.181 Intel LCM NIC option 0 (bytes). */
  "lcm-nic-option": Uint8Array;
  /** 43.190 Intel LCM workgroup. */
  "lcm-workgroup": string;
  /** 43.191 Intel LCM discovery (bytes). */
  "lcm-discovery": Uint8Array;
  /** 43.192 Intel LCM configured (bytes). */
  "lcm-configured": Uint8Array;
  /** 43.193 Intel LCM version (bytes). */
  "lcm-version": Uint8Array;
  /** 43.194 Intel LCM serial number. */
  "lcm-serial": string;
  /** 43.208 PXELINUX magic, when PXELINUX options are encapsulated in 43. */
  "pxelinux-magic": Uint8Array;
  /** 43.209 PXELINUX configuration file. */
  "pxelinux-config-file": string;
  /** 43.210 PXELINUX path prefix. */
  "pxelinux-path-prefix": string;
  /** 43.211 PXELINUX reboot time (seconds). */
  "pxelinux-reboot-time": number;
  /** Any other sub-option, or a known one kept raw by a lenient decode. */
  raw: Uint8Array;
}

/** A decoded PXE vendor sub-option. */
export type PxeSubOption = SubOptionOf<PxeVendorValues>;

/** A decoded option 43 in the PXE space. */
export type PxeVendorOptions = Encapsulated<PxeSubOption>;

/** PXE vendor sub-option codes (PXE 2.1 specification). */
export const PXE_SUBOPTION = {
  MTFTP_IP: 1,
  MTFTP_CPORT: 2,
  MTFTP_SPORT: 3,
  MTFTP_TMOUT: 4,
  MTFTP_DELAY: 5,
  DISCOVERY_CONTROL: 6,
  DISCOVERY_MCAST_ADDR: 7,
  BOOT_SERVERS: 8,
  BOOT_MENU: 9,
  MENU_PROMPT: 10,
  MCAST_ADDRS_ALLOC: 11,
  CREDENTIAL_TYPES: 12,
  BOOT_ITEM: 71,
  END: 255,
} as const;

/** Bits of PXE_DISCOVERY_CONTROL (43.6). */
export const DISCOVERY_CONTROL = {
  /** Do not use broadcast discovery. */
  DISABLE_BROADCAST: 0x01,
  /** Do not use multicast discovery. */
  DISABLE_MULTICAST: 0x02,
  /** Only use and accept servers listed in PXE_BOOT_SERVERS. */
  SERVER_LIST_ONLY: 0x04,
  /** If a boot file name is in the offer, download it without menu, prompt or discovery. */
  BYPASS: 0x08,
} as const;

/** Code -> definition table of the PXE vendor space. */
export const PXE_VENDOR_DEFS: ReadonlyMap<number, SubOptionDef> = new Map<number, SubOptionDef>([
  [1, { name: "mtftp-ip", shape: IPV4 as Shape<unknown> }],
  [2, { name: "mtftp-client-port", shape: U16 as Shape<unknown> }],
  [3, { name: "mtftp-server-port", shape: U16 as Shape<unknown> }],
  [4, { name: "mtftp-timeout", shape: U8 as Shape<unknown> }],
  [5, { name: "mtftp-delay", shape: U8 as Shape<unknown> }],
  [6, { name: "discovery-control", shape: U8 as Shape<unknown> }],
  [7, { name: "discovery-mcast-addr", shape: IPV4 as Shape<unknown> }],
  [8, { name: "boot-servers", shape: BOOT_SERVERS as Shape<unknown> }],
  [9, { name: "boot-menu", shape: BOOT_MENU as Shape<unknown> }],
  [10, { name: "menu-prompt", shape: MENU_PROMPT as Shape<unknown> }],
  [11, { name: "mcast-addrs-alloc", shape: BYTES as Shape<unknown> }],
  [12, { name: "credential-types", shape: U32_LIST as Shape<unknown> }],
  [71, { name: "boot-item", shape: BOOT_ITEM as Shape<unknown> }],
  [179, { name: "lcm-server", shape: TEXT as Shape<unknown> }],
  [180, { name: "lcm-domain", shape: TEXT as Shape<unknown> }],
  [181, { name: "lcm-nic-option", shape: BYTES as Shape<unknown> }],
  [190, { name: "lcm-workgroup", shape: TEXT as Shape<unknown> }],
  [191, { name: "lcm-discovery", shape: BYTES as Shape<unknown> }],
  [192, { name: "lcm-configured", shape: BYTES as Shape<unknown> }],
  [193, { name: "lcm-version", shape: BYTES as Shape<unknown> }],
  [194, { name: "lcm-serial", shape: TEXT as Shape<unknown> }],
  [208, { name: "pxelinux-magic", shape: PXELINUX_MAGIC as Shape<unknown> }],
  [209, { name: "pxelinux-config-file", shape: TEXT as Shape<unknown> }],
  [210, { name: "pxelinux-path-prefix", shape: TEXT as Shape<unknown> }],
  [211, { name: "pxelinux-reboot-time", shape: U32 as Shape<unknown> }],
]);

/**
 * Option 43 in the PXE vendor space (PXE 2.1 specification). Use it when option 60 of the same message is
 * a PXE (or HTTP) client class; option 43 means something else for other vendors.
 */
export const pxeVendorCodec: OptionCodec<PxeVendorOptions> = encapsulatedCodec<PxeSubOption>(
  43,
  "pxe-vendor-options",
  "option 43",
  PXE_VENDOR_DEFS,
);

/** First PXE sub-option named `name` in a decoded option 43. */
export function pxeSub<K extends keyof PxeVendorValues & string>(
  opts: PxeVendorOptions | undefined,
  name: K,
): PxeVendorValues[K] | undefined {
  return findSub<PxeVendorValues, K>(opts, name);
}

/** Builds a PXE sub-option entry with its code filled in from the table. */
export function pxeOption<K extends Exclude<keyof PxeVendorValues, "raw"> & string>(
  name: K,
  value: PxeVendorValues[K],
): PxeSubOption {
  for (const [code, def] of PXE_VENDOR_DEFS) {
    if (def.name === name) return { code, name, value } as PxeSubOption;
  }
  throw new PxeOptionsError("bad-value", `no PXE sub-option named ${JSON.stringify(name)}`);
}

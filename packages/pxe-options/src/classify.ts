import { type ArchInfo, archInfo, archName, bootCpu, type Cpu, type Firmware } from "./arch.js";
import { hex, latin1 } from "./bytes.js";
import type { OptionCodec } from "./codec.js";
import { type ClientNdi, clientArchCodec, clientNdiCodec } from "./codecs/arch-list.js";
import {
  type IpxeFeatureName,
  type IpxeOptions,
  type IpxeVersion,
  ipxeCodec,
  ipxeFeatures,
  ipxeSub,
} from "./codecs/ipxe.js";
import { clientMachineIdCodec, guidToString, looksLikeUuid } from "./codecs/machine-id.js";
import {
  type PxeBootItem,
  type PxeVendorOptions,
  pxeSub,
  pxeVendorCodec,
} from "./codecs/pxe-vendor.js";
import { type UserClass, userClassCodec } from "./codecs/user-class.js";
import { DEFAULT_PXE_PREFIXES, parseVendorClass, type VendorClass } from "./codecs/vendor-class.js";
import { isPxeOptionsError } from "./errors.js";
import { type DhcpMessageLike, OPT } from "./message.js";

/** Something odd about a client's boot options: reported, never thrown. */
export interface Oddity {
  /** Stable kebab-case reason, e.g. `"arch-ebc-as-x64"`. */
  readonly code: string;
  /** The DHCP option concerned, when there is one. */
  readonly option?: number;
  /** Human-readable description. */
  readonly message: string;
}

/** Options for {@link classify}. */
export interface ClassifyOptions {
  /** Option 60 prefixes accepted as PXE clients (default `["PXEClient"]`; add e.g. `"HW-Client"`). */
  readonly pxePrefixes?: readonly string[];
  /**
   * Extra option 77 values that mean "this is iPXE running my script" (set with
   * `set user-class ...` in an embedded script, e.g. `"pixiecore"`, `"Tinkerbell"`). `iPXE` is
   * always recognised.
   */
  readonly ipxeUserClasses?: readonly string[];
  /**
   * MAC address prefixes (lower-case `aa:bb:cc`) of Raspberry Pi boards, whose boot ROM sends
   * arch 0. Default: the Raspberry Pi Foundation / Trading OUIs.
   */
  readonly raspberryPiOuis?: readonly string[];
}

/** Raspberry Pi OUIs (as used by Tinkerbell smee to recognise Pi boot ROMs). */
export const RASPBERRY_PI_OUIS: readonly string[] = [
  "b8:27:eb",
  "dc:a6:32",
  "e4:5f:01",
  "28:cd:c1",
  "d8:3a:dd",
  "2c:cf:67",
];

/** What a booting client is, as far as its DHCP request tells. */
export interface ClientClass {
  /** Firmware family: from option 93 (or 60 when 93 is missing); `"rpiboot"` for Raspberry Pi ROMs. */
  readonly firmware: Firmware;
  /** First architecture type of option 93 (or the one in option 60 when 93 is absent). */
  readonly arch: number | undefined;
  /** Every type listed in option 93. */
  readonly arches: readonly number[];
  /** Registry name of `arch`. */
  readonly archName: string | undefined;
  /** CPU to build boot files for; EFI Byte Code (9) counts as x64, see {@link bootCpu}. */
  readonly cpu: Cpu | undefined;
  /** True for a PXE or HTTP boot client (option 60 prefix, or option 93 present). */
  readonly isPxe: boolean;
  /** True when the client is (an) iPXE: user class `iPXE`, a configured user class, or option 175. */
  readonly isIpxe: boolean;
  /** The user class that identified iPXE's script (`iPXE` or a configured one), when any. */
  readonly ipxeUserClass?: string;
  /** iPXE feature flags from option 175 (name -> version). */
  readonly ipxeFeatures?: Partial<Record<IpxeFeatureName, number>>;
  /** iPXE version from 175.235. */
  readonly ipxeVersion?: IpxeVersion;
  /** True for UEFI HTTP boot (option 60 `HTTPClient` or an HTTP arch type). */
  readonly isHttpBoot: boolean;
  /** UNDI version from option 94 (or option 60 when 94 is absent). */
  readonly undi?: { readonly major: number; readonly minor: number };
  /** Client GUID text (SMBIOS byte order, as `dmidecode` and Wireshark show it) from option 97. */
  readonly uuid?: string;
  /** Option 97's 16 GUID bytes exactly as on the wire (echo these, never `uuid`). */
  readonly uuidBytes?: Uint8Array;
  /** Client hardware address, `aa:bb:cc:dd:ee:ff` for Ethernet. */
  readonly mac: string;
  /** Option 60 as text, when present. */
  readonly vendorClass?: string;
  /** Parsed option 60. */
  readonly vendorClassInfo?: VendorClass;
  /** Option 77 classes, when present. */
  readonly userClasses?: readonly string[];
  /** 43.71 boot item, when the client asks for one (Boot Server Discovery). */
  readonly bootItem?: PxeBootItem;
  /** Registry row of `arch`. */
  readonly archInfo?: ArchInfo;
  /** Everything unusual found, never thrown. */
  readonly oddities: readonly Oddity[];
}

function tryDecode<T>(
  codec: OptionCodec<T>,
  bytes: Uint8Array | undefined,
  oddities: Oddity[],
): T | undefined {
  if (bytes === undefined) return undefined;
  try {
    return codec.decode(bytes, 0, bytes.length, { lenient: true });
  } catch (e) {
    oddities.push({
      code: `bad-option-${codec.code}`,
      option: codec.code,
      message: isPxeOptionsError(e) ? e.message : String(e),
    });
    return undefined;
  }
}

/**
 * Classifies a DHCP client message (DISCOVER, REQUEST, INFORM, or a :4011 request): BIOS or UEFI,
 * which architecture, iPXE or not, HTTP boot or not. Never throws on message content; anything
 * odd ends up in `oddities`.
 *
 * Rules, from what firmwares send in the field:
 * - the architecture comes from option 93, not 60 (iPXE always claims `PXEClient:Arch:...`);
 *   option 60's arch is used only when 93 is absent;
 * - 7 is x64 UEFI and 9 is EFI Byte Code (RFC 4578 erratum 4624), but firmwares send 9 for x64,
 *   so `cpu` is `"x64"` for 9 and an oddity is reported;
 * - Raspberry Pi boot ROMs send arch 0 and a non-UUID option 97; they are recognised by MAC OUI;
 * - iPXE is recognised by user class `iPXE`, by option 175 (Mellanox FlexBoot sends no 77), or by
 *   a configured user class.
 */
export function classify(message: DhcpMessageLike, options: ClassifyOptions = {}): ClientClass {
  const oddities: Oddity[] = [];
  const raw60 = message.get(OPT.VENDOR_CLASS);
  const vc =
    raw60 === undefined
      ? undefined
      : parseVendorClass(latin1(raw60, 0, raw60.length), {
          pxePrefixes: options.pxePrefixes ?? DEFAULT_PXE_PREFIXES,
        });
  if (vc) {
    for (const o of vc.oddities)
      oddities.push({ code: "odd-vendor-class", option: 60, message: o });
  }
  const arches = tryDecode(clientArchCodec, message.get(OPT.CLIENT_ARCH), oddities) ?? [];
  const ndi: ClientNdi | undefined = tryDecode(
    clientNdiCodec,
    message.get(OPT.CLIENT_NDI),
    oddities,
  );
  const mid = tryDecode(clientMachineIdCodec, message.get(OPT.CLIENT_MACHINE_ID), oddities);
  const uc: UserClass | undefined = tryDecode(
    userClassCodec,
    message.get(OPT.USER_CLASS),
    oddities,
  );
  const ipxe: IpxeOptions | undefined = tryDecode(ipxeCodec, message.get(OPT.IPXE), oddities);
  const isPxeVendor = vc !== undefined && vc.kind !== "other";
  const pxe43: PxeVendorOptions | undefined = isPxeVendor
    ? tryDecode(pxeVendorCodec, message.get(OPT.VENDOR_SPECIFIC), oddities)
    : undefined;

  const mac = hex(message.chaddr, 0, message.chaddr.length, ":");

  let arch = arches[0];
  if (arch === undefined && vc?.arch !== undefined) {
    arch = vc.arch;
    oddities.push({
      code: "arch-from-vendor-class",
      option: 93,
      message: `option 93 is absent; using arch ${arch} from option 60`,
    });
  }
  if (arches.length > 1) {
    oddities.push({
      code: "multiple-arches",
      option: 93,
      message: `option 93 lists ${arches.length} types (${arches.join(", ")}); using the first`,
    });
  }
  if (arches[0] !== undefined && vc?.arch !== undefined && vc.arch !== arches[0]) {
    oddities.push({
      code: "arch-mismatch",
      option: 60,
      message: `option 60 says arch ${vc.arch}, option 93 says ${arches[0]}; option 93 wins`,
    });
  }
  const info = arch === undefined ? undefined : archInfo(arch);
  if (arch !== undefined && !info) {
    oddities.push({
      code: "unknown-arch",
      option: 93,
      message: `arch ${arch} is not in the registry`,
    });
  }
  if (arch === 9 || arch === 17) {
    oddities.push({
      code: "arch-ebc-as-x64",
      option: 93,
      message: `arch ${arch} is EFI Byte Code per RFC 4578 erratum 4624, but firmwares send it for x64 UEFI; treated as x64`,
    });
  }
  let firmware: Firmware = info?.firmware ?? "unknown";
  const ouis = options.raspberryPiOuis ?? RASPBERRY_PI_OUIS;
  if (arch === 0 && ouis.some((p) => mac.startsWith(p))) {
    firmware = "rpiboot";
    oddities.push({
      code: "raspberry-pi",
      option: 93,
      message: "Raspberry Pi boot ROM (by MAC OUI) sends arch 0 (x86 BIOS)",
    });
  }

  let uuid: string | undefined;
  let uuidBytes: Uint8Array | undefined;
  if (mid) {
    if (mid.type === 0 && mid.id.length === 16) {
      uuidBytes = mid.id;
      uuid = guidToString(mid.id, "smbios");
      if (!looksLikeUuid(mid.id)) {
        oddities.push({
          code: "non-uuid-machine-id",
          option: 97,
          message:
            "option 97 does not hold an RFC 4122 UUID (zero, all-ones or wrong variant bits)",
        });
      }
    } else {
      oddities.push({
        code: "non-guid-machine-id",
        option: 97,
        message: `option 97 has type ${mid.type} and ${mid.id.length} bytes, not type 0 + 16-byte GUID`,
      });
    }
  }

  const classes = uc?.classes ?? [];
  const accepted = ["iPXE", ...(options.ipxeUserClasses ?? [])];
  const ipxeUserClass = classes.find((c) => accepted.includes(c));
  const isIpxe = ipxeUserClass !== undefined || message.get(OPT.IPXE) !== undefined;
  if (
    message.get(OPT.IPXE) !== undefined &&
    !classes.includes("iPXE") &&
    ipxeUserClass === undefined
  ) {
    oddities.push({
      code: "ipxe-without-user-class",
      option: 175,
      message: "option 175 present without user class iPXE (FlexBoot or a changed user-class)",
    });
  }

  const isHttpBoot = vc?.kind === "HTTPClient" || info?.http === true;
  if (vc?.kind === "HTTPClient" && info !== undefined && !info.http) {
    oddities.push({
      code: "http-client-non-http-arch",
      option: 60,
      message: `HTTPClient with arch ${arch} (${info.name}), not an HTTP boot type`,
    });
  }
  if (raw60 === undefined && arches.length > 0) {
    oddities.push({ code: "no-vendor-class", option: 60, message: "option 93 without option 60" });
  }
  if (ndi && ndi.type !== 1) {
    oddities.push({
      code: "non-undi",
      option: 94,
      message: `option 94 type ${ndi.type} is not UNDI (1)`,
    });
  }

  const undi = ndi ? { major: ndi.major, minor: ndi.minor } : vc?.undi;
  const bootItem = pxeSub(pxe43, "boot-item");
  const out: {
    -readonly [K in keyof ClientClass]: ClientClass[K];
  } = {
    firmware,
    arch,
    arches,
    archName: arch === undefined ? undefined : archName(arch),
    cpu: arch === undefined ? undefined : bootCpu(arch),
    isPxe: isPxeVendor || arches.length > 0,
    isIpxe,
    isHttpBoot,
    mac,
    oddities,
  };
  if (ipxeUserClass !== undefined) out.ipxeUserClass = ipxeUserClass;
  if (ipxe) {
    out.ipxeFeatures = ipxeFeatures(ipxe);
    const v = ipxeSub(ipxe, "version");
    if (v) out.ipxeVersion = v;
  }
  if (undi) out.undi = undi;
  if (uuid !== undefined) out.uuid = uuid;
  if (uuidBytes !== undefined) out.uuidBytes = uuidBytes;
  if (vc) {
    out.vendorClass = vc.raw;
    out.vendorClassInfo = vc;
  }
  if (uc) out.userClasses = uc.classes;
  if (bootItem) out.bootItem = bootItem;
  if (info) out.archInfo = info;
  return out;
}

/** The JSON-friendly summary `pxe replay --verbose` shows for a PXE/iPXE client message. */
export interface PxeSummary {
  /** See {@link ClientClass.firmware}. */
  readonly firmware: Firmware;
  /** First option 93 type (or option 60's arch when 93 is absent). */
  readonly arch: number | undefined;
  /** Registry name of `arch`. */
  readonly archName: string | undefined;
  /** CPU to boot (9/EBC counts as x64). */
  readonly cpu: Cpu | undefined;
  /** PXE or HTTP boot client. */
  readonly isPxe: boolean;
  /** iPXE (user class or option 175). */
  readonly isIpxe: boolean;
  /** UEFI HTTP boot. */
  readonly isHttpBoot: boolean;
  /** `"2.1"`-style UNDI version. */
  readonly undi: string | undefined;
  /** GUID from option 97, SMBIOS byte order. */
  readonly uuid: string | undefined;
  /** Option 60 text. */
  readonly vendorClass: string | undefined;
  /** Option 77 classes. */
  readonly userClasses: readonly string[] | undefined;
  /** Names of the iPXE feature flags in option 175. */
  readonly ipxeFeatures: readonly string[] | undefined;
  /** iPXE version `"major.minor.patch"` from 175.235. */
  readonly ipxeVersion: string | undefined;
  /** 43.71 boot item requested. */
  readonly bootItem: { readonly type: number; readonly layer: number } | undefined;
  /** Codes of {@link ClientClass.oddities}. */
  readonly oddities: readonly string[];
}

/**
 * A plain-JSON summary of {@link classify} for tools (`pxe replay --verbose` puts it in each DHCP
 * item as `pxe`). Returns undefined for messages that are not from a PXE, HTTP boot or iPXE client.
 */
export function pxeSummary(
  message: DhcpMessageLike,
  options: ClassifyOptions = {},
): PxeSummary | undefined {
  if (message.op !== 1) return undefined;
  const c = classify(message, options);
  if (!c.isPxe && !c.isIpxe) return undefined;
  return {
    firmware: c.firmware,
    arch: c.arch,
    archName: c.archName,
    cpu: c.cpu,
    isPxe: c.isPxe,
    isIpxe: c.isIpxe,
    isHttpBoot: c.isHttpBoot,
    undi: c.undi ? `${c.undi.major}.${c.undi.minor}` : undefined,
    uuid: c.uuid,
    vendorClass: c.vendorClass,
    userClasses: c.userClasses,
    ipxeFeatures: c.ipxeFeatures ? Object.keys(c.ipxeFeatures) : undefined,
    ipxeVersion: c.ipxeVersion
      ? `${c.ipxeVersion.major}.${c.ipxeVersion.minor}.${c.ipxeVersion.patch}`
      : undefined,
    bootItem: c.bootItem,
    oddities: c.oddities.map((o) => o.code),
  };
}

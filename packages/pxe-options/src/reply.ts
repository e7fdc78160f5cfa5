import { ipv4Bytes, putIpv4, putLatin1, putU32 } from "./bytes.js";
import type { ClientClass } from "./classify.js";
import {
  DISCOVERY_CONTROL,
  type PxeBootMenuItem,
  type PxeSubOption,
  pxeOption,
  pxeVendorCodec,
} from "./codecs/pxe-vendor.js";
import { PxeOptionsError } from "./errors.js";
import { type DhcpMessageLike, MSG, OPT } from "./message.js";
import type { BootChoice } from "./policy.js";

/** Where a reply must be sent. */
export interface ReplyDestination {
  /** IPv4 address. */
  readonly address: string;
  /** UDP port. */
  readonly port: number;
  /** True when the reply goes to the limited broadcast address. */
  readonly broadcast: boolean;
}

/** One option of a reply, in the order it is written. */
export interface ReplyOption {
  readonly code: number;
  readonly data: Uint8Array;
}

/**
 * A BOOTREPLY ready to encode: fixed fields, options in order, and where to send it. Encode it
 * with {@link encodeReply} (or map it onto @pxe/dhcp's builder).
 */
export interface BootReply {
  readonly op: 2;
  readonly htype: number;
  readonly hlen: number;
  readonly xid: number;
  readonly flags: number;
  readonly ciaddr: string;
  readonly yiaddr: string;
  readonly siaddr: string;
  readonly giaddr: string;
  /** Client hardware address (`hlen` bytes). */
  readonly chaddr: Uint8Array;
  /** `sname` text (written NUL-terminated). */
  readonly sname: string;
  /** `file` text (written NUL-terminated). */
  readonly file: string;
  /** Options in wire order (53 and 54 first, 82 last). */
  readonly options: readonly ReplyOption[];
  /** Where to send it. */
  readonly destination: ReplyDestination;
}

/** Outcome of a reply builder: a reply, or the reason not to answer. */
export type ReplyResult =
  | { readonly ok: true; readonly reply: BootReply }
  | { readonly ok: false; readonly reason: string };

/** A PXE boot menu (43.8/9/10) for BIOS clients, offered instead of a direct boot file. */
export interface PxeMenu {
  /** Items in menu order; each item's `type` should be a vendor type (32768-65534). */
  readonly items: readonly PxeBootMenuItem[];
  /** Prompt shown with the F8 key hint. */
  readonly prompt: string;
  /** Seconds before the first item boots (0 = at once, 255 = wait for a key). */
  readonly timeout: number;
}

/** Settings shared by every reply builder. */
export interface ServerSettings {
  /** This server's IPv4 address: option 54 and, unless `nextServer` is given, `siaddr`. */
  readonly serverAddress: string;
  /** TFTP server for the boot file (`siaddr`), when not this server. */
  readonly nextServer?: string;
  /**
   * Also send option 66/67 when the client's parameter request list (55) asks for them, as dnsmasq
   * does. Default true. `siaddr` + `file` are always set: PXE ROMs read those, not 66/67.
   */
  readonly bootOptionsWhenRequested?: boolean;
  /** Append a NUL to option 67 (some ROMs need it, dnsmasq always does). Default false. */
  readonly nulTerminateOption67?: boolean;
}

/** Address and lease settings for a full DHCP OFFER/ACK. */
export interface LeaseSettings {
  /** The address offered to the client. */
  readonly yiaddr: string;
  /** Lease time in seconds (option 51). */
  readonly leaseTime: number;
  /** Subnet mask (option 1). */
  readonly subnetMask?: string;
  /** Routers (option 3). */
  readonly routers?: readonly string[];
  /** DNS servers (option 6). */
  readonly dnsServers?: readonly string[];
  /** Renewal (T1, option 58) and rebinding (T2, option 59) times in seconds. */
  readonly renewalTime?: number;
  readonly rebindingTime?: number;
}

const ZERO = "0.0.0.0";
const BROADCAST_FLAG = 0x8000;

function ascii(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  putLatin1(b, 0, s, "option text");
  return b;
}
function u32Bytes(v: number): Uint8Array {
  const b = new Uint8Array(4);
  putU32(b, 0, v);
  return b;
}
function ipList(list: readonly string[]): Uint8Array {
  const b = new Uint8Array(4 * list.length);
  list.forEach((a, i) => {
    putIpv4(b, 4 * i, a);
  });
  return b;
}

/** Option codes in the client's parameter request list (55). */
function requested(req: DhcpMessageLike): Set<number> {
  return new Set(req.get(OPT.PARAMETER_LIST) ?? []);
}

function messageType(req: DhcpMessageLike): number | undefined {
  const b = req.get(OPT.MESSAGE_TYPE);
  return b && b.length >= 1 ? b[0] : undefined;
}

/**
 * The 43 value that tells a BIOS PXE ROM to download `file` at once, without boot server discovery
 * (PXE_DISCOVERY_CONTROL = 8, then End), as pixiecore and smee send it.
 */
export function bypassDiscovery43(): Uint8Array {
  return BYPASS_43.slice();
}
const BYPASS_43 = pxeVendorCodec.encode({
  options: [pxeOption("discovery-control", DISCOVERY_CONTROL.BYPASS)],
  end: true,
});

/** The 43 value of a PXE boot menu served by `serverAddress` (43.6 = 7, 43.8, 43.9, 43.10). */
export function menu43(menu: PxeMenu, serverAddress: string): Uint8Array {
  const types = [...new Set(menu.items.map((i) => i.type))];
  const options: PxeSubOption[] = [
    pxeOption(
      "discovery-control",
      DISCOVERY_CONTROL.DISABLE_BROADCAST |
        DISCOVERY_CONTROL.DISABLE_MULTICAST |
        DISCOVERY_CONTROL.SERVER_LIST_ONLY,
    ),
    pxeOption(
      "boot-servers",
      types.map((type) => ({ type, addresses: [serverAddress] })),
    ),
    pxeOption("boot-menu", [...menu.items]),
    pxeOption("menu-prompt", { timeout: menu.timeout, prompt: menu.prompt }),
  ];
  return pxeVendorCodec.encode({ options, end: true });
}

interface Base {
  req: DhcpMessageLike;
  flags: number;
  ciaddr: string;
  yiaddr: string;
  siaddr: string;
  sname: string;
  file: string;
  options: ReplyOption[];
  destination: ReplyDestination;
}

function finish(b: Base): BootReply {
  // Relay agent information is echoed last (RFC 3046 §2.1).
  const r82 = b.req.get(OPT.RELAY_AGENT);
  if (r82 !== undefined) b.options.push({ code: OPT.RELAY_AGENT, data: r82 });
  return {
    op: 2,
    htype: b.req.htype,
    hlen: b.req.hlen,
    xid: b.req.xid,
    flags: b.flags,
    ciaddr: b.ciaddr,
    yiaddr: b.yiaddr,
    siaddr: b.siaddr,
    giaddr: b.req.giaddr,
    chaddr: b.req.chaddr,
    sname: b.sname,
    file: b.file,
    options: b.options,
    destination: b.destination,
  };
}

/** Default destination on port 67/68: giaddr:67 when relayed, else broadcast or unicast to ciaddr. */
function dhcpDestination(req: DhcpMessageLike, broadcast: boolean): ReplyDestination {
  if (req.giaddr !== ZERO) return { address: req.giaddr, port: 67, broadcast: false };
  if (!broadcast && req.ciaddr !== ZERO) return { address: req.ciaddr, port: 68, broadcast: false };
  return { address: "255.255.255.255", port: 68, broadcast: true };
}

function fileFields(
  boot: Extract<BootChoice, { action: "boot" }>,
  req: DhcpMessageLike,
  s: ServerSettings,
  opts: ReplyOption[],
): { file: string } {
  const prl = s.bootOptionsWhenRequested === false ? new Set<number>() : requested(req);
  if (prl.has(OPT.TFTP_SERVER_NAME) && boot.via !== "http") {
    opts.push({ code: OPT.TFTP_SERVER_NAME, data: ascii(s.nextServer ?? s.serverAddress) });
  }
  // A boot file longer than the 127 usable bytes of `file` (a long URL) goes in option 67 only.
  if (prl.has(OPT.BOOTFILE_NAME) || boot.file.length > 127) {
    opts.push({
      code: OPT.BOOTFILE_NAME,
      data: ascii(s.nulTerminateOption67 ? `${boot.file}\0` : boot.file),
    });
  }
  return { file: boot.file.length > 127 ? "" : boot.file };
}

/**
 * A full DHCP OFFER or ACK for a boot client: an address and lease plus the boot file.
 *
 * - `siaddr` + `file` always carry the boot file (PXE ROMs read those), 66/67 too when requested;
 * - option 60 `PXEClient` goes to PXE ROMs and `HTTPClient` to HTTP boot clients (their firmware
 *   drops offers without it), none to iPXE;
 * - BIOS PXE ROMs get 43 = {6: 8} (boot `file` without discovery); UEFI clients get no 43;
 * - 97 is echoed when 60 is sent, 82 is echoed last;
 * - relayed requests are answered to giaddr:67.
 */
export function buildBootReply(
  request: DhcpMessageLike,
  client: ClientClass,
  boot: BootChoice,
  settings: ServerSettings & LeaseSettings & { readonly messageType: "offer" | "ack" },
): ReplyResult {
  if (boot.action !== "boot") return { ok: false, reason: boot.reason };
  const mt = messageType(request);
  const want = settings.messageType === "offer" ? MSG.DISCOVER : MSG.REQUEST;
  if (mt !== want && !(settings.messageType === "ack" && mt === MSG.INFORM)) {
    return {
      ok: false,
      reason: `a ${settings.messageType} answers message type ${want}, got ${mt}`,
    };
  }
  const options: ReplyOption[] = [
    {
      code: OPT.MESSAGE_TYPE,
      data: Uint8Array.of(settings.messageType === "offer" ? MSG.OFFER : MSG.ACK),
    },
    { code: OPT.SERVER_ID, data: ipv4Bytes(settings.serverAddress) },
    { code: OPT.LEASE_TIME, data: u32Bytes(settings.leaseTime) },
  ];
  if (settings.renewalTime !== undefined)
    options.push({ code: OPT.RENEWAL_TIME, data: u32Bytes(settings.renewalTime) });
  if (settings.rebindingTime !== undefined)
    options.push({ code: OPT.REBINDING_TIME, data: u32Bytes(settings.rebindingTime) });
  if (settings.subnetMask !== undefined)
    options.push({ code: OPT.SUBNET_MASK, data: ipv4Bytes(settings.subnetMask) });
  if (settings.routers?.length) options.push({ code: OPT.ROUTER, data: ipList(settings.routers) });
  if (settings.dnsServers?.length)
    options.push({ code: OPT.DNS, data: ipList(settings.dnsServers) });
  const sendVendor = !client.isIpxe && (client.isPxe || client.isHttpBoot);
  if (sendVendor || boot.vendorClass === "HTTPClient") {
    options.push({ code: OPT.VENDOR_CLASS, data: ascii(boot.vendorClass) });
  }
  if (sendVendor && !client.isHttpBoot && client.firmware === "bios") {
    options.push({ code: OPT.VENDOR_SPECIFIC, data: bypassDiscovery43() });
  }
  const { file } = fileFields(boot, request, settings, options);
  const uuid = request.get(OPT.CLIENT_MACHINE_ID);
  if (uuid !== undefined && sendVendor) options.push({ code: OPT.CLIENT_MACHINE_ID, data: uuid });
  const broadcast = (request.flags & BROADCAST_FLAG) !== 0;
  return {
    ok: true,
    reply: finish({
      req: request,
      flags: request.flags,
      ciaddr: settings.messageType === "ack" ? request.ciaddr : ZERO,
      yiaddr: mt === MSG.INFORM ? ZERO : settings.yiaddr,
      siaddr:
        boot.via === "tftp"
          ? (settings.nextServer ?? settings.serverAddress)
          : settings.serverAddress,
      sname: "",
      file,
      options,
      destination: dhcpDestination(request, broadcast || settings.messageType === "offer"),
    }),
  };
}

/** Settings for {@link buildProxyOffer}. */
export interface ProxySettings extends ServerSettings {
  /** Offer a boot menu to BIOS PXE ROMs instead of a direct boot file. */
  readonly menu?: PxeMenu;
  /**
   * Put `file` in the proxy OFFER to UEFI PXE clients too. Default false: some UEFI firmwares ignore
   * ProxyDHCP offers that try to bypass boot server discovery, so they get no 43 and no file and
   * come back on port 4011 (pixiecore, dnsmasq).
   */
  readonly uefiFileInOffer?: boolean;
}

/**
 * A proxyDHCP OFFER (PXE 2.1 proxyDHCP, as dnsmasq, pixiecore and iPXE agree):
 * only to DISCOVERs from PXE/HTTP/iPXE clients; yiaddr 0.0.0.0; broadcast flag set; 54 = this
 * proxy; 60 = `PXEClient` (or `HTTPClient`); 97 and 82 echoed; no address or lease options
 * (1, 3, 6, 51, 58, 59); sent to giaddr:67 when relayed, else broadcast to :68.
 * BIOS ROMs get siaddr + file + 43 = {6: 8} (or a 43.8/9/10 menu); UEFI PXE clients get no 43
 * (they are answered on port 4011); HTTP boot and iPXE clients get their URL in `file`.
 */
export function buildProxyOffer(
  request: DhcpMessageLike,
  client: ClientClass,
  boot: BootChoice,
  settings: ProxySettings,
): ReplyResult {
  if (boot.action !== "boot") return { ok: false, reason: boot.reason };
  const mt = messageType(request);
  if (mt !== MSG.DISCOVER)
    return { ok: false, reason: `proxyDHCP answers DISCOVER only, got type ${mt}` };
  if (!client.isPxe && !client.isIpxe) return { ok: false, reason: "not a PXE client" };
  const options: ReplyOption[] = [
    { code: OPT.MESSAGE_TYPE, data: Uint8Array.of(MSG.OFFER) },
    { code: OPT.SERVER_ID, data: ipv4Bytes(settings.serverAddress) },
    { code: OPT.VENDOR_CLASS, data: ascii(boot.vendorClass) },
  ];
  let file = "";
  let siaddr = settings.nextServer ?? settings.serverAddress;
  const plainBios = !client.isIpxe && !client.isHttpBoot && client.firmware === "bios";
  const plainUefi = !client.isIpxe && !client.isHttpBoot && client.firmware === "uefi";
  if (plainBios && settings.menu) {
    options.push({
      code: OPT.VENDOR_SPECIFIC,
      data: menu43(settings.menu, settings.serverAddress),
    });
  } else if (plainBios) {
    options.push({ code: OPT.VENDOR_SPECIFIC, data: bypassDiscovery43() });
    file = fileFields(boot, request, settings, options).file;
  } else if (plainUefi && !settings.uefiFileInOffer) {
    siaddr = settings.serverAddress;
  } else {
    file = fileFields(boot, request, settings, options).file;
  }
  const uuid = request.get(OPT.CLIENT_MACHINE_ID);
  if (uuid !== undefined) options.push({ code: OPT.CLIENT_MACHINE_ID, data: uuid });
  return {
    ok: true,
    reply: finish({
      req: request,
      flags: request.flags | BROADCAST_FLAG,
      ciaddr: ZERO,
      yiaddr: ZERO,
      siaddr,
      sname: "",
      file,
      options,
      destination: dhcpDestination(request, true),
    }),
  };
}

/**
 * The PXE boot server ACK on port 4011, answering a client's REQUEST (or INFORM) sent there
 * after a proxy offer: unicast back to the request's source address and port; yiaddr 0.0.0.0
 * (or the client's ciaddr when it asked for a boot item, as dnsmasq does for Boot Server
 * Discovery); siaddr + sname + file; 54, 60 and 97 echoed; 43.71 echoed when the request carried
 * it; 82 echoed; no lease options. A request for PXE BIS credentials (43.71 layer bit 15) is not
 * answered, as dnsmasq does. The boot file is the policy's file for every boot item and layer (no
 * `basename.layer` naming).
 */
export function buildBootServerAck(
  request: DhcpMessageLike,
  client: ClientClass,
  boot: BootChoice,
  source: { readonly address: string; readonly port: number },
  settings: ServerSettings,
): ReplyResult {
  if (boot.action !== "boot") return { ok: false, reason: boot.reason };
  const mt = messageType(request);
  if (mt !== MSG.REQUEST && mt !== MSG.INFORM) {
    return { ok: false, reason: `the boot server answers REQUEST or INFORM, got type ${mt}` };
  }
  if (client.bootItem && (client.bootItem.layer & 0x8000) !== 0) {
    return {
      ok: false,
      reason: "the client asks for PXE BIS credentials (43.71 layer bit 15), not supported",
    };
  }
  const options: ReplyOption[] = [
    { code: OPT.MESSAGE_TYPE, data: Uint8Array.of(MSG.ACK) },
    { code: OPT.SERVER_ID, data: ipv4Bytes(settings.serverAddress) },
    { code: OPT.VENDOR_CLASS, data: ascii(boot.vendorClass) },
  ];
  if (client.bootItem) {
    options.push({
      code: OPT.VENDOR_SPECIFIC,
      data: pxeVendorCodec.encode({
        options: [pxeOption("boot-item", client.bootItem)],
        end: true,
      }),
    });
  }
  const { file } = fileFields(boot, request, settings, options);
  const uuid = request.get(OPT.CLIENT_MACHINE_ID);
  if (uuid !== undefined) options.push({ code: OPT.CLIENT_MACHINE_ID, data: uuid });
  const siaddr = settings.nextServer ?? settings.serverAddress;
  return {
    ok: true,
    reply: finish({
      req: request,
      flags: request.flags,
      ciaddr: request.ciaddr,
      yiaddr: client.bootItem ? request.ciaddr : ZERO,
      siaddr,
      sname: boot.via === "tftp" ? siaddr : "",
      file,
      options,
      destination: { address: source.address, port: source.port, broadcast: false },
    }),
  };
}

/** Options for {@link encodeReply}. */
export interface EncodeReplyOptions {
  /** Pad the message (after End) to at least this many bytes. Default 300 (RFC 951 / BOOTP). */
  readonly minLength?: number;
}

/**
 * Encodes a {@link BootReply} into a BOOTP/DHCP message: fixed header, cookie, options (values over
 * 255 bytes split into several instances per RFC 3396), End, Pad up to `minLength`.
 */
export function encodeReply(reply: BootReply, options: EncodeReplyOptions = {}): Uint8Array {
  if (reply.sname.length > 63)
    throw new PxeOptionsError("too-long", "sname holds at most 63 bytes");
  if (reply.file.length > 127)
    throw new PxeOptionsError("too-long", "file holds at most 127 bytes");
  if (reply.chaddr.length > 16)
    throw new PxeOptionsError("too-long", "chaddr holds at most 16 bytes");
  let optLen = 0;
  for (const o of reply.options) {
    const n = o.data.length;
    optLen += n === 0 ? 2 : n + 2 * Math.ceil(n / 255);
  }
  const total = Math.max(240 + optLen + 1, options.minLength ?? 300);
  const b = new Uint8Array(total);
  b[0] = 2;
  b[1] = reply.htype;
  b[2] = reply.hlen;
  putU32(b, 4, reply.xid);
  b[10] = (reply.flags >>> 8) & 0xff;
  b[11] = reply.flags & 0xff;
  putIpv4(b, 12, reply.ciaddr, "ciaddr");
  putIpv4(b, 16, reply.yiaddr, "yiaddr");
  putIpv4(b, 20, reply.siaddr, "siaddr");
  putIpv4(b, 24, reply.giaddr, "giaddr");
  b.set(reply.chaddr, 28);
  putLatin1(b, 44, reply.sname, "sname");
  putLatin1(b, 108, reply.file, "file");
  putU32(b, 236, 0x63825363);
  let i = 240;
  for (const o of reply.options) {
    if (!Number.isInteger(o.code) || o.code < 1 || o.code > 254) {
      throw new PxeOptionsError("bad-value", `option code ${o.code} is not 1-254`);
    }
    let p = 0;
    do {
      const n = Math.min(255, o.data.length - p);
      b[i] = o.code;
      b[i + 1] = n;
      b.set(o.data.subarray(p, p + n), i + 2);
      i += 2 + n;
      p += n;
    } while (p < o.data.length);
  }
  b[i] = 255;
  return b;
}

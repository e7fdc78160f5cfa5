/**
 * What `pxe serve` answers to a DHCP or PXE (port 4011) request: a pure function of the request,
 * the configuration, the lease pool and the time, so it is tested without sockets.
 *
 * Boot flow: a plain PXE ROM gets iPXE over TFTP (`undionly.kpxe` for BIOS, `snponly.efi` or
 * `ipxe.efi` for x86-64 UEFI, see {@link uefiX64Program}, an ARM64 EFI build from the root for
 * ARM64 UEFI); iPXE (user class `iPXE` or option 175)
 * gets the HTTP URL of a script generated for it; a UEFI HTTP boot client gets the HTTP URL of its
 * boot program and vendor class `HTTPClient` (EDK2 ignores an HTTP boot offer without it).
 */
import {
  type BootPolicy,
  type BootReply,
  buildBootReply,
  buildBootServerAck,
  buildProxyOffer,
  bypassDiscovery43,
  type ClientClass,
  type Cpu,
  type DhcpMessageLike,
  encodeReply,
  type BootChoice as PxeBootChoice,
  chooseBoot as pxeChooseBoot,
  type ReplyDestination,
  type ReplyResult,
} from "@pxe/pxe-options";
import { type BootClient, classify, clientClass, messageLike } from "./classify.js";
import { ascii, type DhcpMessage, ipBytes, optIp } from "./dhcp-wire.js";
import type { FileTree } from "./files.js";
import type { LeaseStore } from "./leases.js";
import { inSubnet } from "./net.js";

/** DHCP message types (option 53). */
export const MsgType = {
  DISCOVER: 1,
  OFFER: 2,
  REQUEST: 3,
  DECLINE: 4,
  ACK: 5,
  NAK: 6,
  RELEASE: 7,
  INFORM: 8,
} as const;

const NAMES: Record<number, string> = {
  1: "DISCOVER",
  2: "OFFER",
  3: "REQUEST",
  4: "DECLINE",
  5: "ACK",
  6: "NAK",
  7: "RELEASE",
  8: "INFORM",
};

/** Boot programs for plain PXE ROMs, looked up in the served tree. */
export const ARM64_PROGRAMS = [
  "ipxe-arm64.efi",
  "snp-arm64.efi",
  "arm64/ipxe.efi",
  "arm64/snp.efi",
] as const;

/**
 * x86-64 UEFI boot programs in order of preference when none is named: `snponly.efi` (iPXE
 * driving the NIC through the firmware's own SNP driver: a fifth of `ipxe.efi`'s size and no
 * driver probing, so it loads and starts faster) before `ipxe.efi` (every iPXE driver built in).
 */
export const UEFI_X64_PROGRAMS = ["snponly.efi", "ipxe.efi"] as const;

/**
 * The x86-64 UEFI boot program: `explicit` when given (and servable), else the first of
 * {@link UEFI_X64_PROGRAMS} found in the root itself, else the first found in the fallback
 * (Debian's `/usr/lib/ipxe`). A program the user put in the root is what they meant, so a root
 * holding only `ipxe.efi` gets `ipxe.efi` even when Debian ships `snponly.efi`.
 */
export function uefiX64Program(tree: FileTree, explicit?: string): string | undefined {
  if (explicit !== undefined) return tree.has(explicit) ? explicit : undefined;
  return (
    UEFI_X64_PROGRAMS.find((f) => tree.hasInRoot(f)) ?? UEFI_X64_PROGRAMS.find((f) => tree.has(f))
  );
}

/** The DHCP side's configuration. */
export interface DhcpPolicyConfig {
  mode: "full" | "proxy";
  /** This server's address on the served interface (server identifier, siaddr). */
  serverIp: string;
  /** The served interface's subnet prefix length and netmask. */
  prefix: number;
  netmask: string;
  /**
   * This server's HTTP URL (`http://IP:PORT`): scripts and HTTP-boot programs. Undefined when
   * HTTP is off: iPXE then gets its script over TFTP and HTTP-boot clients are not answered.
   */
  httpUrl: string | undefined;
  tree: FileTree;
  leases?: LeaseStore | undefined;
  leaseSeconds?: number;
  router?: string | undefined;
  dns?: string[] | undefined;
  /**
   * Tell iPXE not to wait for ProxyDHCP offers (option 175.176 `no-pxedhcp` = 1) in full mode,
   * which saves the ~3 s iPXE otherwise spends collecting offers. Safe on any network: only iPXE
   * reads it, and in full mode this server is the one giving the boot file. Default true.
   */
  ipxeNoProxyWait?: boolean;
  /**
   * The x86-64 UEFI boot program (a path in the served tree), for PXE and UEFI HTTP boot
   * clients; default: see {@link uefiX64Program}.
   */
  uefiX64Program?: string | undefined;
  /**
   * Full mode: send UEFI PXE clients option 43 with discovery control 8 ("boot the file in this
   * offer, no prompt, menu or boot server discovery"), as BIOS PXE ROMs get. Without it EDK2
   * classifies the offer as BINL and asks port 4011 for the file, waiting out its 1 s collection
   * timeout. Default true; false restores the 4011 round.
   */
  uefiBypassDiscovery?: boolean;
  /**
   * The subnet the `--range` pool belongs to, when it is not the served interface's own: a
   * subnet behind a DHCP relay. Requests are then answered only when relayed (giaddr) from it.
   */
  poolSubnet?: { network: string; prefix: number; netmask: string } | undefined;
  /**
   * State kept by {@link answerDhcp} for a {@link poolSubnet}: the relay address (giaddr) last
   * seen for it, the router given to clients renewing straight to this server (giaddr 0) when
   * there is no `router`. Without either such a renewal is not answered: the client rebinds
   * by broadcast, through the relay, at T2.
   */
  poolRelay?: string | undefined;
}

/** Where a reply goes. */
export interface Destination {
  address: string;
  port: number;
}

/** The outcome for one request: a reply (and where), or a reason for not answering. */
export type DhcpOutcome =
  | {
      kind: "reply";
      reply: Uint8Array;
      to: Destination;
      log: Record<string, string | number | undefined>;
    }
  | { kind: "drop"; reason: string; log: Record<string, string | number | undefined> };

/** The boot file a client is given, and the vendor class to answer with. */
export interface BootChoice {
  file: string;
  vendorClass: "PXEClient" | "HTTPClient" | undefined;
  transport: "tftp" | "http";
}

/** The URL of the per-client script on this server. */
export function scriptUrl(httpUrl: string, c: BootClient): string {
  const q = [`mac=${c.mac}`];
  if (c.arch !== undefined) q.push(`arch=${c.arch}`);
  const url = `${httpUrl}/boot.ipxe?${q.join("&")}`;
  // The BOOTP `file` field holds 127 characters; the UUID is added only when it still fits.
  return c.uuid && url.length + 6 + c.uuid.length <= 127 ? `${url}&uuid=${c.uuid}` : url;
}

/** The TFTP name of the per-client script when HTTP is off (`pxe-boot/<mac>/<arch>.ipxe`). */
export function scriptTftpName(c: BootClient): string {
  return `pxe-boot/${c.mac.replace(/:/g, "-")}/${c.arch ?? "x"}.ipxe`;
}

/** Parses {@link scriptTftpName}'s form back (undefined when `name` is not one). */
export function parseScriptTftpName(
  name: string,
): { mac: string; arch: number | undefined } | undefined {
  const m = /^\/?pxe-boot\/([0-9a-f]{2}(?:-[0-9a-f]{2}){5})\/(\d{1,5}|x)\.ipxe$/.exec(name);
  if (!m?.[1] || !m[2]) return undefined;
  return { mac: m[1].replace(/-/g, ":"), arch: m[2] === "x" ? undefined : Number(m[2]) };
}

/**
 * The `@pxe/pxe-options` boot policy for a client, from the files in the served tree: BIOS ->
 * `undionly.kpxe`, x86-64 UEFI -> {@link uefiX64Program}, ARM64 UEFI -> an ARM64 build
 * from the root, UEFI HTTP boot -> the same programs over HTTP, iPXE -> its per-client script (an
 * HTTP URL, or a TFTP name when HTTP is off).
 */
export function bootPolicy(
  c: BootClient,
  cfg: Pick<DhcpPolicyConfig, "httpUrl" | "tree" | "uefiX64Program">,
): BootPolicy {
  const x64 = uefiX64Program(cfg.tree, cfg.uefiX64Program);
  const arm64 = ARM64_PROGRAMS.find((f) => cfg.tree.has(f));
  const uefi: Partial<Record<Cpu, string>> = {};
  const http: Partial<Record<Cpu, string>> = {};
  if (x64) uefi.x64 = x64;
  if (arm64) uefi.arm64 = arm64;
  if (cfg.httpUrl !== undefined) {
    if (x64) http.x64 = `${cfg.httpUrl}/${x64}`;
    if (arm64) http.arm64 = `${cfg.httpUrl}/${arm64}`;
  }
  return {
    ...(cfg.tree.has("undionly.kpxe") ? { bios: "undionly.kpxe" } : {}),
    uefi,
    http,
    ipxeScript: cfg.httpUrl === undefined ? scriptTftpName(c) : scriptUrl(cfg.httpUrl, c),
  };
}

/**
 * The client as `@pxe/pxe-options`' policy should see it: a PXE ROM that names no architecture
 * at all (neither option 93 nor 60) is booted as x86 BIOS, the only firmware that omits it.
 */
function policyClient(c: BootClient): ClientClass {
  const p = c.pxe;
  if (p.cpu === undefined && p.isPxe && !p.isHttpBoot && !p.isIpxe)
    return { ...p, firmware: "bios", cpu: "x86" };
  return p;
}

/** The `@pxe/pxe-options` boot choice for a client (`ignore` with a reason when not booted). */
export function choosePxeBoot(
  c: BootClient,
  cfg: Pick<DhcpPolicyConfig, "httpUrl" | "tree" | "uefiX64Program">,
): PxeBootChoice {
  return pxeChooseBoot(policyClient(c), bootPolicy(c, cfg));
}

/** Picks the boot file for a client (undefined: this client is not booted by us). */
export function chooseBoot(
  c: BootClient,
  cfg: Pick<DhcpPolicyConfig, "httpUrl" | "tree" | "uefiX64Program">,
): BootChoice | undefined {
  const b = choosePxeBoot(c, cfg);
  if (b.action !== "boot") return undefined;
  return {
    file: b.file,
    vendorClass: b.vendorClass,
    transport: /^https?:\/\//.test(b.file) ? "http" : "tftp",
  };
}

/** Ports the replies use (defaults 67/68). */
export interface Ports {
  server: number;
  client: number;
}

/**
 * Answers one request. `via` is `dhcp` for port 67, `pxe` for port 4011; `from` is the sender.
 */
export function answerDhcp(
  m: DhcpMessage,
  via: "dhcp" | "pxe",
  from: Destination,
  cfg: DhcpPolicyConfig,
  now: number,
  ports: Ports = { server: 67, client: 68 },
): DhcpOutcome {
  const c = classify(m);
  const t = m.options.get(53)?.[0];
  const log: Record<string, string | number | undefined> = {
    mac: c.mac,
    class: clientClass(c),
    arch: c.arch,
    msg: t === undefined ? "BOOTP" : (NAMES[t] ?? String(t)),
    xid: `0x${m.xid.toString(16).padStart(8, "0")}`,
    via: via === "pxe" ? "4011" : "67",
    giaddr: m.giaddr === "0.0.0.0" ? undefined : m.giaddr,
  };
  const drop = (reason: string): DhcpOutcome => ({
    kind: "drop",
    reason,
    log: { ...log, drop: reason },
  });
  if (m.op !== 1) return drop("not a BOOTREQUEST");
  if (m.htype !== 1 || m.hlen !== 6) return drop(`hardware type ${m.htype}/${m.hlen} not Ethernet`);
  if (t === undefined) return drop("BOOTP (no DHCP message type) not served");
  // Node cannot bind to a device: answer only requests for the served interface's subnet.
  // Relayed requests name their subnet in giaddr; local broadcasts are answered from (and leave
  // by) the interface's own address.
  // The pool's subnet: the interface's own, or (poolSubnet) one behind a relay.
  const pool = cfg.poolSubnet ?? {
    network: cfg.serverIp,
    prefix: cfg.prefix,
    netmask: cfg.netmask,
  };
  if (cfg.mode === "full") {
    if (m.giaddr !== "0.0.0.0" && !inSubnet(m.giaddr, pool.network, pool.prefix))
      return drop(`relay ${m.giaddr} is outside ${pool.network}/${pool.prefix}`);
    // A pool behind a relay: local broadcasts are not for it; requests sent straight to us by
    // its clients (renewals, port 4011) carry their address in ciaddr.
    if (
      via === "dhcp" &&
      m.giaddr === "0.0.0.0" &&
      cfg.poolSubnet !== undefined &&
      (m.ciaddr === "0.0.0.0" || !inSubnet(m.ciaddr, pool.network, pool.prefix))
    )
      return drop(`not relayed: the pool is for ${pool.network}/${pool.prefix} behind a relay`);
    if (cfg.poolSubnet !== undefined && m.giaddr !== "0.0.0.0") cfg.poolRelay = m.giaddr;
  }
  const pboot = choosePxeBoot(c, cfg);
  const boot = pboot.action === "boot" ? pboot : undefined;
  if (boot) log.file = boot.file;
  const serverId = optIp(m.options.get(54));
  const req = messageLike(m);
  const pc = policyClient(c);
  const settings = { serverAddress: cfg.serverIp };

  const to = (d: ReplyDestination, rtype: number): Destination => {
    if (via === "pxe") return from;
    // RFC 2131 §4.1: not relayed, ciaddr set -> unicast OFFER/ACK to ciaddr (NAKs broadcast).
    if (m.giaddr === "0.0.0.0" && m.ciaddr !== "0.0.0.0" && rtype !== MsgType.NAK)
      return { address: m.ciaddr, port: ports.client };
    const port = d.port === 67 ? ports.server : d.port === 68 ? ports.client : d.port;
    return { address: d.address, port };
  };
  const out = (
    r: ReplyResult,
    rtype: number,
    extra: Record<string, string | undefined> = {},
    edit: (reply: BootReply) => BootReply = (x) => x,
  ): DhcpOutcome => {
    if (!r.ok) return drop(r.reason);
    const reply = edit(r.reply);
    const dest = to(reply.destination, rtype);
    return {
      kind: "reply",
      reply: encodeReply(reply),
      to: dest,
      log: { ...log, reply: NAMES[rtype], to: `${dest.address}:${dest.port}`, ...extra },
    };
  };

  // ---- port 4011: ProxyDHCP REQUEST / boot server discovery (both modes) ------------------
  if (via === "pxe") {
    if (t !== MsgType.REQUEST && t !== MsgType.INFORM) return drop("only REQUEST/INFORM on 4011");
    if (c.kind === "other") return drop("not a PXE client");
    if (!boot) return drop("no boot program for this client");
    return out(buildBootServerAck(req, pc, pboot, from, settings), MsgType.ACK);
  }

  // ---- proxy mode on port 67: PXE clients only, no addresses ---------------------------------
  if (cfg.mode === "proxy") {
    if (c.kind === "other") return drop("not a PXE client (proxy mode)");
    if (!boot) return drop("no boot program for this client");
    if (t === MsgType.DISCOVER) {
      // EFI PXE clients get no file here and ask on port 4011 (some UEFI firmware ignores a
      // ProxyDHCP offer that bypasses boot server discovery); everyone else gets it at once.
      return out(buildProxyOffer(req, pc, pboot, settings), MsgType.OFFER);
    }
    if (t === MsgType.REQUEST && serverId === cfg.serverIp) {
      // A REQUEST to the proxy on port 67 gets the proxy offer's content as an ACK.
      const asDiscover: DhcpMessageLike = {
        ...req,
        get: (code: number) => (code === 53 ? Uint8Array.of(MsgType.DISCOVER) : req.get(code)),
      };
      return out(buildProxyOffer(asDiscover, pc, pboot, settings), MsgType.ACK, {}, (r) =>
        withOptionValue(r, 53, Uint8Array.of(MsgType.ACK)),
      );
    }
    return drop("not for the proxy");
  }

  // ---- full mode on port 67 ------------------------------------------------------------------
  const leases = cfg.leases;
  if (!leases) return drop("no address pool");
  const leaseSeconds = cfg.leaseSeconds ?? 3600;
  // Behind a relay the relay agent (giaddr) is the client's router unless --router says.
  const relayRouter =
    cfg.poolSubnet === undefined || cfg.router
      ? undefined
      : m.giaddr !== "0.0.0.0"
        ? m.giaddr
        : cfg.poolRelay;
  if (t === MsgType.REQUEST && cfg.poolSubnet !== undefined && !cfg.router && !relayRouter)
    return drop("direct renewal for the relayed pool before any relayed request (no router known)");
  const full = (messageType: "offer" | "ack", yiaddr: string): ReplyResult => {
    const lease = {
      ...settings,
      messageType,
      yiaddr,
      leaseTime: leaseSeconds,
      renewalTime: Math.floor(leaseSeconds / 2),
      rebindingTime: Math.floor((leaseSeconds * 7) / 8),
      subnetMask: pool.netmask,
      ...(cfg.router
        ? { routers: [cfg.router] }
        : relayRouter !== undefined
          ? { routers: [relayRouter] }
          : {}),
      ...(cfg.dns && cfg.dns.length > 0 ? { dnsServers: cfg.dns } : {}),
    };
    if (boot) return buildBootReply(req, pc, pboot, lease);
    // Not a boot client (or nothing to boot it with): an address only, no boot fields.
    const plain: ClientClass = { ...pc, isPxe: false, isIpxe: false, isHttpBoot: false };
    const none: PxeBootChoice = {
      action: "boot",
      file: "",
      via: "http",
      vendorClass: "PXEClient",
      rule: "address only",
    };
    return buildBootReply(req, plain, none, { ...lease, bootOptionsWhenRequested: false });
  };
  // iPXE: do not wait for ProxyDHCP offers (175.176 no-pxedhcp = 1); this server gives the file.
  const noProxyWait = (r: BootReply): BootReply =>
    c.ipxe && boot && cfg.ipxeNoProxyWait !== false
      ? withOption(r, 175, Uint8Array.of(176, 1, 1))
      : r;
  // UEFI PXE: boot the file in the offer, no BINL round on 4011 (43 = {6: 8}, as BIOS gets).
  const bypass = (r: BootReply): BootReply =>
    boot &&
    c.kind === "pxe" &&
    !c.ipxe &&
    c.firmware === "uefi" &&
    cfg.uefiBypassDiscovery !== false &&
    !r.options.some((o) => o.code === 43)
      ? withOption(r, 43, bypassDiscovery43())
      : r;
  const edits = (r: BootReply): BootReply => bypass(noProxyWait(r));
  switch (t) {
    case MsgType.DISCOVER: {
      const ip = leases.pick(c.mac, optIp(m.options.get(50)), now);
      if (!ip) return drop("address pool exhausted");
      return out(full("offer", ip), MsgType.OFFER, { yiaddr: ip }, edits);
    }
    case MsgType.REQUEST: {
      if (serverId !== undefined && serverId !== cfg.serverIp) {
        return drop(`client chose server ${serverId}`);
      }
      const wanted = optIp(m.options.get(50)) ?? (m.ciaddr !== "0.0.0.0" ? m.ciaddr : undefined);
      const nak = (why: string): DhcpOutcome => {
        const o82 = m.options.get(82);
        const r: BootReply = {
          op: 2,
          htype: m.htype,
          hlen: m.hlen,
          xid: m.xid,
          flags: m.flags | 0x8000,
          ciaddr: "0.0.0.0",
          yiaddr: "0.0.0.0",
          siaddr: "0.0.0.0",
          giaddr: m.giaddr,
          chaddr: req.chaddr,
          sname: "",
          file: "",
          options: [
            { code: 53, data: Uint8Array.of(MsgType.NAK) },
            { code: 54, data: ipBytes(cfg.serverIp) },
            { code: 56, data: ascii(why) },
            ...(o82 ? [{ code: 82, data: o82 }] : []),
          ],
          destination:
            m.giaddr !== "0.0.0.0"
              ? { address: m.giaddr, port: 67, broadcast: false }
              : { address: "255.255.255.255", port: 68, broadcast: true },
        };
        return out({ ok: true, reply: r }, MsgType.NAK, { nak: why });
      };
      if (!wanted) return nak("no requested address");
      if (!inSubnet(wanted, pool.network, pool.prefix)) return nak("wrong network");
      if (!leases.inPool(wanted)) {
        // INIT-REBOOT for an address we do not manage: stay silent unless we were asked.
        if (serverId === undefined) return drop(`requested ${wanted} is outside the pool`);
        return nak("address not available");
      }
      if (!leases.commit(c.mac, wanted, now, leaseSeconds)) return nak("address in use");
      return out(full("ack", wanted), MsgType.ACK, { yiaddr: wanted }, edits);
    }
    case MsgType.RELEASE:
    case MsgType.DECLINE:
      if (serverId === cfg.serverIp) leases.release(c.mac);
      return drop("released");
    default:
      return drop(`message type ${t} not served`);
  }
}

/** `r` with option `code` added before a trailing relay agent option (82 stays last). */
function withOption(r: BootReply, code: number, data: Uint8Array): BootReply {
  const opts = [...r.options];
  const at = opts.length > 0 && opts[opts.length - 1]?.code === 82 ? opts.length - 1 : opts.length;
  opts.splice(at, 0, { code, data });
  return { ...r, options: opts };
}

/** `r` with the value of option `code` replaced. */
function withOptionValue(r: BootReply, code: number, data: Uint8Array): BootReply {
  return { ...r, options: r.options.map((o) => (o.code === code ? { code, data } : o)) };
}

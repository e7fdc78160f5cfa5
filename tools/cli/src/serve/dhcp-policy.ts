/**
 * What `pxe serve` answers to a DHCP or PXE (port 4011) request: a pure function of the request,
 * the configuration, the lease pool and the time, so it is tested without sockets.
 *
 * Boot flow: a plain PXE ROM gets iPXE over TFTP (`undionly.kpxe` for BIOS, `ipxe.efi` for x86-64
 * UEFI, an ARM64 EFI build from the root for ARM64 UEFI); iPXE (user class `iPXE` or option 175)
 * gets the HTTP URL of a script generated for it; a UEFI HTTP boot client gets the HTTP URL of its
 * boot program and vendor class `HTTPClient` (EDK2 ignores an HTTP boot offer without it).
 */
import { type BootClient, classify, clientClass } from "./classify.js";
import { ascii, type DhcpMessage, encodeDhcpReply, ipBytes, optIp, u32 } from "./dhcp-wire.js";
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

/** Picks the boot file for a client (undefined: this client is not booted by us). */
export function chooseBoot(
  c: BootClient,
  cfg: Pick<DhcpPolicyConfig, "httpUrl" | "tree">,
): BootChoice | undefined {
  const vc = c.kind === "pxe" ? "PXEClient" : undefined;
  if (c.ipxe && cfg.httpUrl === undefined)
    return { file: scriptTftpName(c), vendorClass: vc, transport: "tftp" };
  if (c.ipxe && cfg.httpUrl !== undefined)
    return { file: scriptUrl(cfg.httpUrl, c), vendorClass: vc, transport: "http" };
  const efiProgram = (): string | undefined => {
    if (c.cpu === "x86_64") return ["ipxe.efi", "snponly.efi"].find((f) => cfg.tree.has(f));
    if (c.cpu === "arm64") return ARM64_PROGRAMS.find((f) => cfg.tree.has(f));
    return undefined;
  };
  if (c.kind === "http") {
    const p = cfg.httpUrl === undefined ? undefined : efiProgram();
    return p
      ? { file: `${cfg.httpUrl}/${p}`, vendorClass: "HTTPClient", transport: "http" }
      : undefined;
  }
  if (c.kind === "pxe") {
    const p =
      c.firmware === "bios"
        ? cfg.tree.has("undionly.kpxe")
          ? "undionly.kpxe"
          : undefined
        : efiProgram();
    return p ? { file: p, vendorClass: "PXEClient", transport: "tftp" } : undefined;
  }
  return undefined;
}

function replyDestination(
  m: DhcpMessage,
  via: "dhcp" | "pxe",
  from: Destination,
  clientPort: number,
  serverPort: number,
): Destination {
  if (m.giaddr !== "0.0.0.0") return { address: m.giaddr, port: serverPort };
  if (via === "pxe") return from;
  if (m.ciaddr !== "0.0.0.0") return { address: m.ciaddr, port: clientPort };
  return { address: "255.255.255.255", port: clientPort };
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
  if (
    cfg.mode === "full" &&
    m.giaddr !== "0.0.0.0" &&
    !inSubnet(m.giaddr, cfg.serverIp, cfg.prefix)
  ) {
    return drop(`relay ${m.giaddr} is outside ${cfg.serverIp}/${cfg.prefix}`);
  }
  const boot = chooseBoot(c, cfg);
  if (boot) log.file = boot.file;
  const serverId = optIp(m.options.get(54));

  const common = (type: number): Array<[number, Uint8Array]> => [
    [53, Uint8Array.of(type)],
    [54, ipBytes(cfg.serverIp)],
  ];
  const bootOptions = (proxy: boolean): Array<[number, Uint8Array]> => {
    const o: Array<[number, Uint8Array]> = [];
    if (boot?.vendorClass) o.push([60, ascii(boot.vendorClass)]);
    if (proxy && c.uuidRaw) o.push([97, c.uuidRaw]);
    if (boot && proxy && c.kind === "pxe" && c.firmware === "bios" && !c.ipxe) {
      // PXE discovery control 8: boot the file in this offer, no menu, no boot server discovery.
      o.push([43, Uint8Array.of(6, 1, 8, 255)]);
    }
    if (boot && (boot.file.length > 127 || m.options.get(55)?.includes(67)))
      o.push([67, ascii(boot.file)]);
    if (!proxy && c.ipxe && cfg.ipxeNoProxyWait !== false) o.push([175, Uint8Array.of(176, 1, 1)]);
    return o;
  };
  const relayEcho = (): Array<[number, Uint8Array]> => {
    const o82 = m.options.get(82);
    return o82 ? [[82, o82]] : [];
  };
  const build = (
    yiaddr: string | undefined,
    opts: Array<[number, Uint8Array]>,
    withBoot: boolean,
  ): Uint8Array =>
    encodeDhcpReply({
      xid: m.xid,
      flags: m.flags,
      chaddr: m.chaddr,
      htype: m.htype,
      giaddr: m.giaddr,
      ...(yiaddr === undefined ? {} : { yiaddr }),
      siaddr: cfg.serverIp,
      ...(withBoot && boot && boot.file.length <= 127 ? { file: boot.file } : {}),
      options: [...opts, ...relayEcho()],
    });
  const out = (
    reply: Uint8Array,
    to: Destination,
    rtype: number,
    extra: Record<string, string | undefined> = {},
  ): DhcpOutcome => ({
    kind: "reply",
    reply,
    to,
    log: { ...log, reply: NAMES[rtype], to: `${to.address}:${to.port}`, ...extra },
  });

  // ---- port 4011: ProxyDHCP REQUEST / boot server discovery (both modes) ------------------
  if (via === "pxe") {
    if (t !== MsgType.REQUEST && t !== MsgType.INFORM) return drop("only REQUEST/INFORM on 4011");
    if (c.kind === "other") return drop("not a PXE client");
    if (!boot) return drop("no boot program for this client");
    const o43 = m.options.get(43);
    const item = o43 ? findSub(o43, 71) : undefined;
    const opts = [...common(MsgType.ACK), ...bootOptions(true)];
    if (item) opts.push([43, Uint8Array.of(71, item.length, ...item, 255)]);
    // A boot-server-discovery ACK hands the client its own address back as yiaddr.
    const reply = build(item ? m.ciaddr : "0.0.0.0", opts, true);
    return out(reply, replyDestination(m, via, from, ports.client, ports.server), MsgType.ACK);
  }

  // ---- proxy mode on port 67: PXE clients only, no addresses ---------------------------------
  if (cfg.mode === "proxy") {
    if (c.kind === "other") return drop("not a PXE client (proxy mode)");
    if (!boot) return drop("no boot program for this client");
    if (t === MsgType.DISCOVER || (t === MsgType.REQUEST && serverId === cfg.serverIp)) {
      const type = t === MsgType.DISCOVER ? MsgType.OFFER : MsgType.ACK;
      // EFI PXE clients get no file here and ask on port 4011 (some UEFI firmware ignores a
      // ProxyDHCP offer that bypasses boot server discovery); everyone else gets it at once.
      const withFile = !(c.kind === "pxe" && !c.ipxe && c.firmware === "uefi");
      const reply = build("0.0.0.0", [...common(type), ...bootOptions(true)], withFile);
      return out(reply, replyDestination(m, via, from, ports.client, ports.server), type);
    }
    return drop("not for the proxy");
  }

  // ---- full mode on port 67 ------------------------------------------------------------------
  const leases = cfg.leases;
  if (!leases) return drop("no address pool");
  const leaseSeconds = cfg.leaseSeconds ?? 3600;
  const addrOptions = (): Array<[number, Uint8Array]> => {
    const o: Array<[number, Uint8Array]> = [
      [51, u32(leaseSeconds)],
      [58, u32(Math.floor(leaseSeconds / 2))],
      [59, u32(Math.floor((leaseSeconds * 7) / 8))],
      [1, ipBytes(cfg.netmask)],
    ];
    if (cfg.router) o.push([3, ipBytes(cfg.router)]);
    if (cfg.dns && cfg.dns.length > 0) {
      const b = new Uint8Array(cfg.dns.length * 4);
      for (const [i, d] of cfg.dns.entries()) b.set(ipBytes(d), i * 4);
      o.push([6, b]);
    }
    return o;
  };
  switch (t) {
    case MsgType.DISCOVER: {
      const ip = leases.pick(c.mac, optIp(m.options.get(50)), now);
      if (!ip) return drop("address pool exhausted");
      const reply = build(
        ip,
        [...common(MsgType.OFFER), ...addrOptions(), ...bootOptions(false)],
        true,
      );
      return out(reply, replyDestination(m, via, from, ports.client, ports.server), MsgType.OFFER, {
        yiaddr: ip,
      });
    }
    case MsgType.REQUEST: {
      if (serverId !== undefined && serverId !== cfg.serverIp) {
        return drop(`client chose server ${serverId}`);
      }
      const wanted = optIp(m.options.get(50)) ?? (m.ciaddr !== "0.0.0.0" ? m.ciaddr : undefined);
      const nak = (why: string): DhcpOutcome => {
        const reply = encodeDhcpReply({
          xid: m.xid,
          flags: m.flags | 0x8000,
          chaddr: m.chaddr,
          htype: m.htype,
          giaddr: m.giaddr,
          options: [...common(MsgType.NAK), [56, ascii(why)], ...relayEcho()],
        });
        const to =
          m.giaddr !== "0.0.0.0"
            ? { address: m.giaddr, port: ports.server }
            : { address: "255.255.255.255", port: ports.client };
        return out(reply, to, MsgType.NAK, { nak: why });
      };
      if (!wanted) return nak("no requested address");
      if (!inSubnet(wanted, cfg.serverIp, cfg.prefix)) return nak("wrong network");
      if (!leases.inPool(wanted)) {
        // INIT-REBOOT for an address we do not manage: stay silent unless we were asked.
        if (serverId === undefined) return drop(`requested ${wanted} is outside the pool`);
        return nak("address not available");
      }
      if (!leases.commit(c.mac, wanted, now, leaseSeconds)) return nak("address in use");
      const reply = build(
        wanted,
        [...common(MsgType.ACK), ...addrOptions(), ...bootOptions(false)],
        true,
      );
      return out(reply, replyDestination(m, via, from, ports.client, ports.server), MsgType.ACK, {
        yiaddr: wanted,
      });
    }
    case MsgType.RELEASE:
    case MsgType.DECLINE:
      if (serverId === cfg.serverIp) leases.release(c.mac);
      return drop("released");
    default:
      return drop(`message type ${t} not served`);
  }
}

/** Finds a PXE sub-option (option 43) by code. */
function findSub(o43: Uint8Array, code: number): Uint8Array | undefined {
  let i = 0;
  while (i < o43.length) {
    const c = o43[i] ?? 255;
    if (c === 255) return undefined;
    if (c === 0) {
      i++;
      continue;
    }
    const n = o43[i + 1] ?? 0;
    if (i + 2 + n > o43.length) return undefined;
    if (c === code) return o43.subarray(i + 2, i + 2 + n);
    i += 2 + n;
  }
  return undefined;
}

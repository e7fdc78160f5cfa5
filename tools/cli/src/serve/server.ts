/**
 * `pxe serve`: one process answering DHCP (full or proxy) on 67, PXE boot server requests on
 * 4011, TFTP and HTTP, composed from the pieces in this folder. {@link startServe} is what the
 * command and the tests call.
 */
import { createSocket, type Socket } from "node:dgram";
import { readFileSync } from "node:fs";
import {
  answerDhcp,
  type DhcpPolicyConfig,
  parseScriptTftpName,
  uefiX64Program,
} from "./dhcp-policy.js";
import { decodeDhcp } from "./dhcp-wire.js";
import { FileTree } from "./files.js";
import { type HttpServerHandle, startHttp } from "./http.js";
import { startRouterAdvertiser } from "./ipv6-ra.js";
import { LeaseStore } from "./leases.js";
import { Logger, type LogSink } from "./log.js";
import {
  findBootEntries,
  generateScript,
  loadPxelinuxMenu,
  PXELINUX_DEFAULT,
  type PxelinuxMenu,
  pxelinuxScript,
} from "./script.js";
import { startTftp, type TftpHandle } from "./tftp.js";

/** Everything `pxe serve` can be told. */
export interface ServeOptions {
  /** Folder to serve (undefined: the built-in root, i.e. Debian's iPXE binaries and a generated menu). */
  root: string | undefined;
  /** Address to serve on (TFTP, HTTP, server identifier). */
  address: string;
  /** Subnet of the served interface (prefix length and netmask). */
  prefix: number;
  netmask: string;
  /** DHCP: off, full (with `range`) or proxy. */
  dhcp: "off" | "full" | "proxy";
  range?: [string, string] | undefined;
  /** The pool's subnet when `range` lies behind a DHCP relay (see {@link DhcpPolicyConfig.poolSubnet}). */
  poolSubnet?: DhcpPolicyConfig["poolSubnet"];
  leaseFile?: string | undefined;
  leaseSeconds?: number | undefined;
  router?: string | undefined;
  dns?: string[] | undefined;
  /** Ports (defaults 67, 68, 4011, 69, 8080). */
  dhcpPort?: number;
  dhcpClientPort?: number;
  pxePort?: number;
  tftpPort?: number;
  httpPort?: number;
  /** Serve TFTP (default true). */
  tftp?: boolean;
  /** Serve HTTP (default true); off: iPXE gets its script and files over TFTP. */
  http?: boolean;
  /** The user's iPXE script, handed to iPXE clients as it is. */
  scriptFile?: string | undefined;
  /** Base URL for kernels and images in generated scripts (default: this server's HTTP URL). */
  httpBaseUrl?: string | undefined;
  /** Kernel command line added by generated scripts. */
  append?: string | undefined;
  /**
   * Also bind 0.0.0.0 on the DHCP port to receive broadcasts (default true). Tests on loopback
   * turn it off and talk to `address` directly.
   */
  bindAny?: boolean;
  /** See {@link DhcpPolicyConfig.ipxeNoProxyWait}. */
  ipxeNoProxyWait?: boolean;
  /** See {@link DhcpPolicyConfig.uefiX64Program} (`--uefi-program`). */
  uefiX64Program?: string | undefined;
  /** See {@link DhcpPolicyConfig.uefiBypassDiscovery} (`--uefi-discovery` turns it off). */
  uefiBypassDiscovery?: boolean;
  /**
   * `--ipv6-ra`: answer IPv6 router solicitations on this interface with an RA of router
   * lifetime 0, no prefix, M/O clear (radvd), so iPXE does not wait ~13 s for them to time out.
   * NOT safe on a network with its own IPv6 routers. See `ipv6-ra.ts`.
   */
  ipv6RaInterface?: string | undefined;
  /** Log sink (default: stdout). */
  log?: LogSink;
}

/** Counters of a running server. */
export interface ServeStats {
  dhcpReplies: number;
  dhcpDropped: number;
  dhcpMalformed: number;
}

/** A running `pxe serve`. */
export interface ServeHandle {
  httpUrl: string | undefined;
  ports: { dhcp?: number; pxe?: number; tftp?: number; http?: number };
  stats: ServeStats;
  http: HttpServerHandle | undefined;
  tftp: TftpHandle | undefined;
  leases: LeaseStore | undefined;
  close(): Promise<void>;
}

function bindUdp(port: number, address: string, reuse: boolean): Promise<Socket> {
  return new Promise((res, rej) => {
    const s = createSocket({ type: "udp4", reuseAddr: reuse });
    s.once("error", rej);
    s.bind(port, address, () => {
      s.off("error", rej);
      s.on("error", () => {});
      res(s);
    });
  });
}

/** Starts every service asked for; rejects (closing what was started) when one cannot start. */
export async function startServe(o: ServeOptions): Promise<ServeHandle> {
  const logger = new Logger(o.log ?? ((l) => process.stdout.write(`${l}\n`)));
  const tree = new FileTree(o.root);
  const closers: Array<() => Promise<void>> = [];
  const closeAll = async () => {
    for (const c of closers.reverse()) await c().catch(() => {});
  };
  const stats: ServeStats = { dhcpReplies: 0, dhcpDropped: 0, dhcpMalformed: 0 };
  try {
    const userScript = o.scriptFile === undefined ? undefined : readFileSync(o.scriptFile, "utf8");
    let httpUrl: string | undefined;
    let pxelinuxMenu: PxelinuxMenu | undefined;
    const baseUrl = (): string =>
      o.httpBaseUrl ?? (httpUrl === undefined ? `tftp://${o.address}` : "");
    const script = (
      mac: string | undefined,
      arch: number | undefined,
      uuid: string | undefined,
    ): string => {
      if (userScript !== undefined) return userScript;
      if (pxelinuxMenu) return pxelinuxScript({ mac, arch, uuid }, pxelinuxMenu);
      return generateScript(
        { mac, arch, uuid },
        {
          entries: o.root ? findBootEntries(o.root) : [],
          baseUrl: baseUrl(),
          append: o.append ?? "",
        },
      );
    };
    let http: HttpServerHandle | undefined;
    if (o.http !== false) {
      const h = await startHttp({
        tree,
        address: o.address,
        port: o.httpPort ?? 8080,
        script: (q) => {
          const arch = q.get("arch");
          return script(
            q.get("mac") ?? undefined,
            arch && /^\d+$/.test(arch) ? Number(arch) : undefined,
            q.get("uuid") ?? undefined,
          );
        },
        onRequest: (l) => logger.log("http", { ...l }),
      });
      closers.push(() => h.close());
      http = h;
      httpUrl = `http://${o.address}:${h.port}`;
    }

    // A PXELINUX menu in the root (read once, at start) replaces the generated one.
    if (userScript === undefined && o.root) {
      pxelinuxMenu = await loadPxelinuxMenu(o.root, baseUrl());
      if (pxelinuxMenu) {
        logger.log("script", { source: PXELINUX_DEFAULT, converted: "ipxe" });
        for (const note of pxelinuxMenu.notes) logger.log("script", { note });
      }
    }

    if (o.ipv6RaInterface !== undefined) {
      const iface = o.ipv6RaInterface;
      const ra = await startRouterAdvertiser({
        iface,
        onLog: (line) => logger.log("ipv6-ra", { line }),
      });
      closers.push(() => ra.close());
      logger.log("ipv6-ra", { iface, pid: ra.pid, lifetime: 0, prefixes: 0, flags: "none" });
    }

    let tftp: TftpHandle | undefined;
    if (o.tftp !== false) {
      tftp = await startTftp({
        tree,
        address: o.address,
        port: o.tftpPort ?? 69,
        onTransfer: (t) => logger.log("tftp", { ...t }),
        virtual: (name) => {
          const p = parseScriptTftpName(name);
          return p ? new TextEncoder().encode(script(p.mac, p.arch, undefined)) : undefined;
        },
      });
      const t = tftp;
      closers.push(() => t.close());
    }

    let leases: LeaseStore | undefined;
    const ports: ServeHandle["ports"] = {};
    if (http) ports.http = http.port;
    if (tftp) ports.tftp = tftp.port;
    if (o.dhcp !== "off") {
      if (o.dhcp === "full") {
        if (!o.range) throw new Error("full DHCP needs --range START-END");
        leases = new LeaseStore(o.range, o.leaseFile);
      }
      const cfg: DhcpPolicyConfig = {
        mode: o.dhcp,
        serverIp: o.address,
        prefix: o.prefix,
        netmask: o.netmask,
        httpUrl,
        tree,
        leases,
        leaseSeconds: o.leaseSeconds ?? 3600,
        router: o.router,
        dns: o.dns,
        ...(o.ipxeNoProxyWait === undefined ? {} : { ipxeNoProxyWait: o.ipxeNoProxyWait }),
        uefiX64Program: o.uefiX64Program,
        ...(o.uefiBypassDiscovery === undefined
          ? {}
          : { uefiBypassDiscovery: o.uefiBypassDiscovery }),
        poolSubnet: o.poolSubnet,
      };
      const dhcpPort = o.dhcpPort ?? 67;
      const clientPort = o.dhcpClientPort ?? 68;
      // Node cannot bind to a device. 0.0.0.0:67 receives the broadcasts; a second socket on the
      // interface's own address (same port, SO_REUSEADDR) receives unicasts and sends every
      // reply, so replies (even to 255.255.255.255) leave by the interface owning that address.
      const any = o.bindAny === false ? undefined : await bindUdp(dhcpPort, "0.0.0.0", true);
      if (any) closers.push(() => new Promise((r) => any.close(() => r())));
      const own = o.address === "0.0.0.0" && any ? any : await bindUdp(dhcpPort, o.address, true);
      if (own !== any) closers.push(() => new Promise((r) => own.close(() => r())));
      own.setBroadcast(true);
      const pxe = await bindUdp(o.pxePort ?? 4011, o.address, true);
      closers.push(() => new Promise((r) => pxe.close(() => r())));
      ports.dhcp = own.address().port;
      ports.pxe = pxe.address().port;
      const handle =
        (via: "dhcp" | "pxe", sendOn: Socket) =>
        (msg: Buffer, rinfo: { address: string; port: number }) => {
          const t0 = Date.now();
          try {
            const m = decodeDhcp(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength));
            const r = answerDhcp(
              m,
              via,
              { address: rinfo.address, port: rinfo.port },
              cfg,
              Date.now(),
              {
                server: ports.dhcp ?? dhcpPort,
                client: clientPort,
              },
            );
            if (r.kind === "reply") {
              stats.dhcpReplies++;
              sendOn.send(r.reply, r.to.port, r.to.address);
              logger.log("dhcp", { ...r.log, ms: Date.now() - t0 });
            } else {
              stats.dhcpDropped++;
              // Requests of clients we do not boot are normal traffic in proxy mode: log quietly.
              logger.log("dhcp-ignored", { ...r.log, from: rinfo.address });
            }
          } catch (e) {
            stats.dhcpMalformed++;
            logger.log("dhcp-malformed", {
              from: `${rinfo.address}:${rinfo.port}`,
              bytes: msg.length,
              error: (e as Error).message,
            });
          }
        };
      any?.on("message", handle("dhcp", own));
      if (own !== any) own.on("message", handle("dhcp", own));
      pxe.on("message", handle("pxe", pxe));
    }
    logger.log("listening", {
      address: o.address,
      http: httpUrl ?? "off",
      tftp: tftp ? tftp.port : "off",
      dhcp: o.dhcp === "off" ? "off" : `${o.dhcp}:${ports.dhcp}+${ports.pxe}`,
      root: o.root ?? "built-in",
      uefi: uefiX64Program(tree, o.uefiX64Program) ?? "none",
    });
    return {
      httpUrl,
      ports,
      stats,
      http,
      tftp,
      leases,
      close: closeAll,
    };
  } catch (e) {
    await closeAll();
    throw e;
  }
}

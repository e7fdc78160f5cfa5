/**
 * The UEFI boot-time choices and the relayed-subnet pool of `pxe serve`: which x86-64 UEFI
 * program is served (snponly.efi before ipxe.efi, the root before Debian's folder, or the one
 * named), option 43 {6: 8} for UEFI PXE clients in full mode (no BINL round on 4011), and
 * `--range START-END/PREFIX` for a subnet behind a DHCP relay.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveServeOptions } from "../src/serve/config.js";
import {
  answerDhcp,
  type DhcpOutcome,
  type DhcpPolicyConfig,
  uefiX64Program,
} from "../src/serve/dhcp-policy.js";
import { type DhcpMessage, decodeDhcp } from "../src/serve/dhcp-wire.js";
import { FileTree } from "../src/serve/files.js";
import { LeaseStore } from "../src/serve/leases.js";
import {
  type ClientOptions,
  clientRequest,
  HTTP_EFI,
  IPXE,
  PXE_BIOS,
  PXE_EFI,
} from "./dhcp-client.js";

const dirs: string[] = [];
function tmp(files: string[] = []): string {
  const d = mkdtempSync(join(tmpdir(), "pxe-serve-uefi-"));
  dirs.push(d);
  for (const f of files) writeFileSync(join(d, f), f);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A client request (x86-64 UEFI test client's xid and MAC), decoded. */
function request(type: number, opts: ClientOptions, giaddr = [0, 0, 0, 0]) {
  return decodeDhcp(
    clientRequest(type, opts, {
      xid: [0x12, 0x34, 0x56, 0x78],
      mac: Uint8Array.of(0x52, 0x54, 0, 0x88, 0, 0x20),
      giaddr,
    }),
  );
}
const IPXE_EFI: ClientOptions = [...PXE_EFI, ...IPXE];

function reply(o: DhcpOutcome): { m: DhcpMessage; to: { address: string; port: number } } {
  if (o.kind !== "reply") throw new Error(`dropped: ${o.reason}`);
  return { m: decodeDhcp(o.reply), to: o.to };
}
const hex = (b: Uint8Array | undefined) => (b ? Buffer.from(b).toString("hex") : undefined);

describe("x86-64 UEFI boot program", () => {
  it("prefers snponly.efi, the root's programs before the fallback folder's, or the one named", () => {
    const debian = tmp(["snponly.efi", "ipxe.efi"]);
    // nothing in the root: the fallback folder's snponly.efi
    expect(uefiX64Program(new FileTree(tmp(), debian))).toBe("snponly.efi");
    // only ipxe.efi in the fallback: ipxe.efi
    expect(uefiX64Program(new FileTree(tmp(), tmp(["ipxe.efi"])))).toBe("ipxe.efi");
    // the root holds ipxe.efi only: what the user put there wins over Debian's snponly.efi
    expect(uefiX64Program(new FileTree(tmp(["ipxe.efi"]), debian))).toBe("ipxe.efi");
    // the root holds both: snponly.efi
    expect(uefiX64Program(new FileTree(tmp(["ipxe.efi", "snponly.efi"]), debian))).toBe(
      "snponly.efi",
    );
    // named: that one, when it can be served
    expect(uefiX64Program(new FileTree(tmp(), debian), "ipxe.efi")).toBe("ipxe.efi");
    expect(uefiX64Program(new FileTree(tmp(["my.efi"]), debian), "my.efi")).toBe("my.efi");
    expect(uefiX64Program(new FileTree(tmp(), debian), "missing.efi")).toBeUndefined();
    expect(uefiX64Program(new FileTree(tmp(), tmp()))).toBeUndefined();
  });

  it("is what PXE and HTTP boot clients are sent, and --uefi-program is checked at start", () => {
    const root = tmp(["undionly.kpxe", "ipxe.efi", "snponly.efi"]);
    const cfg: DhcpPolicyConfig = {
      mode: "proxy",
      serverIp: "10.88.0.1",
      prefix: 24,
      netmask: "255.255.255.0",
      httpUrl: "http://10.88.0.1:8080",
      tree: new FileTree(root, "/nonexistent"),
    };
    const pxe = (c: DhcpPolicyConfig) =>
      reply(answerDhcp(request(3, PXE_EFI), "pxe", { address: "10.88.0.100", port: 4011 }, c, 0)).m
        .file;
    expect(pxe(cfg)).toBe("snponly.efi");
    expect(pxe({ ...cfg, uefiX64Program: "ipxe.efi" })).toBe("ipxe.efi");
    const full = {
      ...cfg,
      mode: "full" as const,
      leases: new LeaseStore(["10.88.0.100", "10.88.0.109"], join(root, "l.json")),
    };
    const http = reply(
      answerDhcp(request(1, HTTP_EFI), "dhcp", { address: "0.0.0.0", port: 68 }, full, 0),
    );
    expect(http.m.file).toBe("http://10.88.0.1:8080/snponly.efi");
    expect(() => resolveServeOptions({ root, uefiProgram: "nope.efi" }, true)).toThrow(
      /--uefi-program nope\.efi: not found/,
    );
    expect(resolveServeOptions({ root, uefiProgram: "ipxe.efi" }, true).uefiX64Program).toBe(
      "ipxe.efi",
    );
  });
});

describe("full mode: UEFI PXE clients boot the offer's file (43 = {6: 8}), no 4011 round", () => {
  const root = tmp(["undionly.kpxe", "snponly.efi"]);
  const cfg = (extra: Partial<DhcpPolicyConfig> = {}): DhcpPolicyConfig => ({
    mode: "full",
    serverIp: "10.88.0.1",
    prefix: 24,
    netmask: "255.255.255.0",
    httpUrl: "http://10.88.0.1:8080",
    tree: new FileTree(root, "/nonexistent"),
    leases: new LeaseStore(["10.88.0.100", "10.88.0.109"], join(tmp(), "l.json")),
    ...extra,
  });
  const FROM = { address: "0.0.0.0", port: 68 };

  it("adds 43 {6: 8} to the OFFER and ACK of a UEFI PXE ROM, before option 82", () => {
    const c = cfg();
    const o82 = Uint8Array.of(1, 2, 0x76, 0x63);
    const offer = reply(
      answerDhcp(request(1, [...PXE_EFI, [82, o82]], [10, 88, 0, 254]), "dhcp", FROM, c, 0),
    );
    expect(hex(offer.m.options.get(43))).toBe("060108ff");
    expect(offer.m.file).toBe("snponly.efi");
    expect(new TextDecoder().decode(offer.m.options.get(60))).toBe("PXEClient");
    const codes = [...offer.m.options.keys()];
    expect(codes[codes.length - 1]).toBe(82);
    const ack = reply(
      answerDhcp(
        request(3, [
          ...PXE_EFI,
          [50, Uint8Array.of(10, 88, 0, 100)],
          [54, Uint8Array.of(10, 88, 0, 1)],
        ]),
        "dhcp",
        FROM,
        c,
        0,
      ),
    );
    expect(hex(ack.m.options.get(43))).toBe("060108ff");
  });

  it("leaves iPXE, HTTP boot and (with --uefi-discovery) UEFI PXE without it; BIOS keeps its own", () => {
    expect(reply(answerDhcp(request(1, IPXE_EFI), "dhcp", FROM, cfg(), 0)).m.options.has(43)).toBe(
      false,
    );
    expect(reply(answerDhcp(request(1, HTTP_EFI), "dhcp", FROM, cfg(), 0)).m.options.has(43)).toBe(
      false,
    );
    expect(
      reply(
        answerDhcp(request(1, PXE_EFI), "dhcp", FROM, cfg({ uefiBypassDiscovery: false }), 0),
      ).m.options.has(43),
    ).toBe(false);
    expect(resolveServeOptions({ uefiDiscovery: true }, true).uefiBypassDiscovery).toBe(false);
    expect(resolveServeOptions({}, true).uefiBypassDiscovery).toBe(true);
    const bios = reply(answerDhcp(request(1, PXE_BIOS), "dhcp", FROM, cfg(), 0)).m;
    expect(hex(bios.options.get(43))).toBe("060108ff");
  });
});

describe("--range START-END/PREFIX: a pool behind a DHCP relay", () => {
  const root = tmp(["undionly.kpxe"]);
  const pool = { network: "10.99.0.0", prefix: 24, netmask: "255.255.255.0" };
  const cfg = (extra: Partial<DhcpPolicyConfig> = {}): DhcpPolicyConfig => ({
    mode: "full",
    serverIp: "10.77.0.1",
    prefix: 24,
    netmask: "255.255.255.0",
    httpUrl: undefined,
    tree: new FileTree(root, "/nonexistent"),
    leases: new LeaseStore(["10.99.0.100", "10.99.0.109"], join(tmp(), "l.json")),
    poolSubnet: pool,
    ...extra,
  });
  const FROM = { address: "10.77.0.254", port: 67 };

  it("answers requests relayed from that subnet: its mask, the relay as router, to giaddr:67", () => {
    const o82 = Uint8Array.of(1, 2, 0x76, 0x63);
    const r = reply(
      answerDhcp(request(1, [...PXE_BIOS, [82, o82]], [10, 99, 0, 1]), "dhcp", FROM, cfg(), 0),
    );
    expect(r.to).toEqual({ address: "10.99.0.1", port: 67 });
    expect(r.m.yiaddr).toBe("10.99.0.100");
    expect(r.m.siaddr).toBe("10.77.0.1");
    expect(hex(r.m.options.get(1))).toBe("ffffff00");
    expect(hex(r.m.options.get(3))).toBe("0a630001");
    expect(hex(r.m.options.get(82))).toBe(hex(o82));
    // --router wins over giaddr
    const r2 = reply(
      answerDhcp(
        request(1, PXE_BIOS, [10, 99, 0, 1]),
        "dhcp",
        FROM,
        cfg({ router: "10.99.0.254" }),
        0,
      ),
    );
    expect(hex(r2.m.options.get(3))).toBe("0a6300fe");
    // a REQUEST for an address of the pool is ACKed; one of another network is NAKed
    const ack = reply(
      answerDhcp(
        request(
          3,
          [...PXE_BIOS, [50, Uint8Array.of(10, 99, 0, 100)], [54, Uint8Array.of(10, 77, 0, 1)]],
          [10, 99, 0, 1],
        ),
        "dhcp",
        FROM,
        cfg(),
        0,
      ),
    );
    expect(ack.m.options.get(53)?.[0]).toBe(5);
    const nak = reply(
      answerDhcp(
        request(
          3,
          [...PXE_BIOS, [50, Uint8Array.of(10, 77, 0, 50)], [54, Uint8Array.of(10, 77, 0, 1)]],
          [10, 99, 0, 1],
        ),
        "dhcp",
        FROM,
        cfg(),
        0,
      ),
    );
    expect(nak.m.options.get(53)?.[0]).toBe(6);
    expect(nak.to).toEqual({ address: "10.99.0.1", port: 67 });
  });

  it("answers a client renewing straight to it (ciaddr, no giaddr) once it knows the relay", () => {
    const renew = request(3, PXE_BIOS);
    // ciaddr = 10.99.0.100 (RENEWING: unicast to the server, no giaddr, no option 50/54)
    const c = cfg();
    const fromClient = { address: "10.99.0.100", port: 68 };
    const withCiaddr = (m: DhcpMessage): DhcpMessage => ({ ...m, ciaddr: "10.99.0.100" });
    const before = answerDhcp(withCiaddr(renew), "dhcp", fromClient, c, 0);
    expect(before.kind === "drop" && before.reason).toMatch(/no router known/);
    reply(answerDhcp(request(1, PXE_BIOS, [10, 99, 0, 1]), "dhcp", FROM, c, 0));
    const after = reply(answerDhcp(withCiaddr(renew), "dhcp", fromClient, c, 0));
    expect(after.m.options.get(53)?.[0]).toBe(5);
    expect(after.to).toEqual({ address: "10.99.0.100", port: 68 });
    expect(hex(after.m.options.get(3))).toBe("0a630001");
  });

  it("drops local broadcasts and requests relayed from other subnets", () => {
    const local = answerDhcp(
      request(1, PXE_BIOS),
      "dhcp",
      { address: "0.0.0.0", port: 68 },
      cfg(),
      0,
    );
    expect(local.kind === "drop" && local.reason).toMatch(/not relayed/);
    const other = answerDhcp(request(1, PXE_BIOS, [10, 98, 0, 1]), "dhcp", FROM, cfg(), 0);
    expect(other.kind === "drop" && other.reason).toMatch(/outside 10\.99\.0\.0\/24/);
  });

  it("parses START-END/PREFIX and refuses what cannot be a relayed pool", () => {
    const o = resolveServeOptions({ interface: "lo", range: "10.99.0.100-10.99.0.199/24" }, true);
    expect(o.range).toEqual(["10.99.0.100", "10.99.0.199"]);
    expect(o.poolSubnet).toEqual(pool);
    // inside the interface's subnet: the interface's own pool, no relay subnet
    expect(
      resolveServeOptions({ interface: "lo", range: "127.0.0.10-127.0.0.20" }, true).poolSubnet,
    ).toBeUndefined();
    expect(() =>
      resolveServeOptions({ interface: "lo", range: "10.99.0.100-10.99.0.199" }, true),
    ).toThrow(/behind a DHCP relay give its prefix length/);
    expect(() =>
      resolveServeOptions({ interface: "lo", range: "10.99.0.100-10.99.1.1/24" }, true),
    ).toThrow(/not in one \/24 subnet/);
    expect(() =>
      resolveServeOptions({ interface: "lo", range: "10.99.0.100-10.99.0.199/33" }, true),
    ).toThrow(/PREFIX 8-30/);
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isDhcpError } from "@pxe/dhcp";
import { encodeReply } from "@pxe/pxe-options";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { classify } from "../src/serve/classify.js";
import {
  answerDhcp,
  chooseBoot,
  type DhcpPolicyConfig,
  parseScriptTftpName,
  scriptTftpName,
} from "../src/serve/dhcp-policy.js";
import { type DhcpMessage, DhcpWireError, decodeDhcp } from "../src/serve/dhcp-wire.js";
import { FileTree } from "../src/serve/files.js";
import { LeaseStore } from "../src/serve/leases.js";
import { findBootEntries, generateScript } from "../src/serve/script.js";
import {
  type ClientOptions,
  clientRequest,
  enc,
  HTTP_EFI,
  IPXE,
  PXE_BIOS,
  PXE_EFI as PXE_EFI_ARCH,
} from "./dhcp-client.js";

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "pxe-serve-test-"));
  dirs.push(d);
  return d;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The test client's MAC (clientRequest's default). */
const MAC = Uint8Array.of(0x52, 0x54, 0, 0x88, 0, 0x10);
const PXE_EFI: ClientOptions = [
  ...PXE_EFI_ARCH,
  [97, Uint8Array.of(0, ...Array.from({ length: 16 }, (_, i) => i))],
];
const IPXE_BIOS: ClientOptions = [...PXE_BIOS, ...IPXE];
const request = clientRequest;

function opt(m: DhcpMessage, code: number): string | undefined {
  const v = m.options.get(code);
  return v ? new TextDecoder("latin1").decode(v) : undefined;
}

function config(mode: "full" | "proxy", root?: string): DhcpPolicyConfig {
  const r = root ?? tmp();
  writeFileSync(join(r, "undionly.kpxe"), "x");
  writeFileSync(join(r, "ipxe.efi"), "x");
  return {
    mode,
    serverIp: "10.88.0.1",
    prefix: 24,
    netmask: "255.255.255.0",
    httpUrl: "http://10.88.0.1:8080",
    tree: new FileTree(r, "/nonexistent"),
    leases:
      mode === "full"
        ? new LeaseStore(["10.88.0.100", "10.88.0.109"], join(r, "leases.json"))
        : undefined,
  };
}
const FROM = { address: "0.0.0.0", port: 68 };

function reply(o: ReturnType<typeof answerDhcp>): {
  m: DhcpMessage;
  to: { address: string; port: number };
} {
  if (o.kind !== "reply") throw new Error(`dropped: ${o.reason}`);
  return { m: decodeDhcp(o.reply), to: o.to };
}

describe("DHCP wire (requests read with @pxe/dhcp, replies encoded by @pxe/pxe-options)", () => {
  it("never throws anything but a typed error with an offset on arbitrary bytes", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), (b) => {
        try {
          decodeDhcp(b);
        } catch (e) {
          expect(e instanceof DhcpWireError || isDhcpError(e)).toBe(true);
          expect((e as { offset: number }).offset).toBeGreaterThanOrEqual(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
  it("decodes what it encodes (options split at 255 bytes are joined again)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.array(fc.tuple(fc.integer({ min: 1, max: 254 }), fc.uint8Array({ maxLength: 600 })), {
          maxLength: 6,
        }),
        (xid, opts) => {
          const uniq = new Map(opts.filter(([c]) => c !== 52));
          const b = encodeReply({
            op: 2,
            htype: 1,
            hlen: 6,
            xid,
            flags: 0,
            ciaddr: "0.0.0.0",
            yiaddr: "10.1.2.3",
            siaddr: "0.0.0.0",
            giaddr: "0.0.0.0",
            chaddr: MAC,
            sname: "",
            file: "",
            options: [...uniq].map(([code, data]) => ({ code, data })),
            destination: { address: "255.255.255.255", port: 68, broadcast: true },
          });
          const m = decodeDhcp(b);
          expect(m.xid).toBe(xid);
          expect(m.yiaddr).toBe("10.1.2.3");
          for (const [c, v] of uniq) expect(m.options.get(c) ?? new Uint8Array()).toEqual(v);
        },
      ),
      { numRuns: 300 },
    );
  });
  it("reads a truncated option leniently (dropped, not thrown) and names the offset of a short header", () => {
    const b = request(1, []);
    const cut = b.subarray(0, 241); // option 53's length byte is gone
    expect(decodeDhcp(cut).options.has(53)).toBe(false);
    expect(answerDhcp(decodeDhcp(cut), "dhcp", FROM, config("full"), 0)).toMatchObject({
      kind: "drop",
    });
    expect(() => decodeDhcp(b.subarray(0, 100))).toThrow(expect.objectContaining({ offset: 100 }));
  });
});

describe("classification and boot file choice", () => {
  const cfg = config("full");
  it("chainloads plain PXE ROMs into iPXE by architecture", () => {
    expect(chooseBoot(classify(decodeDhcp(request(1, PXE_BIOS))), cfg)?.file).toBe("undionly.kpxe");
    expect(chooseBoot(classify(decodeDhcp(request(1, PXE_EFI))), cfg)?.file).toBe("ipxe.efi");
    const arm = classify(
      decodeDhcp(
        request(1, [
          [60, enc.encode("PXEClient:Arch:00011:UNDI:003000")],
          [93, Uint8Array.of(0, 11)],
        ]),
      ),
    );
    expect(chooseBoot(arm, cfg)).toBeUndefined(); // no ARM64 build in this root
  });
  it("takes option 93 over the arch in option 60, and accepts 9 as x86-64 UEFI", () => {
    const c = classify(
      decodeDhcp(
        request(1, [
          [60, enc.encode("PXEClient:Arch:00000:UNDI:002001")],
          [93, Uint8Array.of(0, 9)],
        ]),
      ),
    );
    expect(c).toMatchObject({ arch: 9, firmware: "uefi", cpu: "x86_64" });
    expect(chooseBoot(c, cfg)?.file).toBe("ipxe.efi");
  });
  it("sends iPXE (user class iPXE or option 175) the URL of its own script", () => {
    const c = classify(decodeDhcp(request(1, IPXE_BIOS)));
    expect(c.ipxe).toBe(true);
    expect(chooseBoot(c, cfg)?.file).toBe(
      "http://10.88.0.1:8080/boot.ipxe?mac=52:54:00:88:00:10&arch=0",
    );
    const only175 = classify(decodeDhcp(request(1, [[175, Uint8Array.of(19, 1, 1)]])));
    expect(only175.ipxe).toBe(true);
  });
  it("sends UEFI HTTP boot clients a URL and vendor class HTTPClient", () => {
    const b = chooseBoot(classify(decodeDhcp(request(1, HTTP_EFI))), cfg);
    expect(b).toMatchObject({ file: "http://10.88.0.1:8080/ipxe.efi", vendorClass: "HTTPClient" });
  });
  it("with HTTP off gives iPXE a TFTP script name that parses back", () => {
    const c = classify(decodeDhcp(request(1, IPXE_BIOS)));
    const name = scriptTftpName(c);
    expect(chooseBoot(c, { ...cfg, httpUrl: undefined })?.file).toBe(name);
    expect(parseScriptTftpName(name)).toEqual({ mac: "52:54:00:88:00:10", arch: 0 });
    expect(parseScriptTftpName("pxe-boot/../../etc/x.ipxe")).toBeUndefined();
  });
});

describe("full DHCP", () => {
  it("offers an address from the range with the boot file, then ACKs and keeps the lease in its file", () => {
    const cfg = config("full");
    const offer = reply(answerDhcp(decodeDhcp(request(1, PXE_BIOS)), "dhcp", FROM, cfg, 1000));
    expect(offer.m.options.get(53)).toEqual(Uint8Array.of(2));
    expect(offer.m.yiaddr).toBe("10.88.0.100");
    expect(offer.m.siaddr).toBe("10.88.0.1");
    expect(offer.m.file).toBe("undionly.kpxe");
    expect(opt(offer.m, 60)).toBe("PXEClient");
    expect(offer.to).toEqual({ address: "255.255.255.255", port: 68 });
    const req = request(3, [
      ...PXE_BIOS,
      [54, Uint8Array.of(10, 88, 0, 1)],
      [50, Uint8Array.of(10, 88, 0, 100)],
    ]);
    const ack = reply(answerDhcp(decodeDhcp(req), "dhcp", FROM, cfg, 2000));
    expect(ack.m.options.get(53)).toEqual(Uint8Array.of(5));
    expect(ack.m.yiaddr).toBe("10.88.0.100");
    const reread = new LeaseStore(
      ["10.88.0.100", "10.88.0.109"],
      join(cfg.tree.root ?? "", "leases.json"),
    );
    expect(reread.list()).toMatchObject([{ mac: "52:54:00:88:00:10", ip: "10.88.0.100" }]);
  });
  it("tells iPXE not to wait for ProxyDHCP offers (175.176) unless told otherwise", () => {
    const cfg = config("full");
    const offer = reply(answerDhcp(decodeDhcp(request(1, IPXE_BIOS)), "dhcp", FROM, cfg, 0));
    expect(offer.m.options.get(175)).toEqual(Uint8Array.of(176, 1, 1));
    const off = reply(
      answerDhcp(
        decodeDhcp(request(1, IPXE_BIOS)),
        "dhcp",
        FROM,
        { ...cfg, ipxeNoProxyWait: false },
        0,
      ),
    );
    expect(off.m.options.has(175)).toBe(false);
  });
  it("leases an address without boot fields to a client that is not a boot client", () => {
    const cfg = config("full");
    const plain: Array<[number, Uint8Array]> = [
      [60, enc.encode("MSFT 5.0")],
      [55, Uint8Array.of(1, 3, 6, 15, 66, 67)],
      [82, Uint8Array.of(1, 2, 0x61, 0x62)],
    ];
    const offer = reply(answerDhcp(decodeDhcp(request(1, plain)), "dhcp", FROM, cfg, 0));
    expect(offer.m.options.get(53)).toEqual(Uint8Array.of(2));
    expect(offer.m.yiaddr).toBe("10.88.0.100");
    expect(offer.m.file).toBe("");
    for (const code of [43, 60, 66, 67, 97, 175]) expect(offer.m.options.has(code)).toBe(false);
    expect(offer.m.options.get(1)).toEqual(Uint8Array.of(255, 255, 255, 0));
    expect(offer.m.options.get(51)).toEqual(Uint8Array.of(0, 0, 0x0e, 0x10));
    expect(offer.m.options.get(82)).toEqual(Uint8Array.of(1, 2, 0x61, 0x62));
    // option 82 stays last, after 175 added to a built reply for iPXE
    const ipxe = answerDhcp(
      decodeDhcp(request(1, [...IPXE_BIOS, [82, Uint8Array.of(1, 1, 7)]])),
      "dhcp",
      FROM,
      cfg,
      0,
    );
    if (ipxe.kind !== "reply") throw new Error("dropped");
    const codes: number[] = [];
    for (
      let i = 240;
      i < ipxe.reply.length && ipxe.reply[i] !== 255;
      i += 2 + (ipxe.reply[i + 1] ?? 0)
    )
      codes.push(ipxe.reply[i] ?? 0);
    expect(codes.slice(-2)).toEqual([175, 82]);
  });
  it("stays silent when the client chose another server, NAKs a wrong address", () => {
    const cfg = config("full");
    const other = request(3, [
      [54, Uint8Array.of(10, 88, 0, 2)],
      [50, Uint8Array.of(10, 88, 0, 100)],
    ]);
    expect(answerDhcp(decodeDhcp(other), "dhcp", FROM, cfg, 0).kind).toBe("drop");
    const wrong = request(3, [
      [54, Uint8Array.of(10, 88, 0, 1)],
      [50, Uint8Array.of(192, 168, 1, 5)],
    ]);
    const nak = reply(answerDhcp(decodeDhcp(wrong), "dhcp", FROM, cfg, 0));
    expect(nak.m.options.get(53)).toEqual(Uint8Array.of(6));
  });
  it("answers relayed requests to giaddr:67 with option 82 echoed, only for its own subnet", () => {
    const cfg = config("full");
    const o82 = Uint8Array.of(1, 4, 0, 0, 0, 7);
    const relayed = reply(
      answerDhcp(
        decodeDhcp(request(1, [...PXE_BIOS, [82, o82]], { giaddr: [10, 88, 0, 254] })),
        "dhcp",
        FROM,
        cfg,
        0,
      ),
    );
    expect(relayed.to).toEqual({ address: "10.88.0.254", port: 67 });
    expect(relayed.m.options.get(82)).toEqual(o82);
    expect(relayed.m.giaddr).toBe("10.88.0.254");
    const foreign = answerDhcp(
      decodeDhcp(request(1, PXE_BIOS, { giaddr: [192, 168, 7, 1] })),
      "dhcp",
      FROM,
      cfg,
      0,
    );
    expect(foreign).toMatchObject({ kind: "drop" });
  });
  it("keeps answering when the pool is exhausted by a flood of MACs (drops, does not throw)", () => {
    const cfg = config("full");
    let offers = 0;
    for (let i = 0; i < 50; i++) {
      const b = request(3, [
        [50, Uint8Array.of(10, 88, 0, 100 + (i % 10))],
        [54, Uint8Array.of(10, 88, 0, 1)],
      ]);
      b[33] = i; // a different MAC each time
      const d = request(1, []);
      d[33] = i;
      if (answerDhcp(decodeDhcp(d), "dhcp", FROM, cfg, 0).kind === "reply") offers++;
      answerDhcp(decodeDhcp(b), "dhcp", FROM, cfg, 0);
    }
    expect(offers).toBe(10); // a pool of 10 addresses
    expect(cfg.leases?.list().length).toBe(10);
    // after the leases expire the pool is usable again
    expect(answerDhcp(decodeDhcp(request(1, PXE_BIOS)), "dhcp", FROM, cfg, 3601 * 1000).kind).toBe(
      "reply",
    );
  });
});

describe("proxyDHCP", () => {
  it("never answers a client that is not PXE", () => {
    const cfg = config("proxy");
    const plain = answerDhcp(
      decodeDhcp(request(1, [[60, enc.encode("MSFT 5.0")]])),
      "dhcp",
      FROM,
      cfg,
      0,
    );
    expect(plain).toMatchObject({ kind: "drop", reason: "not a PXE client (proxy mode)" });
    expect(answerDhcp(decodeDhcp(request(1, [])), "pxe", FROM, cfg, 0).kind).toBe("drop");
  });
  it("offers no address, carries PXEClient, 54 and 97; BIOS gets the file and discovery control 8", () => {
    const cfg = config("proxy");
    const o = reply(answerDhcp(decodeDhcp(request(1, PXE_BIOS)), "dhcp", FROM, cfg, 0));
    expect(o.m.yiaddr).toBe("0.0.0.0");
    expect(opt(o.m, 60)).toBe("PXEClient");
    expect(o.m.options.get(54)).toEqual(Uint8Array.of(10, 88, 0, 1));
    expect(o.m.file).toBe("undionly.kpxe");
    expect(o.m.options.get(43)).toEqual(Uint8Array.of(6, 1, 8, 255));
    for (const c of [1, 3, 6, 51, 58, 59]) expect(o.m.options.has(c)).toBe(false);
  });
  it("sends UEFI PXE to port 4011 (no file, no 43 on 67) and ACKs the 4011 request to its source", () => {
    const cfg = config("proxy");
    const o = reply(answerDhcp(decodeDhcp(request(1, PXE_EFI)), "dhcp", FROM, cfg, 0));
    expect(o.m.file).toBe("");
    expect(o.m.options.has(43)).toBe(false);
    expect(o.m.options.get(97)?.length).toBe(17);
    const req = request(3, PXE_EFI, { ciaddr: [10, 88, 0, 130], flags: 0 });
    const ack = reply(
      answerDhcp(decodeDhcp(req), "pxe", { address: "10.88.0.130", port: 4011 }, cfg, 0),
    );
    expect(ack.m.options.get(53)).toEqual(Uint8Array.of(5));
    expect(ack.m.file).toBe("ipxe.efi");
    expect(ack.m.siaddr).toBe("10.88.0.1");
    expect(ack.to).toEqual({ address: "10.88.0.130", port: 4011 });
  });
  it("ignores the client's REQUEST to the address server", () => {
    const cfg = config("proxy");
    const r = request(3, [...PXE_BIOS, [54, Uint8Array.of(10, 88, 0, 2)]]);
    expect(answerDhcp(decodeDhcp(r), "dhcp", FROM, cfg, 0).kind).toBe("drop");
  });
});

describe("file tree", () => {
  it("refuses traversal, NUL and backslashes; serves Debian's iPXE binaries as a fallback", () => {
    const root = tmp();
    const deb = tmp();
    writeFileSync(join(root, "a.txt"), "hello");
    writeFileSync(join(deb, "undionly.kpxe"), "kpxe");
    const t = new FileTree(root, deb);
    expect(t.resolve("/a.txt")).toMatchObject({ ok: true, size: 5 });
    expect(t.resolve("a.txt")).toMatchObject({ ok: true });
    expect(t.resolve("../etc/passwd")).toEqual({ ok: false, reason: "traversal" });
    expect(t.resolve("x/../../a.txt")).toEqual({ ok: false, reason: "traversal" });
    expect(t.resolve("a.txt\0")).toEqual({ ok: false, reason: "bad-char" });
    expect(t.resolve("..\\a.txt")).toEqual({ ok: false, reason: "bad-char" });
    expect(t.resolve("undionly.kpxe")).toMatchObject({ ok: true, size: 4 });
    expect(t.resolve("sub/undionly.kpxe")).toEqual({ ok: false, reason: "not-found" });
  });
});

describe("generated script", () => {
  it("finds kernels with their initrds (same suffix first) in the root and netboot trees", () => {
    const root = tmp();
    writeFileSync(join(root, "vmlinuz-6.1"), "k");
    writeFileSync(join(root, "initrd.img-5.10"), "i");
    writeFileSync(join(root, "initrd.img-6.1"), "i");
    mkdirSync(join(root, "debian-installer/amd64"), { recursive: true });
    writeFileSync(join(root, "debian-installer/amd64/linux"), "k");
    writeFileSync(join(root, "debian-installer/amd64/initrd.gz"), "i");
    expect(findBootEntries(root)).toEqual([
      { label: "vmlinuz-6.1", kernel: "vmlinuz-6.1", initrd: "initrd.img-6.1" },
      {
        label: "debian-installer/amd64/linux",
        kernel: "debian-installer/amd64/linux",
        initrd: "debian-installer/amd64/initrd.gz",
      },
    ]);
  });
  it("boots one entry directly, adds initrd= for EFI clients, makes a menu of several", () => {
    const one = generateScript(
      { mac: "52:54:00:88:00:10", arch: 7 },
      {
        entries: [{ label: "vmlinuz", kernel: "vmlinuz", initrd: "initrd.gz" }],
        baseUrl: "http://s:8080/",
        append: "console=ttyS0",
      },
    );
    expect(one.startsWith("#!ipxe\n")).toBe(true);
    expect(one).toContain(
      `kernel ${"$"}{pxe-base}/vmlinuz console=ttyS0 initrd=initrd.gz || goto failed`,
    );
    expect(one).toContain("set pxe-base http://s:8080\n");
    expect(one).toContain("set pxe-client-mac 52:54:00:88:00:10");
    const bios = generateScript(
      { arch: 0 },
      { entries: [{ label: "v", kernel: "v", initrd: "i" }], baseUrl: "u", append: "" },
    );
    expect(bios).not.toContain("initrd=");
    const menu = generateScript(
      {},
      {
        entries: [
          { label: "a", kernel: "a", initrd: undefined },
          { label: "b", kernel: "b", initrd: "bi" },
        ],
        baseUrl: "u",
        append: "",
      },
    );
    expect(menu).toMatch(/^menu /m);
    expect(menu).toContain("item e1 b");
    expect(menu).toContain(":e1\n");
    const none = generateScript({}, { entries: [], baseUrl: "u", append: "" });
    expect(none).toContain("no kernel found");
  });
});

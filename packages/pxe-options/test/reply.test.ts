import { DhcpView } from "@pxe/dhcp";
import {
  type BootPolicy,
  buildBootReply,
  buildBootServerAck,
  buildProxyOffer,
  chooseBoot,
  classify,
  encodeReply,
  pxeOption,
  pxeSub,
  pxeVendorCodec,
  type ReplyResult,
} from "@pxe/pxe-options";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { h, hexOf, PXE_BIOS, PXE_UEFI_X64, request, t } from "./helpers.js";

const SERVER = "10.77.0.1";
const policy: BootPolicy = {
  bios: "undionly.kpxe",
  uefi: { x64: "ipxe.efi", arm64: "grubnetaa64.efi" },
  http: { x64: "http://10.77.0.1/ipxe.efi" },
  ipxeScript: "http://10.77.0.1/boot.ipxe",
};
const RELAY82 = h("01 04 65746830");

function ok(r: ReplyResult) {
  if (!r.ok) throw new Error(`expected a reply: ${r.reason}`);
  return r.reply;
}
function wire(r: ReplyResult): DhcpView {
  const v = new DhcpView(encodeReply(ok(r)));
  expect(v.warnings).toEqual([]);
  return v;
}
function proxy(
  opts: Array<[number, Uint8Array]>,
  extra: Parameters<typeof request>[0] = { type: 1 },
) {
  const req = request({ ...extra, options: opts });
  const c = classify(req);
  return { req, c, r: buildProxyOffer(req, c, chooseBoot(c, policy), { serverAddress: SERVER }) };
}
const LEASE = ["1", "3", "6", "51", "58", "59"].map(Number);

describe("proxyDHCP OFFER rules", () => {
  it("proxy offer has yiaddr 0.0.0.0", () => {
    expect(wire(proxy(PXE_BIOS).r).yiaddr).toBe("0.0.0.0");
  });
  it("proxy offer sets the broadcast flag", () => {
    const v = wire(proxy(PXE_BIOS, { type: 1, flags: 0 }).r);
    expect(v.flags & 0x8000).toBe(0x8000);
  });
  it("proxy offer carries 54 = the proxy's address", () => {
    expect(hexOf(wire(proxy(PXE_BIOS).r).get(54)!)).toBe("0a4d0001");
  });
  it("proxy offer carries 60 = PXEClient", () => {
    expect(wire(proxy(PXE_BIOS).r).get(60)).toEqual(t("PXEClient"));
  });
  it("proxy offer carries 60 = HTTPClient for HTTP boot", () => {
    const v = wire(
      proxy([
        [60, t("HTTPClient:Arch:00016:UNDI:003000")],
        [93, h("0010")],
      ]).r,
    );
    expect(v.get(60)).toEqual(t("HTTPClient"));
    expect(v.file).toBe("http://10.77.0.1/ipxe.efi");
  });
  it("proxy offer echoes 97 verbatim", () => {
    const v = wire(proxy(PXE_BIOS).r);
    expect(hexOf(v.get(97)!)).toBe(hexOf(PXE_BIOS.find(([c]) => c === 97)![1]));
  });
  it("proxy offer echoes 82, last", () => {
    const v = wire(proxy([...PXE_BIOS, [82, RELAY82]], { type: 1, giaddr: "10.1.0.1" }).r);
    expect(hexOf(v.get(82)!)).toBe(hexOf(RELAY82));
    const codes = [...v.options()].map((o) => o.code);
    expect(codes[codes.length - 1]).toBe(82);
  });
  it("proxy offer has no address or lease options (1, 3, 6, 51, 58, 59)", () => {
    for (const opts of [PXE_BIOS, PXE_UEFI_X64]) {
      const v = wire(proxy(opts).r);
      for (const code of LEASE) expect(v.has(code)).toBe(false);
    }
  });
  it("proxy offer goes to giaddr:67 when relayed", () => {
    const r = ok(proxy(PXE_BIOS, { type: 1, giaddr: "10.1.0.1" }).r);
    expect(r.destination).toEqual({ address: "10.1.0.1", port: 67, broadcast: false });
    expect(r.giaddr).toBe("10.1.0.1");
  });
  it("proxy offer is broadcast to :68 when not relayed", () => {
    expect(ok(proxy(PXE_BIOS).r).destination).toEqual({
      address: "255.255.255.255",
      port: 68,
      broadcast: true,
    });
  });
  it("BIOS clients get siaddr + file with 43.6 = 0x08", () => {
    const v = wire(proxy(PXE_BIOS).r);
    expect(v.siaddr).toBe(SERVER);
    expect(v.file).toBe("undionly.kpxe");
    const o43 = pxeVendorCodec.decode(v.get(43)!);
    expect(pxeSub(o43, "discovery-control")).toBe(0x08);
    expect(hexOf(v.get(43)!)).toBe("060108ff");
  });
  it("BIOS clients get a 43.8/9/10 menu when one is configured", () => {
    const req = request({ type: 1, options: PXE_BIOS });
    const c = classify(req);
    const menu = {
      items: [
        { type: 0x8000, description: "Install" },
        { type: 0x8001, description: "Rescue" },
      ],
      prompt: "Press F8",
      timeout: 10,
    };
    const v = wire(buildProxyOffer(req, c, chooseBoot(c, policy), { serverAddress: SERVER, menu }));
    const o43 = pxeVendorCodec.decode(v.get(43)!);
    expect(pxeSub(o43, "discovery-control")).toBe(7);
    expect(pxeSub(o43, "boot-servers")).toEqual([
      { type: 0x8000, addresses: [SERVER] },
      { type: 0x8001, addresses: [SERVER] },
    ]);
    expect(pxeSub(o43, "boot-menu")).toEqual(menu.items);
    expect(pxeSub(o43, "menu-prompt")).toEqual({ timeout: 10, prompt: "Press F8" });
    expect(v.file).toBe("");
  });
  it("UEFI clients get no 43 (and no file), so they come back on 4011", () => {
    const v = wire(proxy(PXE_UEFI_X64).r);
    expect(v.has(43)).toBe(false);
    expect(v.file).toBe("");
    expect(v.siaddr).toBe(SERVER);
  });
  it("iPXE gets its script URL, not iPXE again", () => {
    const v = wire(proxy([...PXE_UEFI_X64, [77, t("iPXE")]]).r);
    expect(v.file).toBe("http://10.77.0.1/boot.ipxe");
    expect(v.has(43)).toBe(false);
  });
  it("U-Boot clients get siaddr + file (they do not come back on 4011)", () => {
    const req = request({
      type: 1,
      options: [
        [60, t("PXEClient:Arch:00022:UNDI:003000")],
        [93, h("0016")],
      ],
    });
    const c = classify(req);
    const v = wire(
      buildProxyOffer(req, c, chooseBoot(c, { uboot: { arm64: "boot.scr.uimg" } }), {
        serverAddress: SERVER,
      }),
    );
    expect(v.file).toBe("boot.scr.uimg");
    expect(v.has(43)).toBe(false);
  });
  it("proxy answers DISCOVER only", () => {
    const r = proxy(PXE_BIOS, { type: 3 }).r;
    expect(r).toEqual({ ok: false, reason: "proxyDHCP answers DISCOVER only, got type 3" });
  });
  it("proxy ignores non-PXE clients", () => {
    const r = proxy([[60, t("MSFT 5.0")]]).r;
    expect(r.ok).toBe(false);
  });
});

describe("boot server ACK on port 4011", () => {
  const src = { address: "10.77.0.193", port: 4011 };
  function ack(opts: Array<[number, Uint8Array]>, ciaddr = "10.77.0.193", port = 4011) {
    const req = request({ type: 3, ciaddr, options: opts });
    const c = classify(req);
    return buildBootServerAck(
      req,
      c,
      chooseBoot(c, policy),
      { ...src, port },
      { serverAddress: SERVER },
    );
  }
  it("4011 ACK is unicast to the request's source address and port", () => {
    expect(ok(ack(PXE_UEFI_X64)).destination).toEqual({
      address: "10.77.0.193",
      port: 4011,
      broadcast: false,
    });
    expect(ok(ack(PXE_UEFI_X64, "10.77.0.193", 68)).destination.port).toBe(68);
  });
  it("4011 ACK carries siaddr, sname and file, 53 = ACK, 54, 60, 97", () => {
    const v = wire(ack(PXE_UEFI_X64));
    expect(v.messageType).toBe(5);
    expect(v.siaddr).toBe(SERVER);
    expect(v.sname).toBe(SERVER);
    expect(v.file).toBe("ipxe.efi");
    expect(v.get(60)).toEqual(t("PXEClient"));
    expect(hexOf(v.get(54)!)).toBe("0a4d0001");
    expect(v.has(97)).toBe(true);
    expect(v.yiaddr).toBe("0.0.0.0");
    for (const code of LEASE) expect(v.has(code)).toBe(false);
  });
  it("43.71 boot item is echoed in the 4011 ACK", () => {
    const item = pxeVendorCodec.encode({
      options: [pxeOption("boot-item", { type: 0x8000, layer: 0 })],
      end: true,
    });
    const v = wire(ack([...PXE_BIOS, [43, item]]));
    expect(pxeSub(pxeVendorCodec.decode(v.get(43)!), "boot-item")).toEqual({
      type: 0x8000,
      layer: 0,
    });
    expect(v.yiaddr).toBe("10.77.0.193");
  });
  it("4011 does not answer a PXE BIS credentials request (43.71 layer bit 15)", () => {
    const item = pxeVendorCodec.encode({
      options: [pxeOption("boot-item", { type: 0x8000, layer: 0x8000 })],
      end: true,
    });
    const r = ack([...PXE_BIOS, [43, item]]);
    expect(r.ok).toBe(false);
  });
  it("4011 answers REQUEST or INFORM only", () => {
    const req = request({ type: 1, options: PXE_BIOS });
    const c = classify(req);
    expect(
      buildBootServerAck(req, c, chooseBoot(c, policy), src, { serverAddress: SERVER }).ok,
    ).toBe(false);
  });
});

describe("full DHCP OFFER/ACK for boot clients", () => {
  const lease = {
    serverAddress: SERVER,
    yiaddr: "10.77.0.50",
    leaseTime: 3600,
    subnetMask: "255.255.255.0",
    routers: ["10.77.0.1"],
    dnsServers: ["10.77.0.1", "1.1.1.1"],
  };
  function offer(opts: Array<[number, Uint8Array]>, type: "offer" | "ack" = "offer") {
    const req = request({ type: type === "offer" ? 1 : 3, options: opts });
    const c = classify(req);
    return buildBootReply(req, c, chooseBoot(c, policy), { ...lease, messageType: type });
  }
  it("full offer carries the lease and the boot file in siaddr/file", () => {
    const v = wire(offer(PXE_BIOS));
    expect(v.messageType).toBe(2);
    expect(v.yiaddr).toBe("10.77.0.50");
    expect(v.siaddr).toBe(SERVER);
    expect(v.file).toBe("undionly.kpxe");
    expect(hexOf(v.get(51)!)).toBe("00000e10");
    expect(hexOf(v.get(6)!)).toBe("0a4d000101010101");
    expect(v.get(60)).toEqual(t("PXEClient"));
    expect(hexOf(v.get(43)!)).toBe("060108ff");
  });
  it("full offer to UEFI has no 43", () => {
    const v = wire(offer(PXE_UEFI_X64));
    expect(v.has(43)).toBe(false);
    expect(v.file).toBe("ipxe.efi");
  });
  it("full offer to HTTP boot carries 60 = HTTPClient and a URL", () => {
    const v = wire(
      offer([
        [60, t("HTTPClient:Arch:00016:UNDI:003000")],
        [93, h("0010")],
      ]),
    );
    expect(v.get(60)).toEqual(t("HTTPClient"));
    expect(v.file).toBe("http://10.77.0.1/ipxe.efi");
  });
  it("66/67 are added when the client asks for them (55)", () => {
    const v = wire(offer([...PXE_BIOS, [55, Uint8Array.of(1, 3, 43, 60, 66, 67)]]));
    expect(v.get(66)).toEqual(t(SERVER));
    expect(v.get(67)).toEqual(t("undionly.kpxe"));
    expect(v.file).toBe("undionly.kpxe");
  });
  it("full ACK answers a REQUEST", () => {
    expect(wire(offer(PXE_BIOS, "ack")).messageType).toBe(5);
    const wrong = (() => {
      const req = request({ type: 1, options: PXE_BIOS });
      const c = classify(req);
      return buildBootReply(req, c, chooseBoot(c, policy), { ...lease, messageType: "ack" });
    })();
    expect(wrong.ok).toBe(false);
  });
  it("boot URLs over 127 bytes go to option 67 only", () => {
    const long = `http://10.77.0.1/${"x".repeat(130)}`;
    const req = request({ type: 1, options: [...PXE_BIOS, [77, t("iPXE")]] });
    const c = classify(req);
    const v = wire(
      buildBootReply(req, c, chooseBoot(c, { ipxeScript: long }), {
        ...lease,
        messageType: "offer",
      }),
    );
    expect(v.file).toBe("");
    expect(v.get(67)).toEqual(t(long));
  });
});

describe("encodeReply", () => {
  it("pads to 300 bytes after End and splits long options (RFC 3396)", () => {
    const req = request({ type: 1, options: PXE_BIOS });
    const r = ok(
      buildProxyOffer(req, classify(req), chooseBoot(classify(req), policy), {
        serverAddress: SERVER,
      }),
    );
    const bytes = encodeReply(r);
    expect(bytes.length).toBe(300);
    const big = encodeReply({
      ...r,
      options: [...r.options, { code: 224, data: new Uint8Array(600).fill(7) }],
    });
    const v = new DhcpView(big);
    expect(v.count(224)).toBe(3);
    expect(v.get(224)!.length).toBe(600);
  });
});

describe("reply builders on arbitrary requests", () => {
  it("never throw, and every reply encodes to a clean DHCP message", () => {
    const opt = fc.tuple(
      fc.constantFrom(43, 55, 60, 61, 77, 82, 93, 94, 97, 175),
      fc.uint8Array({ minLength: 1, maxLength: 40 }),
    );
    fc.assert(
      fc.property(
        fc.constantFrom(1, 3, 8),
        fc.array(opt, { maxLength: 6 }),
        fc.constantFrom("0.0.0.0", "10.1.0.1"),
        fc.constantFrom(0, 0x8000),
        (type, opts, giaddr, flags) => {
          const req = request({
            type,
            giaddr,
            flags,
            ciaddr: type === 1 ? "0.0.0.0" : "10.77.0.9",
            options: [...PXE_BIOS.slice(0, 1), ...opts],
          });
          const c = classify(req);
          const boot = chooseBoot(c, policy);
          const results = [
            buildProxyOffer(req, c, boot, { serverAddress: SERVER }),
            buildBootServerAck(
              req,
              c,
              boot,
              { address: "10.77.0.9", port: 4011 },
              { serverAddress: SERVER },
            ),
            buildBootReply(req, c, boot, {
              serverAddress: SERVER,
              yiaddr: "10.77.0.9",
              leaseTime: 60,
              messageType: type === 1 ? "offer" : "ack",
            }),
          ];
          for (const r of results) {
            if (!r.ok) {
              expect(typeof r.reason).toBe("string");
              continue;
            }
            const v = new DhcpView(encodeReply(r.reply));
            expect(v.warnings).toEqual([]);
            expect(v.xid).toBe(req.xid);
            if (giaddr !== "0.0.0.0" && r.reply.destination.port !== 4011) {
              expect(r.reply.destination).toEqual({ address: giaddr, port: 67, broadcast: false });
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

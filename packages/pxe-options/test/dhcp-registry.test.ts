import {
  DhcpView,
  decodeMessage,
  defaultRegistry,
  encodeMessage,
  isDhcpError,
  OptionRegistry,
} from "@pxe/dhcp";
import {
  buildProxyOffer,
  chooseBoot,
  classify,
  encodeReply,
  fromDhcpMessage,
  ipxeCodec,
  ipxeFeature,
  PXE_DHCP_CODECS,
  PXE_DHCP_CODECS_WITHOUT_43,
  pxeSummary,
  pxeValueToJSON,
  registerPxeCodecs,
  toDhcpCodec,
  toDhcpMessage,
} from "@pxe/pxe-options";
import { describe, expect, it } from "vitest";
import { h, PXE_BIOS, request, t } from "./helpers.js";

describe("registration into @pxe/dhcp's option registry", () => {
  const registry = registerPxeCodecs(new OptionRegistry(defaultRegistry));

  it("registers 43, 60, 77, 93, 94, 97, 175 and 208-211 with camelCase names", () => {
    for (const code of [43, 60, 77, 93, 94, 97, 175, 208, 209, 210, 211]) {
      expect(registry.get(code)?.code).toBe(code);
    }
    expect(registry.name(93)).toBe("clientSystemArchitecture");
    expect(registry.name(175)).toBe("ipxeEncapsulatedOptions");
    expect(PXE_DHCP_CODECS_WITHOUT_43.some((c) => c.code === 43)).toBe(false);
    const no43 = registerPxeCodecs(new OptionRegistry(defaultRegistry), { vendorSpecific: false });
    expect(no43.get(43)).toBe(defaultRegistry.get(43));
  });

  it("decodes a PXE DISCOVER through decodeMessage", () => {
    const bytes = request({
      type: 1,
      options: [
        ...PXE_BIOS,
        [77, t("iPXE")],
        [175, ipxeCodec.encode({ options: [ipxeFeature("http")], end: false })],
        [209, t("pxelinux.cfg/default")],
      ],
    }).bytes;
    const msg = decodeMessage(bytes, { registry });
    expect(msg.options.get(93)).toEqual([0]);
    expect(msg.options.get(94)).toEqual({ type: 1, major: 2, minor: 1 });
    expect(msg.options.get(60)).toMatchObject({ kind: "PXEClient", arch: 0 });
    expect(msg.options.get(77)).toEqual({ format: "plain", classes: ["iPXE"] });
    expect(msg.options.get(175)).toEqual({
      options: [{ code: 0x13, name: "feature", value: 1 }],
      end: false,
    });
    expect(msg.options.get(209)).toBe("pxelinux.cfg/default");
    // and re-encodes byte for byte
    expect(encodeMessage(msg)).toEqual(bytes);
  });

  it("works with extend() too", () => {
    const r = defaultRegistry.extend(...PXE_DHCP_CODECS);
    expect(r.get(97)?.name).toBe("clientMachineIdentifier");
  });

  it("turns PxeOptionsError into DhcpError with the absolute offset and option code", () => {
    const codec = toDhcpCodec(ipxeCodec);
    try {
      codec.decode(h("b1 09 01"), { code: 175, offset: 300, strict: true });
      expect.unreachable();
    } catch (e) {
      expect(isDhcpError(e)).toBe(true);
      expect((e as { offset: number }).offset).toBe(300);
      expect((e as { optionCode: number }).optionCode).toBe(175);
      expect((e as { code: string }).code).toBe("truncated");
    }
  });

  it("a lenient message decode keeps going past a bad PXE option", () => {
    const bytes = request({
      type: 1,
      options: [
        [93, h("00")],
        [60, t("PXEClient")],
      ],
    }).bytes;
    const msg = decodeMessage(bytes, { registry });
    expect(msg.options.get(60)).toMatchObject({ kind: "PXEClient" });
    expect(new DhcpView(bytes).get(93)).toEqual(h("00"));
  });

  it("JSON form turns bytes into hex", () => {
    expect(pxeValueToJSON({ type: 0, id: h("0102") })).toEqual({ type: 0, id: "0102" });
  });
});

describe("toDhcpMessage", () => {
  it("encodes through @pxe/dhcp to the same fields and options as encodeReply", () => {
    const req = request({
      type: 1,
      options: [...PXE_BIOS, [82, h("0104 65746830")]],
      giaddr: "10.1.0.1",
    });
    const c = classify(req);
    const r = buildProxyOffer(req, c, chooseBoot(c), { serverAddress: "10.77.0.1" });
    if (!r.ok) throw new Error(r.reason);
    const a = new DhcpView(encodeReply(r.reply));
    const b = new DhcpView(encodeMessage(toDhcpMessage(r.reply)));
    for (const k of [
      "op",
      "xid",
      "flags",
      "ciaddr",
      "yiaddr",
      "siaddr",
      "giaddr",
      "file",
      "sname",
      "chaddrText",
    ] as const) {
      expect(b[k], k).toEqual(a[k]);
    }
    const opts = (v: DhcpView) => [...v.options()].map((o) => [o.code, Array.from(o.data)]);
    expect(opts(b)).toEqual(opts(a));
  });
});

describe("fromDhcpMessage", () => {
  it("classifies a decoded DhcpMessage like the DhcpView it came from", () => {
    const view = request({
      type: 1,
      options: [...PXE_BIOS, [77, t("iPXE")]],
      mac: "52:54:00:aa:bb:cc",
    });
    const msg = decodeMessage(view.bytes);
    expect(classify(fromDhcpMessage(msg))).toEqual(classify(view));
    expect(pxeSummary(fromDhcpMessage(msg))).toEqual(pxeSummary(view));
  });
});

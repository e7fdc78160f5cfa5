import {
  DhcpMessage,
  DhcpView,
  decodeMessage,
  defaultRegistry,
  encodeMessage,
  MessageType,
  OptionRegistry,
} from "@pxe/dhcp";
import {
  buildProxyOffer,
  chooseBoot,
  classify,
  encodeReply,
  pxeSummary,
  registerPxeCodecs,
} from "@pxe/pxe-options";
import { expect, it } from "vitest";

it("the README example does what it says", () => {
  const bytes = encodeMessage(
    new DhcpMessage({
      xid: 0x1234abcd,
      chaddr: "52:54:00:12:34:56",
      options: [
        [53, MessageType.DISCOVER],
        [60, "PXEClient:Arch:00007:UNDI:003016"],
        [93, [7]],
        [94, Uint8Array.of(1, 3, 16)],
        [
          97,
          Uint8Array.of(
            0,
            0x38,
            0x02,
            0xdf,
            0x85,
            0xa9,
            0x95,
            0x33,
            0x4d,
            0x90,
            0x90,
            0xb4,
            0x12,
            0xcc,
            0xae,
            0x82,
            0x8e,
          ),
        ],
      ],
    }),
  );
  const request = new DhcpView(bytes);
  const client = classify(request);
  expect([
    client.firmware,
    client.arch,
    client.archName,
    client.cpu,
    client.isIpxe,
    client.uuid,
  ]).toEqual(["uefi", 7, "x64 UEFI", "x64", false, "85df0238-95a9-4d33-9090-b412ccae828e"]);
  expect(pxeSummary(request)?.undi).toBe("3.16");
  const boot = chooseBoot(client, {
    bios: "undionly.kpxe",
    uefi: { x64: "ipxe.efi", arm64: "grubnetaa64.efi" },
    http: { x64: "http://10.0.0.1/ipxe.efi" },
    ipxeScript: "http://10.0.0.1/boot.ipxe",
  });
  expect(boot).toEqual({
    action: "boot",
    file: "ipxe.efi",
    via: "tftp",
    vendorClass: "PXEClient",
    rule: "uefi x64",
  });
  const result = buildProxyOffer(request, client, boot, { serverAddress: "10.0.0.1" });
  if (!result.ok) throw new Error(result.reason);
  const reply = encodeReply(result.reply);
  expect(reply.length).toBe(300);
  expect(result.reply.destination).toEqual({
    address: "255.255.255.255",
    port: 68,
    broadcast: true,
  });
  expect([...new DhcpView(reply).options()].map((o) => o.code)).toEqual([53, 54, 60, 97]);
  const registry = registerPxeCodecs(new OptionRegistry(defaultRegistry));
  expect(decodeMessage(bytes, { registry }).options.get(60)).toEqual({
    raw: "PXEClient:Arch:00007:UNDI:003016",
    kind: "PXEClient",
    prefix: "PXEClient",
    arch: 7,
    undi: { major: 3, minor: 16 },
    oddities: [],
  });
});

// The README's first example, as a test (keep the two in step).
import {
  DhcpMessage,
  DhcpView,
  decodeMessage,
  encodeInto,
  encodeMessage,
  MessageType,
} from "@pxe/dhcp";
import { expect, it } from "vitest";

it("README example runs as documented", () => {
  const bytes = new Uint8Array(300);
  const discover = new DhcpMessage({
    xid: 0x1234abcd,
    chaddr: "52:54:00:12:34:56",
    broadcast: true,
    options: [
      [53, MessageType.DISCOVER],
      [55, [1, 3, 43, 60, 66, 67]],
      [60, "PXEClient:Arch:00007:UNDI:003016"],
      [93, [7]],
    ],
  });
  expect(encodeInto(discover, bytes)).toBe(300);
  const v = new DhcpView(bytes);
  expect(v.messageType).toBe(1);
  expect([...v.get(93)!]).toEqual([0, 7]);
  expect(v.u16(93)).toBe(7);
  expect(v.startsWith(60, "PXEClient")).toBe(true);
  expect(v.chaddrText).toBe("52:54:00:12:34:56");

  const msg = decodeMessage(bytes);
  expect(msg.options.get(60)).toBe("PXEClient:Arch:00007:UNDI:003016");
  expect(msg.warnings).toEqual([]);
  expect(encodeMessage(msg)).toEqual(bytes);
  msg.options.set(12, "pxe-client-1");
  const out = encodeMessage(msg, { maxSize: 576 - 28 });
  expect(decodeMessage(out).options.codes()).toEqual([53, 55, 60, 93, 12]);
});

import { DhcpView } from "@pxe/dhcp";
import { type BootReply, encodeReply } from "@pxe/pxe-options";

/** Hex string (spaces allowed) to bytes. */
export function h(text: string): Uint8Array {
  const s = text.replace(/\s+/g, "");
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** ASCII text to bytes. */
export function t(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Lower-case hex of bytes. */
export function hexOf(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

/** A client request (op 1) with the given options, parsed with @pxe/dhcp's DhcpView. */
export function request(init: {
  type: number;
  options?: Array<[number, Uint8Array]>;
  flags?: number;
  ciaddr?: string;
  giaddr?: string;
  mac?: string;
  xid?: number;
}): DhcpView {
  const mac = h((init.mac ?? "52:54:00:12:34:56").replace(/:/g, ""));
  const reply: BootReply = {
    op: 2,
    htype: 1,
    hlen: mac.length,
    xid: init.xid ?? 0x01020304,
    flags: init.flags ?? 0,
    ciaddr: init.ciaddr ?? "0.0.0.0",
    yiaddr: "0.0.0.0",
    siaddr: "0.0.0.0",
    giaddr: init.giaddr ?? "0.0.0.0",
    chaddr: mac,
    sname: "",
    file: "",
    options: [
      { code: 53, data: Uint8Array.of(init.type) },
      ...(init.options ?? []).map(([code, data]) => ({ code, data })),
    ],
    destination: { address: "255.255.255.255", port: 67, broadcast: true },
  };
  const bytes = encodeReply(reply);
  bytes[0] = 1;
  return new DhcpView(bytes);
}

/** Option 60/93/94/97 of a typical client. */
export const PXE_BIOS: Array<[number, Uint8Array]> = [
  [60, t("PXEClient:Arch:00000:UNDI:002001")],
  [93, h("0000")],
  [94, h("010201")],
  [97, h("00 a1b2c3d4 e5f6 0718 a93a 4b5c6d7e8f90")],
];
export const PXE_UEFI_X64: Array<[number, Uint8Array]> = [
  [60, t("PXEClient:Arch:00007:UNDI:003016")],
  [93, h("0007")],
  [94, h("010310")],
  [97, h("00 3802df85 a995 334d 9090 b412ccae828e")],
];

/**
 * DHCP client requests for the `pxe serve` policy tests, built by hand (independently of the reply
 * encoder), and the option sets of the usual PXE clients.
 */

export const enc = new TextEncoder();

/** Options of a request: code and value, in order (option 53 comes first by itself). */
export type ClientOptions = Array<[number, Uint8Array]>;

/**
 * A BOOTREQUEST (op 1, Ethernet) of DHCP message `type` with `opts` after option 53, then END.
 * Broadcast flag set unless `flags` says otherwise.
 */
export function clientRequest(
  type: number,
  opts: ClientOptions,
  f: Partial<{
    xid: number[];
    mac: Uint8Array;
    ciaddr: number[];
    giaddr: number[];
    flags: number;
  }> = {},
): Uint8Array {
  const b = new Uint8Array(240 + opts.reduce((n, [, v]) => n + 2 + v.length, 0) + 3 + 1);
  b.set([1, 1, 6], 0);
  b.set(f.xid ?? [0xde, 0xad, 0xbe, 0xef], 4);
  b[10] = (f.flags ?? 0x8000) >> 8;
  b.set(f.ciaddr ?? [0, 0, 0, 0], 12);
  b.set(f.giaddr ?? [0, 0, 0, 0], 24);
  b.set(f.mac ?? Uint8Array.of(0x52, 0x54, 0, 0x88, 0, 0x10), 28);
  b.set([99, 130, 83, 99], 236);
  let o = 240;
  for (const [c, v] of [[53, Uint8Array.of(type)] as [number, Uint8Array], ...opts]) {
    b[o] = c;
    b[o + 1] = v.length;
    b.set(v, o + 2);
    o += 2 + v.length;
  }
  b[o] = 255;
  return b;
}

/** A BIOS PXE ROM: vendor class and client architecture 0. */
export const PXE_BIOS: ClientOptions = [
  [60, enc.encode("PXEClient:Arch:00000:UNDI:002001")],
  [93, Uint8Array.of(0, 0)],
];
/** x86-64 UEFI PXE: vendor class and client architecture 7. */
export const PXE_EFI: ClientOptions = [
  [60, enc.encode("PXEClient:Arch:00007:UNDI:003000")],
  [93, Uint8Array.of(0, 7)],
];
/** x86-64 UEFI HTTP boot: architecture 16. */
export const HTTP_EFI: ClientOptions = [
  [60, enc.encode("HTTPClient:Arch:00016:UNDI:003000")],
  [93, Uint8Array.of(0, 16)],
];
/** What iPXE adds to a PXE client's options: user class "iPXE" and its feature option 175. */
export const IPXE: ClientOptions = [
  [77, enc.encode("iPXE")],
  [175, Uint8Array.of(19, 1, 1)],
];

// Hand-built wire messages for the unit tests.
export function header(opts: { op?: number; xid?: number; chaddr?: number[] } = {}): number[] {
  const h = new Array<number>(236).fill(0);
  h[0] = opts.op ?? 1;
  h[1] = 1;
  h[2] = 6;
  const xid = opts.xid ?? 0x01020304;
  h[4] = xid >>> 24;
  h[5] = (xid >>> 16) & 0xff;
  h[6] = (xid >>> 8) & 0xff;
  h[7] = xid & 0xff;
  const ch = opts.chaddr ?? [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
  ch.forEach((b, i) => {
    h[28 + i] = b;
  });
  return h;
}

export const COOKIE = [0x63, 0x82, 0x53, 0x63];

/** Header + cookie + the given option bytes. */
export function message(options: number[], opts: Parameters<typeof header>[0] = {}): Uint8Array {
  return Uint8Array.from([...header(opts), ...COOKIE, ...options]);
}

export function ascii(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0));
}

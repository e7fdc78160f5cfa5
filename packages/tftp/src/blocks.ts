/**
 * Absolute block numbers and their 16-bit wire form. Engines count blocks from 1 without bound
 * (block 0 is the OACK/WRQ acknowledgement); only the wire wraps after 65535, to 0 (the common
 * behaviour) or to 1 (`rollover 1`, as some clients expect).
 */

/** The wire block number of absolute block `abs`. */
export function wireBlock(abs: number, rollover: 0 | 1 = 0): number {
  if (rollover === 0) return abs % 65536;
  return abs <= 65535 ? abs : ((abs - 1) % 65535) + 1;
}

/**
 * The smallest `d >= 0` such that `wireBlock(fromAbs + d) === wire`, or -1 when no later block
 * has that wire number (wire 0 after the first wrap with rollover 1).
 */
export function blockDistance(fromAbs: number, wire: number, rollover: 0 | 1 = 0): number {
  if (rollover === 0) return (wire - (fromAbs % 65536) + 65536) % 65536;
  if (wire === 0) return fromAbs === 0 ? 0 : -1;
  if (fromAbs === 0) return wire;
  const w0 = wireBlock(fromAbs, 1);
  return (((wire - w0) % 65535) + 65535) % 65535;
}

/** Formats 4 bytes at `o` as a dotted IPv4 address. */
export function formatIpv4(b: Uint8Array, o: number): string {
  return `${b[o]}.${b[o + 1]}.${b[o + 2]}.${b[o + 3]}`;
}

/** Formats 16 bytes at `o` as an IPv6 address in RFC 5952 canonical text form. */
export function formatIpv6(b: Uint8Array, o: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++)
    groups.push(((b[o + 2 * i] as number) << 8) | (b[o + 2 * i + 1] as number));
  // Longest run of at least two zero groups (the first one on ties) becomes "::".
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (from: number, to: number) =>
    groups
      .slice(from, to)
      .map((g) => g.toString(16))
      .join(":");
  if (bestStart < 0) return hex(0, 8);
  const tail = bestStart + bestLen;
  // IPv4-mapped addresses keep their dotted tail.
  if (bestStart === 0 && bestLen === 5 && groups[5] === 0xffff)
    return `::ffff:${formatIpv4(b, o + 12)}`;
  return `${hex(0, bestStart)}::${hex(tail, 8)}`;
}

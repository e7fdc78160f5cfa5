// Minimal capture reader for tests only (pcap/pcapng, optionally gzipped; Ethernet, VLAN, Linux
// SLL/SLL2, raw IPv4; unfragmented IPv4/UDP). It yields the UDP payloads on the DHCP ports so the
// codec can be replayed over real captures without depending on @pxe/replay.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";

export interface CapturedDatagram {
  frame: number;
  srcPort: number;
  dstPort: number;
  payload: Uint8Array;
}

export function readUdp(file: string): CapturedDatagram[] {
  let buf = new Uint8Array(readFileSync(file));
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = new Uint8Array(gunzipSync(buf));
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const out: CapturedDatagram[] = [];
  const magic = dv.getUint32(0, false);
  if (magic === 0x0a0d0d0a) {
    // pcapng
    let p = 0;
    let le = true;
    const linkTypes: number[] = [];
    let frame = 0;
    while (p + 12 <= buf.length) {
      const type = dv.getUint32(p, le);
      if (type === 0x0a0d0d0a) {
        le = dv.getUint32(p + 8, true) === 0x1a2b3c4d;
        linkTypes.length = 0;
      }
      const len = dv.getUint32(p + 4, le);
      if (len < 12 || p + len > buf.length) break;
      if (type === 1) linkTypes.push(dv.getUint16(p + 8, le));
      else if (type === 6) {
        frame++;
        const iface = dv.getUint32(p + 8, le);
        const cap = dv.getUint32(p + 20, le);
        link(linkTypes[iface] ?? 1, buf.subarray(p + 28, p + 28 + cap), frame, out);
      } else if (type === 3) {
        frame++;
        const cap = len - 16;
        link(linkTypes[0] ?? 1, buf.subarray(p + 12, p + 12 + cap), frame, out);
      }
      p += len;
    }
    return out;
  }
  const le = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
  const linkType = dv.getUint32(20, le) & 0xffff;
  let p = 24;
  let frame = 0;
  while (p + 16 <= buf.length) {
    const cap = dv.getUint32(p + 8, le);
    frame++;
    link(linkType, buf.subarray(p + 16, Math.min(buf.length, p + 16 + cap)), frame, out);
    p += 16 + cap;
  }
  return out;
}

function link(lt: number, f: Uint8Array, frame: number, out: CapturedDatagram[]): void {
  let p: number;
  let et: number;
  if (lt === 1) {
    p = 14;
    et = (f[12]! << 8) | f[13]!;
    while ((et === 0x8100 || et === 0x88a8) && p + 4 <= f.length) {
      et = (f[p + 2]! << 8) | f[p + 3]!;
      p += 4;
    }
  } else if (lt === 113) {
    p = 16;
    et = (f[14]! << 8) | f[15]!;
  } else if (lt === 276) {
    p = 20;
    et = (f[0]! << 8) | f[1]!;
  } else if (lt === 101 || lt === 12 || lt === 228) {
    p = 0;
    et = 0x0800;
  } else return;
  if (et !== 0x0800 || p + 20 > f.length) return;
  const ihl = (f[p]! & 0x0f) * 4;
  if (f[p]! >> 4 !== 4 || f[p + 9] !== 17) return;
  const fragOff = ((f[p + 6]! & 0x1f) << 8) | f[p + 7]!;
  const more = (f[p + 6]! & 0x20) !== 0;
  if (fragOff !== 0 || more) return;
  const totalLen = (f[p + 2]! << 8) | f[p + 3]!;
  const u = p + ihl;
  if (u + 8 > f.length) return;
  const srcPort = (f[u]! << 8) | f[u + 1]!;
  const dstPort = (f[u + 2]! << 8) | f[u + 3]!;
  const udpLen = (f[u + 4]! << 8) | f[u + 5]!;
  const ipEnd = Math.min(f.length, p + totalLen);
  const end = Math.min(ipEnd, u + Math.max(8, udpLen));
  out.push({ frame, srcPort, dstPort, payload: f.subarray(u + 8, end) });
}

export const DHCP_PORTS = new Set([67, 68, 4011]);

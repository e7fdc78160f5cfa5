import { ReplayError, ReplayErrorCode } from "./errors.js";
import { MAX_RECORD_LENGTH } from "./pcap.js";
import type { CaptureFrame } from "./types.js";

/** Block type of the Section Header Block (the same in both byte orders). */
export const PCAPNG_SHB = 0x0a0d0d0a;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;
const IDB = 1;
const OBSOLETE_PB = 2;
const SPB = 3;
const EPB = 6;
/** Systemd Journal Export and Custom Blocks: Wireshark numbers them as frames, without a packet. */
const NON_PACKET_RECORDS: ReadonlySet<number> = new Set([0x00000009, 0x00000bad, 0x40000bad]);
/** Largest block we accept; Wireshark's limit is of the same order. */
const MAX_BLOCK_LENGTH = 16 * 1024 * 1024;

/** One interface described by an Interface Description Block. */
export interface PcapngInterface {
  /** LINKTYPE_* of the interface. */
  readonly linkType: number;
  readonly snapLength: number;
  /** Timestamp units per second (if_tsresol; 10^6 when absent). */
  readonly unitsPerSecond: bigint;
  /** if_tsoffset, in seconds, added to every timestamp. */
  readonly offsetSeconds: bigint;
}

/** True when `bytes` starts like a pcapng Section Header Block. */
export function isPcapngMagic(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x0a &&
    bytes[1] === 0x0d &&
    bytes[2] === 0x0d &&
    bytes[3] === 0x0a
  );
}

function readInterface(view: DataView, start: number, end: number, le: boolean): PcapngInterface {
  // body: linktype u16, reserved u16, snaplen u32, options
  const linkType = view.getUint16(start, le);
  const snapLength = view.getUint32(start + 4, le);
  let unitsPerSecond = 1_000_000n;
  let offsetSeconds = 0n;
  let o = start + 8;
  while (o + 4 <= end) {
    const code = view.getUint16(o, le);
    const len = view.getUint16(o + 2, le);
    const value = o + 4;
    if (code === 0 || value + len > end) break;
    if (code === 9 && len >= 1) {
      const r = view.getUint8(value);
      const exp = BigInt(r & 0x7f);
      // Exponents beyond 2^63 / 10^18 cannot describe a real clock; keep the default then.
      if ((r & 0x80) !== 0 ? exp <= 63n : exp <= 18n)
        unitsPerSecond = (r & 0x80) !== 0 ? 1n << exp : 10n ** exp;
    } else if (code === 14 && len >= 8) {
      offsetSeconds = view.getBigInt64(value, le);
    }
    o = value + ((len + 3) & ~3);
  }
  return { linkType, snapLength, unitsPerSecond, offsetSeconds };
}

/**
 * Where pcapng reading stands; the reader exposes the interfaces seen so far through it.
 */
export interface PcapngState {
  /** Interfaces of the current section (a new Section Header Block starts a fresh list). */
  interfaces: PcapngInterface[];
  /** Every link type seen in any section, in order of first appearance. */
  linkTypes: number[];
  /**
   * Frames numbered so far: packet blocks plus the non-packet records Wireshark also numbers
   * (systemd journal export and custom blocks), which are counted but not yielded.
   */
  frames: number;
}

function err(code: string, message: string, offset: number, frame?: number): ReplayError {
  return new ReplayError(code, message, offset, frame === undefined ? undefined : { frame });
}

/**
 * Iterates over the packets of a pcapng file: Enhanced, Simple and (obsolete) Packet Blocks, in
 * every section, in either byte order, with per-interface timestamp resolution and offset.
 * Systemd-journal and custom blocks take a frame number (as in Wireshark) but yield nothing; other
 * blocks are skipped. A block that runs past the end of the input or has an impossible length is
 * handed to `fail` and ends the iteration; a packet naming an unknown interface is reported to
 * `report` and skipped.
 */
export function* pcapngFrames(
  bytes: Uint8Array,
  state: PcapngState,
  fail: (e: ReplayError) => void,
  report: (e: ReplayError) => void,
): Generator<CaptureFrame, void, undefined> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let le = true;
  let offset = 0;
  let frame = state.frames;
  let sawSection = false;
  while (offset < bytes.length) {
    const next = frame + 1;
    if (bytes.length - offset < 12) {
      fail(
        err(
          ReplayErrorCode.Truncated,
          `block header cut short (${bytes.length - offset} bytes left)`,
          offset,
        ),
      );
      return;
    }
    const rawType = view.getUint32(offset, true);
    if (rawType === PCAPNG_SHB) {
      const bom = view.getUint32(offset + 8, true);
      if (bom === BYTE_ORDER_MAGIC) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else {
        fail(
          err(
            ReplayErrorCode.BadRecord,
            "section header block has no valid byte-order magic",
            offset + 8,
          ),
        );
        return;
      }
      sawSection = true;
    } else if (!sawSection) {
      fail(
        err(
          ReplayErrorCode.NotACapture,
          "pcapng input does not start with a section header block",
          offset,
        ),
      );
      return;
    }
    const type = view.getUint32(offset, le);
    const total = view.getUint32(offset + 4, le);
    if (total < 12 || total % 4 !== 0 || total > MAX_BLOCK_LENGTH) {
      fail(err(ReplayErrorCode.BadRecord, `block total length ${total} is invalid`, offset + 4));
      return;
    }
    if (bytes.length - offset < total) {
      fail(
        err(
          ReplayErrorCode.Truncated,
          `block cut short (${bytes.length - offset} of ${total} bytes)`,
          offset,
        ),
      );
      return;
    }
    const end = offset + total - 4;
    if (view.getUint32(end, le) !== total) {
      fail(
        err(
          ReplayErrorCode.BadRecord,
          "block trailing length differs from its leading length",
          end,
        ),
      );
      return;
    }
    const body = offset + 8;
    const bodyLen = end - body;
    if (type === PCAPNG_SHB) {
      if (bodyLen < 16) {
        fail(err(ReplayErrorCode.BadRecord, "section header block too short", offset));
        return;
      }
      const major = view.getUint16(body + 4, le);
      if (major !== 1) {
        fail(err(ReplayErrorCode.BadRecord, `unsupported pcapng major version ${major}`, body + 4));
        return;
      }
      state.interfaces = [];
    } else if (type === IDB) {
      if (bodyLen < 8) {
        fail(err(ReplayErrorCode.BadRecord, "interface description block too short", offset));
        return;
      }
      const itf = readInterface(view, body, end, le);
      state.interfaces.push(itf);
      if (!state.linkTypes.includes(itf.linkType)) state.linkTypes.push(itf.linkType);
    } else if (NON_PACKET_RECORDS.has(type)) {
      frame = next;
      state.frames = frame;
    } else if (type === EPB || type === OBSOLETE_PB || type === SPB) {
      frame = next;
      state.frames = frame;
      let ifId: number;
      let tsUnits: bigint | undefined;
      let capLen: number;
      let origLen: number;
      let data: number;
      if (type === SPB) {
        if (bodyLen < 4) {
          fail(err(ReplayErrorCode.BadRecord, "simple packet block too short", offset, frame));
          return;
        }
        ifId = 0;
        origLen = view.getUint32(body, le);
        data = body + 4;
        const snap = state.interfaces[0]?.snapLength ?? 0;
        capLen = Math.min(origLen, end - data, snap === 0 ? Number.MAX_SAFE_INTEGER : snap);
      } else {
        if (bodyLen < 20) {
          fail(err(ReplayErrorCode.BadRecord, "packet block too short", offset, frame));
          return;
        }
        ifId = type === EPB ? view.getUint32(body, le) : view.getUint16(body, le);
        tsUnits =
          (BigInt(view.getUint32(body + 4, le)) << 32n) | BigInt(view.getUint32(body + 8, le));
        capLen = view.getUint32(body + 12, le);
        origLen = view.getUint32(body + 16, le);
        data = body + 20;
        if (capLen > end - data || capLen > MAX_RECORD_LENGTH) {
          fail(
            err(
              ReplayErrorCode.BadRecord,
              `captured length ${capLen} does not fit in its block`,
              body + 12,
              frame,
            ),
          );
          return;
        }
      }
      const itf = state.interfaces[ifId];
      if (itf === undefined) {
        report(
          err(
            ReplayErrorCode.BadInterface,
            `packet names interface ${ifId}, which was not described`,
            body,
            frame,
          ),
        );
      } else {
        yield {
          frame,
          offset,
          timestampNs:
            tsUnits === undefined
              ? 0n
              : (tsUnits * 1_000_000_000n) / itf.unitsPerSecond +
                itf.offsetSeconds * 1_000_000_000n,
          interfaceId: ifId,
          linkType: itf.linkType,
          originalLength: origLen,
          data: bytes.subarray(data, data + capLen),
        };
      }
    }
    offset += total;
  }
}

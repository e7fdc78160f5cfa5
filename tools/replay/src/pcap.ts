import { ReplayError, ReplayErrorCode } from "./errors.js";
import type { CaptureFrame } from "./types.js";

/** Largest record we accept, as Wireshark's wiretap does (WTAP_MAX_PACKET_SIZE_STANDARD). */
export const MAX_RECORD_LENGTH = 262_144;

/** What the 24-byte classic pcap file header says. */
export interface PcapHeader {
  readonly littleEndian: boolean;
  /** 1e6 for microsecond files, 1e9 for nanosecond files. */
  readonly unitsPerSecond: number;
  /** True for Alexey Kuznetsov's "modified" pcap (24-byte record headers). */
  readonly modified: boolean;
  readonly versionMajor: number;
  readonly versionMinor: number;
  readonly snapLength: number;
  /** LINKTYPE_* (low 16 bits of the header's link-type field). */
  readonly linkType: number;
}

const MAGICS: Record<number, { le: boolean; units: number; modified: boolean }> = {
  2712847316: { le: false, units: 1e6, modified: false },
  3569595041: { le: true, units: 1e6, modified: false },
  2712812621: { le: false, units: 1e9, modified: false },
  1295823521: { le: true, units: 1e9, modified: false },
  2712849716: { le: false, units: 1e6, modified: true },
  885895841: { le: true, units: 1e6, modified: true },
};

/** True when `bytes` starts with one of the classic pcap magics (any byte order or resolution). */
export function isPcapMagic(bytes: Uint8Array): boolean {
  if (bytes.length < 4) return false;
  const m =
    ((bytes[0] as number) << 24) |
    ((bytes[1] as number) << 16) |
    ((bytes[2] as number) << 8) |
    (bytes[3] as number);
  return MAGICS[m >>> 0] !== undefined;
}

/**
 * Decodes the classic pcap file header. Throws {@link ReplayError} `not-a-capture` for an unknown
 * magic or a header cut short.
 */
export function decodePcapHeader(bytes: Uint8Array): PcapHeader {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4)
    throw new ReplayError(ReplayErrorCode.NotACapture, "input too short for a capture magic", 0);
  const magic = MAGICS[view.getUint32(0, false)];
  if (magic === undefined) {
    throw new ReplayError(ReplayErrorCode.NotACapture, "unknown classic pcap magic", 0);
  }
  if (bytes.length < 24) {
    throw new ReplayError(
      ReplayErrorCode.NotACapture,
      "pcap file header cut short (24 bytes needed)",
      bytes.length,
    );
  }
  const le = magic.le;
  return {
    littleEndian: le,
    unitsPerSecond: magic.units,
    modified: magic.modified,
    versionMajor: view.getUint16(4, le),
    versionMinor: view.getUint16(6, le),
    snapLength: view.getUint32(16, le),
    linkType: view.getUint32(20, le) & 0xffff,
  };
}

/**
 * Iterates over the records of a classic pcap file. A record that runs past the end of the input
 * or has an impossible length is handed to `fail` (with its frame number and offset) and ends the
 * iteration: nothing after it can be trusted.
 */
export function* pcapFrames(
  bytes: Uint8Array,
  header: PcapHeader,
  fail: (e: ReplayError) => void,
): Generator<CaptureFrame, void, undefined> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = header.littleEndian;
  const recordHeader = header.modified ? 24 : 16;
  const nsPerUnit = header.unitsPerSecond === 1e9 ? 1n : 1000n;
  let offset = 24;
  let frame = 0;
  while (offset < bytes.length) {
    frame++;
    if (bytes.length - offset < recordHeader) {
      fail(
        new ReplayError(
          ReplayErrorCode.Truncated,
          `record header cut short (${bytes.length - offset} of ${recordHeader} bytes)`,
          offset,
          { frame },
        ),
      );
      return;
    }
    const sec = view.getUint32(offset, le);
    const frac = view.getUint32(offset + 4, le);
    const capLen = view.getUint32(offset + 8, le);
    const origLen = view.getUint32(offset + 12, le);
    if (capLen > MAX_RECORD_LENGTH) {
      fail(
        new ReplayError(
          ReplayErrorCode.BadRecord,
          `record length ${capLen} exceeds ${MAX_RECORD_LENGTH}`,
          offset + 8,
          { frame },
        ),
      );
      return;
    }
    const dataStart = offset + recordHeader;
    if (bytes.length - dataStart < capLen) {
      fail(
        new ReplayError(
          ReplayErrorCode.Truncated,
          `record data cut short (${bytes.length - dataStart} of ${capLen} bytes)`,
          offset,
          { frame },
        ),
      );
      return;
    }
    yield {
      frame,
      offset,
      timestampNs: BigInt(sec) * 1_000_000_000n + BigInt(frac) * nsPerUnit,
      interfaceId: 0,
      linkType: header.linkType,
      originalLength: origLen,
      data: bytes.subarray(dataStart, dataStart + capLen),
    };
    offset = dataStart + capLen;
  }
}

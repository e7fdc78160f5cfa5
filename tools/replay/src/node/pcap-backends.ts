import { Readable } from "node:stream";
import * as pcapParser from "pcap-parser";
import { ReplayError, ReplayErrorCode } from "../errors.js";
import { decodePcapHeader, pcapFrames } from "../pcap.js";
import type { CaptureFrame } from "../types.js";

/** What a classic-pcap backend returns: the link type and the frames before any fatal problem. */
export interface ClassicPcapResult {
  readonly linkType: number;
  readonly snapLength: number;
  readonly frames: readonly CaptureFrame[];
  /** The problem that ended reading early, if any. */
  readonly fatal: ReplayError | undefined;
}

/**
 * A reader of classic pcap files, so the implementation can be swapped. Throws (rejects with)
 * {@link ReplayError} `not-a-capture` when the bytes are not a classic pcap it can read.
 */
export interface ClassicPcapBackend {
  readonly name: string;
  read(bytes: Uint8Array): Promise<ClassicPcapResult>;
}

/**
 * The built-in reader (the one {@link openCapture} uses): synchronous, zero-copy, reads every
 * classic variant (both byte orders, micro- and nanosecond, Kuznetsov's modified format) and
 * reports a truncated record with its frame and offset.
 */
export const builtinPcapBackend: ClassicPcapBackend = {
  name: "builtin",
  read(bytes) {
    return new Promise((resolve, reject) => {
      try {
        const header = decodePcapHeader(bytes);
        let fatal: ReplayError | undefined;
        const frames = [
          ...pcapFrames(bytes, header, (e) => {
            fatal = e;
          }),
        ];
        resolve({ linkType: header.linkType, snapLength: header.snapLength, frames, fatal });
      } catch (e) {
        reject(e);
      }
    });
  },
};

/**
 * The npm `pcap-parser` 0.2.1 package as an alternative backend. It reads only microsecond
 * classic pcap (its magic check rejects nanosecond and modified files: those reject with
 * `not-a-capture`), copies each packet out of a growing buffer (fed here as one chunk, so without
 * its quadratic growth), and ends silently on a truncated last record, which this wrapper detects
 * from the byte count and reports like the built-in reader.
 */
export const pcapParserBackend: ClassicPcapBackend = {
  name: "pcap-parser",
  read(bytes) {
    return new Promise((resolve, reject) => {
      const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      const parser = pcapParser.parse(Readable.from([buf], { objectMode: false }));
      const frames: CaptureFrame[] = [];
      let linkType = -1;
      let snapLength = 0;
      let offset = 24;
      let failed = false;
      parser.on("globalHeader", (h) => {
        linkType = h.linkLayerType & 0xffff;
        snapLength = h.snapshotLength;
      });
      parser.on("packet", (p) => {
        const start = offset + 16;
        frames.push({
          frame: frames.length + 1,
          offset,
          timestampNs:
            BigInt(p.header.timestampSeconds) * 1_000_000_000n +
            BigInt(p.header.timestampMicroseconds) * 1000n,
          interfaceId: 0,
          linkType,
          originalLength: p.header.originalLength,
          // pcap-parser hands out a Buffer over its own copy; view the caller's bytes instead.
          data: bytes.subarray(start, start + p.data.length),
        });
        offset = start + p.data.length;
      });
      parser.on("error", (e) => {
        failed = true;
        reject(
          new ReplayError(ReplayErrorCode.NotACapture, `pcap-parser: ${e.message}`, 0, {
            cause: e,
          }),
        );
      });
      parser.on("end", () => {
        if (failed) return;
        if (linkType < 0) {
          reject(new ReplayError(ReplayErrorCode.NotACapture, "pcap-parser: no file header", 0));
          return;
        }
        const fatal =
          offset < bytes.length
            ? new ReplayError(ReplayErrorCode.Truncated, "record cut short", offset, {
                frame: frames.length + 1,
              })
            : undefined;
        resolve({ linkType, snapLength, frames, fatal });
      });
    });
  },
};

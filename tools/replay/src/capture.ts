import { Classifier, type ClassifierOptions } from "./classify.js";
import { PacketDecoder } from "./decode.js";
import { isReplayError, ReplayError, ReplayErrorCode } from "./errors.js";
import { decodePcapHeader, isPcapMagic, type PcapHeader, pcapFrames } from "./pcap.js";
import { isPcapngMagic, type PcapngState, pcapngFrames } from "./pcapng.js";
import type { ReassemblyLimits } from "./reassembly.js";
import type { CaptureFormat, CaptureFrame, UdpDatagram } from "./types.js";

/** Inflates a whole gzip member; `@pxe/replay/node` passes Node's `zlib.gunzipSync`. */
export type Gunzip = (bytes: Uint8Array) => Uint8Array;

/** Options of {@link openCapture} and {@link readCapture}. */
export interface CaptureOptions extends ClassifierOptions {
  /**
   * Inflates gzip input (detected by its magic bytes 1f 8b, never by file name). Without it, gzip
   * input is rejected with `not-a-capture`; `@pxe/replay/node` always provides one.
   */
  readonly gunzip?: Gunzip;
  /** Bounds of IP fragment reassembly. */
  readonly reassembly?: ReassemblyLimits;
  /** Largest inflated size accepted from gzip input, in bytes (default 1 GiB). */
  readonly maxInflatedBytes?: number;
}

/** True when `bytes` start with the gzip magic (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/**
 * Detects the container format of `bytes` (after gzip) without reading further, or `undefined`
 * when it is not a capture this package reads.
 */
export function detectFormat(bytes: Uint8Array): CaptureFormat | undefined {
  if (isPcapngMagic(bytes)) return "pcapng";
  if (isPcapMagic(bytes)) return "pcap";
  return undefined;
}

/**
 * An open capture: its format and link types, and iterators over its frames and UDP datagrams.
 * Every iteration starts from the first frame and never throws for bad input: a corrupt or
 * truncated capture ends the iteration and leaves a {@link ReplayError} in {@link fatal} (and in
 * {@link errors}); per-frame decode problems are added to {@link errors} and reading continues.
 */
export class CaptureReader {
  /** `pcap` or `pcapng`. */
  readonly format: CaptureFormat;
  /** True when the input was gzip-compressed. */
  readonly compressed: boolean;
  /** The (inflated) capture bytes; frames and payloads are views into them. */
  readonly bytes: Uint8Array;
  /** The classic pcap file header, for `pcap` captures. */
  readonly pcapHeader: PcapHeader | undefined;
  readonly #options: CaptureOptions;
  #linkTypes: number[];
  #errors: ReplayError[] = [];
  #fatal: ReplayError | undefined;
  #frameCount = 0;

  /** Use {@link openCapture}. */
  constructor(
    bytes: Uint8Array,
    format: CaptureFormat,
    compressed: boolean,
    options: CaptureOptions,
  ) {
    this.bytes = bytes;
    this.format = format;
    this.compressed = compressed;
    this.#options = options;
    this.pcapHeader = format === "pcap" ? decodePcapHeader(bytes) : undefined;
    this.#linkTypes = this.pcapHeader === undefined ? [] : [this.pcapHeader.linkType];
  }

  /** LINKTYPE_* values of the capture's interfaces (pcapng: those seen so far, in order). */
  get linkTypes(): readonly number[] {
    return this.#linkTypes;
  }

  /** Frames counted by the last (or current) iteration. */
  get frameCount(): number {
    return this.#frameCount;
  }

  /** Every problem found by the last (or current) iteration, fatal or per frame, in order. */
  get errors(): readonly ReplayError[] {
    return this.#errors;
  }

  /** The problem that ended the last iteration early, if any. */
  get fatal(): ReplayError | undefined {
    return this.#fatal;
  }

  /** Iterates over the raw frames. Resets {@link frameCount}, {@link errors} and {@link fatal}. */
  *frames(): Generator<CaptureFrame, void, undefined> {
    this.#errors = [];
    this.#fatal = undefined;
    this.#frameCount = 0;
    const fail = (e: ReplayError) => {
      this.#fatal = e;
      this.#errors.push(e);
    };
    const report = (e: ReplayError) => {
      this.#errors.push(e);
      if (e.frame !== undefined && e.frame > this.#frameCount) this.#frameCount = e.frame;
    };
    let it: Generator<CaptureFrame, void, undefined>;
    let state: PcapngState | undefined;
    if (this.pcapHeader !== undefined) {
      it = pcapFrames(this.bytes, this.pcapHeader, fail);
    } else {
      state = { interfaces: [], linkTypes: [], frames: 0 };
      this.#linkTypes = state.linkTypes;
      it = pcapngFrames(this.bytes, state, fail, report);
    }
    try {
      for (const f of it) {
        this.#frameCount = f.frame;
        yield f;
      }
      if (state !== undefined) this.#frameCount = state.frames;
    } catch (e) {
      // Defensive: the format readers check every length, so this is a bug, not bad input.
      fail(
        isReplayError(e)
          ? e
          : new ReplayError(
              ReplayErrorCode.BadRecord,
              `internal error while reading: ${String(e)}`,
              undefined,
              {
                cause: e,
                frame: this.#frameCount + 1,
              },
            ),
      );
    }
    const fatal = this.#fatal as ReplayError | undefined; // assigned by the callbacks above
    if (fatal?.frame !== undefined) this.#frameCount = Math.max(this.#frameCount, fatal.frame - 1);
  }

  /**
   * Iterates over the UDP datagrams, decoded (link layer, IPv4/IPv6 with fragment reassembly,
   * UDP) and classified. Same reset and error behaviour as {@link frames}.
   */
  *datagrams(): Generator<UdpDatagram, void, undefined> {
    const decoder = new PacketDecoder((e) => this.#errors.push(e), this.#options.reassembly);
    const classifier = new Classifier(this.#options);
    const base = this.bytes.byteOffset;
    for (const f of this.frames()) {
      let d: ReturnType<PacketDecoder["decode"]>;
      try {
        d = decoder.decode(f, f.data.byteOffset - base);
      } catch (e) {
        // Defensive, as above: report and go on with the next frame.
        this.#errors.push(
          new ReplayError(
            ReplayErrorCode.BadIp,
            `internal error while decoding: ${String(e)}`,
            f.offset,
            {
              cause: e,
              frame: f.frame,
            },
          ),
        );
        continue;
      }
      if (d !== undefined) {
        d.kind = classifier.classify(d);
        yield d;
      }
    }
  }
}

/**
 * Opens a capture held in memory: detects gzip (by magic), then pcap or pcapng, and decodes the
 * file header. Throws {@link ReplayError} (`not-a-capture`, `bad-gzip`) when the bytes are not a
 * capture; anything wrong after the file header is reported by the iterators instead.
 *
 * @example
 * ```ts
 * const cap = openCapture(bytes);
 * for (const d of cap.datagrams()) if (d.kind === "dhcp") console.log(d.frame, d.srcAddr);
 * console.log(cap.frameCount, cap.errors);
 * ```
 */
export function openCapture(bytes: Uint8Array, options: CaptureOptions = {}): CaptureReader {
  // A plain Uint8Array view: subarray() on Node's Buffer subclass is several times slower.
  let data =
    bytes.constructor === Uint8Array
      ? bytes
      : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let compressed = false;
  if (isGzip(bytes)) {
    if (options.gunzip === undefined) {
      throw new ReplayError(
        ReplayErrorCode.NotACapture,
        "gzip input needs a gunzip function (use @pxe/replay/node)",
        0,
      );
    }
    try {
      const inflated = options.gunzip(bytes);
      data = new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.byteLength);
    } catch (e) {
      throw new ReplayError(
        ReplayErrorCode.BadGzip,
        `gzip data does not inflate: ${e instanceof Error ? e.message : String(e)}`,
        0,
        {
          cause: e,
        },
      );
    }
    compressed = true;
    const max = options.maxInflatedBytes ?? 1 << 30;
    if (data.length > max)
      throw new ReplayError(ReplayErrorCode.BadGzip, `gzip data inflates beyond ${max} bytes`, 0);
  }
  const format = detectFormat(data);
  if (format === undefined) {
    throw new ReplayError(
      ReplayErrorCode.NotACapture,
      data.length < 4
        ? "input too short to be a capture"
        : "not a pcap or pcapng capture (unknown magic)",
      0,
    );
  }
  return new CaptureReader(data, format, compressed, options);
}

/** Everything {@link readCapture} found in one capture. */
export interface CaptureSummary {
  readonly format: CaptureFormat;
  readonly compressed: boolean;
  /** LINKTYPE_* values of the capture's interfaces. */
  readonly linkTypes: readonly number[];
  /** Frames read (those before a fatal error). */
  readonly frames: number;
  /** The UDP datagrams, classified, in capture order (payloads are views). */
  readonly datagrams: readonly UdpDatagram[];
  /** Problems found, fatal or per frame, in order. */
  readonly errors: readonly ReplayError[];
  /** The problem that ended reading early, if any (also in `errors`). */
  readonly fatal: ReplayError | undefined;
}

/**
 * Reads a whole capture held in memory. Throws {@link ReplayError} only when the bytes are not a
 * capture at all (see {@link openCapture}); a truncated or corrupt capture gives the frames before
 * the damage and a `fatal` error naming the frame and offset.
 */
export function readCapture(bytes: Uint8Array, options: CaptureOptions = {}): CaptureSummary {
  const cap = openCapture(bytes, options);
  const datagrams = [...cap.datagrams()];
  return {
    format: cap.format,
    compressed: cap.compressed,
    linkTypes: [...cap.linkTypes],
    frames: cap.frameCount,
    datagrams,
    errors: cap.errors,
    fatal: cap.fatal,
  };
}

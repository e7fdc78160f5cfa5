/**
 * @pxe/replay/node: read capture files from disk, gzip included. Re-exports the whole
 * `@pxe/replay` API, so test suites need only this import.
 *
 * @packageDocumentation
 */
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import {
  type CaptureOptions,
  type CaptureReader,
  type CaptureSummary,
  openCapture as openCaptureBytes,
  readCapture as readCaptureBytes,
} from "../capture.js";
import { ReplayError, ReplayErrorCode } from "../errors.js";

export * from "../index.js";
export {
  builtinPcapBackend,
  type ClassicPcapBackend,
  type ClassicPcapResult,
  pcapParserBackend,
} from "./pcap-backends.js";

/** Node's gunzip, for {@link CaptureOptions.gunzip}. Handles multi-member gzip files. */
export function gunzip(bytes: Uint8Array): Uint8Array {
  return gunzipSync(bytes);
}

/** Reads a whole file; throws {@link ReplayError} `io` when it cannot be read. */
export function readFileBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    throw new ReplayError(
      ReplayErrorCode.Io,
      `cannot read ${path}: ${e instanceof Error ? e.message : String(e)}`,
      undefined,
      {
        cause: e,
      },
    );
  }
}

function bytesOf(input: Uint8Array | string): Uint8Array {
  return typeof input === "string" ? readFileBytes(input) : input;
}

/**
 * Opens a capture file (or bytes), gzip-compressed or not. Throws {@link ReplayError} `io`,
 * `not-a-capture` or `bad-gzip`; see `openCapture` in `@pxe/replay` for the rest.
 */
export function openCapture(
  input: Uint8Array | string,
  options: CaptureOptions = {},
): CaptureReader {
  return openCaptureBytes(bytesOf(input), { gunzip, ...options });
}

/**
 * Reads a whole capture file (or bytes), gzip-compressed or not, into a summary with every
 * classified UDP datagram. Throws only when the input cannot be read or is not a capture.
 *
 * @example
 * ```ts
 * import { readCapture } from "@pxe/replay/node";
 * const cap = readCapture("test/captures/tftp-hpa-get.pcap");
 * const tftp = cap.datagrams.filter((d) => d.kind === "tftp");
 * ```
 */
export function readCapture(
  input: Uint8Array | string,
  options: CaptureOptions = {},
): CaptureSummary {
  return readCaptureBytes(bytesOf(input), { gunzip, ...options });
}

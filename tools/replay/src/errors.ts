/**
 * Base class of every error that @pxe/replay throws or reports on purpose.
 *
 * It carries a stable machine-readable `code`, the absolute `offset` into the (decompressed)
 * capture bytes where the problem was found, and, when the problem belongs to one frame, that
 * frame's 1-based number (`frame`, counted as Wireshark/tshark count them). Checks should use
 * {@link isReplayError} rather than `instanceof`, which fails when both the ESM and the CJS build of
 * the package are loaded in one process.
 */
export class ReplayError extends Error {
  /** Stable, machine-readable reason, e.g. `"truncated"` or `"bad-value"`. See {@link ReplayErrorCode}. */
  readonly code: string;
  /** Absolute offset into the input where the problem was found, when there is one. */
  readonly offset: number | undefined;
  /** 1-based frame number the problem belongs to, when there is one. */
  readonly frame: number | undefined;
  /** The message without the "(at frame N, offset M)" suffix. */
  readonly detail: string;

  constructor(
    code: string,
    message: string,
    offset?: number,
    options?: { cause?: unknown; frame?: number | undefined },
  ) {
    const frame = options?.frame;
    const where = [
      frame === undefined ? undefined : `frame ${frame}`,
      offset === undefined ? undefined : `offset ${offset}`,
    ].filter((s) => s !== undefined);
    super(
      where.length === 0 ? message : `${message} (at ${where.join(", ")})`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "ReplayError";
    this.code = code;
    this.offset = offset;
    this.frame = frame;
    this.detail = message;
  }
}

/** True when `e` is a {@link ReplayError} from any copy (ESM or CJS) of @pxe/replay. */
export function isReplayError(e: unknown): e is ReplayError {
  return (
    e instanceof Error &&
    e.name === "ReplayError" &&
    typeof (e as { code?: unknown }).code === "string"
  );
}

/**
 * The codes @pxe/replay uses. The first group is fatal (the capture cannot be read further), the
 * second is per frame (that frame's packet is skipped, reading continues).
 */
export const ReplayErrorCode = {
  /** The bytes are not a pcap/pcapng capture (unknown magic, or too short for a file header). */
  NotACapture: "not-a-capture",
  /** gzip data that does not inflate. */
  BadGzip: "bad-gzip",
  /** The file cannot be read (I/O error). */
  Io: "io",
  /** A record or block runs past the end of the input. */
  Truncated: "truncated",
  /** A record or block header holds an impossible value (length, version, byte order). */
  BadRecord: "bad-record",
  /** A packet refers to an interface that was never described. */
  BadInterface: "bad-interface",
  /** A frame's link-layer header is cut short or inconsistent. */
  BadLink: "bad-link",
  /** A link type this reader does not decode (reported once per link type). */
  UnsupportedLink: "unsupported-link",
  /** A bad IPv4/IPv6 header (version, header length, total length, extension headers). */
  BadIp: "bad-ip",
  /** A bad or truncated UDP header. */
  BadUdp: "bad-udp",
  /** Fragment reassembly gave up (overlap, too large, or too many pending datagrams). */
  Reassembly: "reassembly",
} as const;
/** A {@link ReplayErrorCode} value, or any other string a newer version may add. */
export type ReplayErrorCode =
  | (typeof ReplayErrorCode)[keyof typeof ReplayErrorCode]
  | (string & {});

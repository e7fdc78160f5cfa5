/**
 * Typed TFTP options (RFC 2347 framework; blksize RFC 2348, timeout and tsize RFC 2349,
 * windowsize RFC 7440; the non-standard `rollover` of tftp-hpa and node-tftp, and this
 * library's own `rcvbuf`, see {@link RequestedOptions.rcvbuf}) and the negotiation rules of
 * both sides.
 */
import type { TftpOption } from "./wire.js";

/** Defaults and bounds of the known options. */
export const OptionLimits = {
  blksizeMin: 8,
  blksizeMax: 65464,
  blksizeDefault: 512,
  timeoutMin: 1,
  timeoutMax: 255,
  windowsizeMin: 1,
  windowsizeMax: 65535,
} as const;

/** The known options a request carried, with valid values only. */
export interface RequestedOptions {
  blksize?: number;
  timeout?: number;
  tsize?: number;
  windowsize?: number;
  rollover?: 0 | 1;
  /**
   * Non-standard (this library): the bytes of kernel receive buffer the client has for the
   * transfer, as `getsockopt(SO_RCVBUF)` reports it. A client sends it with a windowsize larger
   * than a default receive buffer holds, so the server can grant that window without guessing
   * (servers that do not know it ignore it, RFC 2347). Never in an OACK: the windowsize granted
   * is the answer.
   */
  rcvbuf?: number;
  /** Lower-cased names of known options whose value was malformed or out of range (left out of an OACK). */
  readonly invalid: string[];
  /** Options this library does not know, kept and ignored (RFC 2347). */
  readonly unknown: TftpOption[];
}

const DIGITS = /^[0-9]{1,16}$/;

function parseNumber(value: string): number | undefined {
  return DIGITS.test(value) ? Number(value) : undefined;
}

/**
 * Reads the options of a request (names case-insensitive). Out-of-range or malformed values are
 * reported in `invalid` and otherwise ignored; a blksize above 65464 is kept (the server answers
 * its maximum, RFC 2348). The first occurrence of a repeated option wins.
 */
export function parseRequestOptions(options: readonly TftpOption[]): RequestedOptions {
  const r: RequestedOptions = { invalid: [], unknown: [] };
  const seen = new Set<string>();
  for (const o of options) {
    const name = o.name.toLowerCase();
    if (seen.has(name)) continue;
    seen.add(name);
    const n = parseNumber(o.value);
    switch (name) {
      case "blksize":
        if (n !== undefined && n >= OptionLimits.blksizeMin) r.blksize = n;
        else r.invalid.push(name);
        break;
      case "timeout":
        if (n !== undefined && n >= OptionLimits.timeoutMin && n <= OptionLimits.timeoutMax)
          r.timeout = n;
        else r.invalid.push(name);
        break;
      case "tsize":
        if (n !== undefined && Number.isSafeInteger(n)) r.tsize = n;
        else r.invalid.push(name);
        break;
      case "windowsize":
        if (n !== undefined && n >= OptionLimits.windowsizeMin && n <= OptionLimits.windowsizeMax)
          r.windowsize = n;
        else r.invalid.push(name);
        break;
      case "rollover":
        if (n === 0 || n === 1) r.rollover = n;
        else r.invalid.push(name);
        break;
      case "rcvbuf":
        if (n !== undefined && n >= 1 && Number.isSafeInteger(n)) r.rcvbuf = n;
        else r.invalid.push(name);
        break;
      default:
        r.unknown.push(o);
    }
  }
  return r;
}

/** Parameters a transfer runs with once negotiation is over. */
export interface TransferParams {
  blksize: number;
  windowsize: number;
  /** Retransmission timeout asked for by the option, in ms (undefined: the engine's own policy). */
  timeoutMs: number | undefined;
  /** Transfer size when one side announced it. */
  tsize: number | undefined;
  /** Block number after 65535: 0 (default) or 1. */
  rollover: 0 | 1;
}

/** Default kernel-memory budget of one window (see {@link ServerNegotiation.maxWindowBytes}). */
export const DEFAULT_WINDOW_BUDGET = 190000;

/** Share of a declared receive buffer (`rcvbuf`) a window may fill. */
export const RCVBUF_SHARE = 0.9;

/** Largest declared receive buffer a server takes into account by default (bytes). */
export const DEFAULT_MAX_DECLARED_RCVBUF = 16 << 20;

/**
 * Kernel memory (Linux _truesize_) one DATA datagram of `blksize` takes in a UDP socket buffer,
 * an upper estimate from loopback measurements: up to 16 KiB about twice the datagram and at
 * least 2304 bytes (1472-byte datagrams take 2.3 KiB, 8196-byte ones 17 KiB); beyond, the data
 * sits in pages and costs its size plus about 4 KiB (32772 bytes: 35 KiB, 65468: 69 KiB).
 */
export function datagramTruesize(blksize: number): number {
  const d = blksize + 4;
  return d <= 16388 ? Math.max(2304, 2 * d) : d + 4096;
}

/** Largest windowsize (>= 1) whose datagrams fit `budgetBytes` of socket buffer. */
export function windowFit(blksize: number, budgetBytes: number): number {
  return Math.max(1, Math.floor(budgetBytes / datagramTruesize(blksize)));
}

/** Server-side negotiation settings. */
export interface ServerNegotiation {
  /** Largest blksize granted; larger requests get this value (RFC 2348). Default 1468. */
  maxBlksize?: number;
  /** Largest windowsize granted. Default 64. */
  maxWindowsize?: number;
  /**
   * Kernel memory a window may take in the receiver's socket buffer, in bytes of _truesize_
   * (see {@link datagramTruesize}): the windowsize granted is at most
   * `floor(maxWindowBytes / datagramTruesize(blksize))`. Default 190000, which fits a Linux
   * socket's default receive buffer (`net.core.rmem_default` 212992) with room to spare: 64
   * blocks at 1468, 11 at 8192, 2 at 65464. A window that overflows the peer's buffer loses its
   * tail in the peer's kernel every time, and the peer (seeing no out-of-order block) stays
   * silent until a timer fires.
   */
  maxWindowBytes?: number;
  /**
   * A read request's `rcvbuf` (the client's declared receive buffer, see
   * {@link RequestedOptions.rcvbuf}) raises the window budget to 90 % of it, up to this many
   * bytes; 0 ignores the option. Default 16 MiB. The windowsize is still capped by
   * {@link maxWindowsize}.
   */
  maxDeclaredRcvbuf?: number;
  /**
   * Whether to accept the `timeout` option (echo it and use it as the fixed first timeout).
   * Default false: the option is left out of the OACK (RFC 2347 allows it) and the transfer uses
   * the adaptive retransmission timeout measured from round trips (RFC 1123 4.2.3.2).
   */
  acceptTimeout?: boolean;
  /** Rollover used when the client does not ask for one. Default 0. */
  rollover?: 0 | 1;
}

/** Result of {@link negotiateServer}. */
export type ServerNegotiationResult =
  | { ok: true; oack: TftpOption[] | undefined; params: TransferParams }
  | { ok: false; code: number; message: string };

/** Facts about the request needed to negotiate. */
export interface NegotiationRequest {
  kind: "read" | "write";
  /** Mode, lower-cased. tsize is only offered in octet mode. */
  mode: string;
  options: readonly TftpOption[];
  /** Size of the file to be read, when known (answers `tsize 0`). */
  size?: number | undefined;
  /** Largest WRQ size accepted; a larger announced tsize is refused with error 8. */
  maxWriteSize?: number | undefined;
}

/**
 * Server-side option negotiation (RFC 2347 and the field lessons): an OACK carries only options
 * the client asked for and the server accepts; a blksize above the maximum is answered with the
 * maximum; malformed or out-of-range values are left out; with no accepted option there is no
 * OACK (RFC 1350 behaviour). Error 8 only when the request cannot be served as stated (a WRQ whose
 * tsize exceeds `maxWriteSize`).
 */
export function negotiateServer(
  req: NegotiationRequest,
  cfg: ServerNegotiation = {},
): ServerNegotiationResult {
  const maxBlksize = Math.min(cfg.maxBlksize ?? 1468, OptionLimits.blksizeMax);
  const maxWindow = cfg.maxWindowsize ?? 64;
  const r = parseRequestOptions(req.options);
  let maxWindowBytes = cfg.maxWindowBytes ?? DEFAULT_WINDOW_BUDGET;
  const declaredCap = cfg.maxDeclaredRcvbuf ?? DEFAULT_MAX_DECLARED_RCVBUF;
  if (req.kind === "read" && r.rcvbuf !== undefined && declaredCap > 0)
    maxWindowBytes = Math.max(
      maxWindowBytes,
      Math.floor(Math.min(r.rcvbuf, declaredCap) * RCVBUF_SHARE),
    );
  const params: TransferParams = {
    blksize: OptionLimits.blksizeDefault,
    windowsize: 1,
    timeoutMs: undefined,
    tsize: undefined,
    rollover: cfg.rollover ?? 0,
  };
  const oack: TftpOption[] = [];
  // Keep the client's order of options in the OACK.
  const order: string[] = [];
  for (const o of req.options) {
    const n = o.name.toLowerCase();
    if (!order.includes(n)) order.push(n);
  }
  for (const name of order) {
    switch (name) {
      case "blksize":
        if (r.blksize !== undefined) {
          params.blksize = Math.max(OptionLimits.blksizeMin, Math.min(r.blksize, maxBlksize));
          oack.push({ name, value: String(params.blksize) });
        }
        break;
      case "timeout":
        if (r.timeout !== undefined && cfg.acceptTimeout === true) {
          params.timeoutMs = r.timeout * 1000;
          oack.push({ name, value: String(r.timeout) });
        }
        break;
      case "tsize":
        if (r.tsize !== undefined && req.mode === "octet") {
          if (req.kind === "read") {
            if (req.size !== undefined) {
              params.tsize = req.size;
              oack.push({ name, value: String(req.size) });
            }
          } else {
            if (req.maxWriteSize !== undefined && r.tsize > req.maxWriteSize) {
              return {
                ok: false,
                code: 8,
                message: `tsize ${r.tsize} exceeds the ${req.maxWriteSize} bytes allowed`,
              };
            }
            params.tsize = r.tsize;
            oack.push({ name, value: String(r.tsize) });
          }
        }
        break;
      case "windowsize":
        if (r.windowsize !== undefined && maxWindow >= 1) {
          params.windowsize = Math.max(1, Math.min(r.windowsize, maxWindow));
          oack.push({ name, value: String(params.windowsize) });
        }
        break;
      case "rollover":
        if (r.rollover !== undefined) {
          params.rollover = r.rollover;
          oack.push({ name, value: String(r.rollover) });
        }
        break;
    }
  }
  // Cap the burst after blksize is known: the whole window must fit the peer's receive buffer.
  const fit = windowFit(params.blksize, maxWindowBytes);
  if (params.windowsize > fit) {
    params.windowsize = fit;
    const w = oack.find((o) => o.name === "windowsize");
    if (w) (w as { value: string }).value = String(params.windowsize);
  }
  return { ok: true, oack: oack.length > 0 ? oack : undefined, params };
}

/** What a client asked for (the values it put in its request). */
export interface ClientRequestOptions {
  blksize?: number | undefined;
  timeout?: number | undefined;
  tsize?: number | undefined;
  windowsize?: number | undefined;
  rollover?: 0 | 1 | undefined;
  /** The receive buffer to declare ({@link RequestedOptions.rcvbuf}). */
  rcvbuf?: number | undefined;
}

/** Builds the option list of a request from typed values (in a fixed, conventional order). */
export function requestOptionList(o: ClientRequestOptions): TftpOption[] {
  const list: TftpOption[] = [];
  if (o.blksize !== undefined) list.push({ name: "blksize", value: String(o.blksize) });
  if (o.timeout !== undefined) list.push({ name: "timeout", value: String(o.timeout) });
  if (o.tsize !== undefined) list.push({ name: "tsize", value: String(o.tsize) });
  if (o.windowsize !== undefined) list.push({ name: "windowsize", value: String(o.windowsize) });
  if (o.rollover !== undefined) list.push({ name: "rollover", value: String(o.rollover) });
  if (o.rcvbuf !== undefined) list.push({ name: "rcvbuf", value: String(o.rcvbuf) });
  return list;
}

/** Result of {@link acceptOack}. */
export type OackCheck = { ok: true; params: TransferParams } | { ok: false; message: string };

/**
 * Client-side check of an OACK against what was asked (RFC 2347 §"Negotiation", RFC 7440 §3):
 * every option must have been requested, blksize and windowsize no larger than asked, timeout
 * equal to the one asked. A failure means the client answers ERROR 8.
 */
export function acceptOack(
  asked: ClientRequestOptions,
  oack: readonly TftpOption[],
  rollover: 0 | 1 = 0,
): OackCheck {
  const params: TransferParams = {
    blksize: OptionLimits.blksizeDefault,
    windowsize: 1,
    timeoutMs: undefined,
    tsize: undefined,
    rollover,
  };
  if (oack.length === 0) return { ok: false, message: "OACK without options" };
  for (const o of oack) {
    const name = o.name.toLowerCase();
    const n = parseNumber(o.value);
    if (n === undefined) return { ok: false, message: `OACK option ${name} has a malformed value` };
    switch (name) {
      case "blksize":
        if (asked.blksize === undefined)
          return { ok: false, message: "unrequested blksize in OACK" };
        if (n < OptionLimits.blksizeMin || n > asked.blksize)
          return { ok: false, message: `blksize ${n} not acceptable` };
        params.blksize = n;
        break;
      case "timeout":
        if (asked.timeout === undefined)
          return { ok: false, message: "unrequested timeout in OACK" };
        if (n !== asked.timeout)
          return { ok: false, message: `timeout ${n} differs from ${asked.timeout}` };
        params.timeoutMs = n * 1000;
        break;
      case "tsize":
        if (asked.tsize === undefined) return { ok: false, message: "unrequested tsize in OACK" };
        params.tsize = n;
        break;
      case "windowsize":
        if (asked.windowsize === undefined)
          return { ok: false, message: "unrequested windowsize in OACK" };
        if (n < 1 || n > asked.windowsize)
          return { ok: false, message: `windowsize ${n} not acceptable` };
        params.windowsize = n;
        break;
      case "rollover":
        if (asked.rollover === undefined)
          return { ok: false, message: "unrequested rollover in OACK" };
        if (n !== 0 && n !== 1) return { ok: false, message: `rollover ${n} not acceptable` };
        params.rollover = n;
        break;
      default:
        return { ok: false, message: `unrequested option ${name} in OACK` };
    }
  }
  return { ok: true, params };
}

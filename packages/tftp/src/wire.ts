/**
 * TFTP wire format (RFC 1350, RFC 2347): zero-copy decoding and encoders for RRQ, WRQ, DATA, ACK,
 * ERROR and OACK.
 *
 * ```
 *  RRQ/WRQ  | 01/02 | filename | 0 | mode | 0 | opt1 | 0 | value1 | 0 | ... |
 *  DATA     | 03 | block (2) | data (0..blksize) |
 *  ACK      | 04 | block (2) |
 *  ERROR    | 05 | code (2) | message | 0 |
 *  OACK     | 06 | opt1 | 0 | value1 | 0 | ... |
 * ```
 *
 * Decoded DATA payloads are subarrays of the caller's buffer; strings are decoded only when the
 * packet is decoded as a whole. The hot-path readers ({@link readOpcode}, {@link readBlock},
 * {@link readDataPayload}) allocate nothing but the payload view.
 */
import { TftpError } from "./errors.js";

/** TFTP opcodes (RFC 1350 §5, RFC 2347 for OACK). */
export const Opcode = { RRQ: 1, WRQ: 2, DATA: 3, ACK: 4, ERROR: 5, OACK: 6 } as const;
/** A TFTP opcode; any number so unknown opcodes survive in diagnostics. */
export type Opcode = (typeof Opcode)[keyof typeof Opcode] | number;

/** TFTP error codes (RFC 1350 appendix, RFC 2347 for 8). */
export const ErrorCode = {
  NotDefined: 0,
  FileNotFound: 1,
  AccessViolation: 2,
  DiskFull: 3,
  IllegalOperation: 4,
  UnknownTid: 5,
  FileExists: 6,
  NoSuchUser: 7,
  OptionNegotiation: 8,
} as const;
/** A TFTP error code; any number so unknown codes survive. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode] | number;

/** One option as it appears on the wire: name and value strings, in arrival order. */
export interface TftpOption {
  readonly name: string;
  readonly value: string;
  /** Offset of the option name in the decoded buffer (absent for options built by hand). */
  readonly offset?: number;
}

/** A decoded RRQ or WRQ. */
export interface RequestPacket {
  readonly op: 1 | 2;
  /** File name decoded as UTF-8 (Latin-1 when the bytes are not valid UTF-8). */
  readonly filename: string;
  /** The raw file name bytes (a view into the decoded buffer). */
  readonly filenameBytes: Uint8Array;
  /** Transfer mode as sent (`octet`, `netascii`, any case). */
  readonly mode: string;
  readonly options: readonly TftpOption[];
}
/** A decoded DATA packet; `data` is a view into the decoded buffer. */
export interface DataPacket {
  readonly op: 3;
  readonly block: number;
  readonly data: Uint8Array;
}
/** A decoded ACK. */
export interface AckPacket {
  readonly op: 4;
  readonly block: number;
}
/** A decoded ERROR. */
export interface ErrorPacket {
  readonly op: 5;
  readonly code: ErrorCode;
  readonly message: string;
}
/** A decoded OACK. */
export interface OackPacket {
  readonly op: 6;
  readonly options: readonly TftpOption[];
}
/** Any decoded TFTP packet. */
export type TftpPacket = RequestPacket | DataPacket | AckPacket | ErrorPacket | OackPacket;

/** Result of {@link tryDecodePacket}. */
export type DecodeResult = { ok: true; value: TftpPacket } | { ok: false; error: TftpError };

/** Largest blksize RFC 2348 allows; a DATA packet is at most 4 + this many bytes. */
export const MAX_BLKSIZE = 65464;

/** Reads the opcode of a datagram, or -1 when it is shorter than 2 bytes. Allocation-free. */
export function readOpcode(bytes: Uint8Array): number {
  return bytes.length < 2 ? -1 : ((bytes[0] as number) << 8) | (bytes[1] as number);
}

/** Reads the 16-bit block number of a DATA or ACK datagram, or -1 when too short. Allocation-free. */
export function readBlock(bytes: Uint8Array): number {
  return bytes.length < 4 ? -1 : ((bytes[2] as number) << 8) | (bytes[3] as number);
}

/** The payload of a DATA datagram as a view (no copy). The caller checked the opcode. */
export function readDataPayload(bytes: Uint8Array): Uint8Array {
  return bytes.subarray(4);
}

function findNul(bytes: Uint8Array, from: number): number {
  for (let i = from; i < bytes.length; i++) if (bytes[i] === 0) return i;
  return -1;
}

/** Latin-1 decoding: lossless for any byte string. */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = "";
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i] as number);
  return s;
}

/** Strict UTF-8 decoding; returns undefined on any invalid sequence. */
function utf8Strict(bytes: Uint8Array, start: number, end: number): string | undefined {
  let s = "";
  let i = start;
  while (i < end) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      s += String.fromCharCode(b);
      i++;
      continue;
    }
    let n: number;
    let cp: number;
    let min: number;
    if ((b & 0xe0) === 0xc0) {
      n = 1;
      cp = b & 0x1f;
      min = 0x80;
    } else if ((b & 0xf0) === 0xe0) {
      n = 2;
      cp = b & 0x0f;
      min = 0x800;
    } else if ((b & 0xf8) === 0xf0) {
      n = 3;
      cp = b & 0x07;
      min = 0x10000;
    } else return undefined;
    if (i + n >= end) return undefined;
    for (let k = 1; k <= n; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return undefined;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return undefined;
    s += String.fromCodePoint(cp);
    i += n + 1;
  }
  return s;
}

/** UTF-8 encoding of a string (no TextEncoder: the core has no DOM/Node types). */
export function utf8Encode(s: string): Uint8Array {
  const out: number[] = [];
  for (const ch of s) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000)
      out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else
      out.push(
        0xf0 | (cp >> 18),
        0x80 | ((cp >> 12) & 0x3f),
        0x80 | ((cp >> 6) & 0x3f),
        0x80 | (cp & 0x3f),
      );
  }
  return Uint8Array.from(out);
}

function decodeOptions(bytes: Uint8Array, start: number): TftpOption[] {
  const options: TftpOption[] = [];
  let at = start;
  while (at < bytes.length) {
    const nameEnd = findNul(bytes, at);
    if (nameEnd < 0) throw new TftpError("unterminated", "option name has no terminating NUL", at);
    if (nameEnd === at) {
      throw new TftpError("bad-option", "empty option name", at);
    }
    const valueStart = nameEnd + 1;
    const valueEnd = findNul(bytes, valueStart);
    if (valueEnd < 0) {
      throw new TftpError(
        valueStart >= bytes.length ? "truncated" : "unterminated",
        `option "${latin1(bytes, at, nameEnd)}" has no value`,
        valueStart,
      );
    }
    options.push({
      name: latin1(bytes, at, nameEnd),
      value: latin1(bytes, valueStart, valueEnd),
      offset: at,
    });
    at = valueEnd + 1;
  }
  return options;
}

/**
 * Decodes one TFTP datagram. Throws {@link TftpError} (with the offset of the problem) for
 * anything malformed: `truncated`, `bad-opcode`, `unterminated`, `bad-option`, `bad-length`.
 */
export function decodePacket(bytes: Uint8Array): TftpPacket {
  if (bytes.length < 2)
    throw new TftpError("truncated", "datagram shorter than an opcode", bytes.length);
  const op = readOpcode(bytes);
  switch (op) {
    case Opcode.RRQ:
    case Opcode.WRQ: {
      const fnEnd = findNul(bytes, 2);
      if (fnEnd < 0) throw new TftpError("unterminated", "file name has no terminating NUL", 2);
      const modeStart = fnEnd + 1;
      const modeEnd = findNul(bytes, modeStart);
      if (modeEnd < 0) {
        throw new TftpError(
          modeStart >= bytes.length ? "truncated" : "unterminated",
          "mode missing or unterminated",
          modeStart,
        );
      }
      const filenameBytes = bytes.subarray(2, fnEnd);
      return {
        op,
        filename: utf8Strict(bytes, 2, fnEnd) ?? latin1(bytes, 2, fnEnd),
        filenameBytes,
        mode: latin1(bytes, modeStart, modeEnd),
        options: decodeOptions(bytes, modeEnd + 1),
      };
    }
    case Opcode.DATA:
      if (bytes.length < 4)
        throw new TftpError("truncated", "DATA shorter than its header", bytes.length);
      if (bytes.length > 4 + MAX_BLKSIZE) {
        throw new TftpError(
          "bad-length",
          `DATA payload larger than ${MAX_BLKSIZE} bytes`,
          4 + MAX_BLKSIZE,
        );
      }
      return { op, block: readBlock(bytes), data: bytes.subarray(4) };
    case Opcode.ACK:
      if (bytes.length < 4)
        throw new TftpError("truncated", "ACK shorter than 4 bytes", bytes.length);
      if (bytes.length > 4) throw new TftpError("bad-length", "ACK longer than 4 bytes", 4);
      return { op, block: readBlock(bytes) };
    case Opcode.ERROR: {
      if (bytes.length < 4)
        throw new TftpError("truncated", "ERROR shorter than its header", bytes.length);
      const end = findNul(bytes, 4);
      // Some peers omit the final NUL; the message then runs to the end of the datagram.
      const msgEnd = end < 0 ? bytes.length : end;
      if (end >= 0 && end !== bytes.length - 1) {
        throw new TftpError("bad-length", "bytes after the ERROR message's NUL", end + 1);
      }
      return {
        op,
        code: readBlock(bytes),
        message: utf8Strict(bytes, 4, msgEnd) ?? latin1(bytes, 4, msgEnd),
      };
    }
    case Opcode.OACK:
      // An OACK acknowledges at least one option (RFC 2347); an empty one is malformed.
      if (bytes.length === 2) throw new TftpError("truncated", "OACK without options", 2);
      return { op, options: decodeOptions(bytes, 2) };
    default:
      throw new TftpError("bad-opcode", `unknown opcode ${op}`, 0);
  }
}

/** Like {@link decodePacket} but returns a result instead of throwing (for servers fed hostile input). */
export function tryDecodePacket(bytes: Uint8Array): DecodeResult {
  try {
    return { ok: true, value: decodePacket(bytes) };
  } catch (e) {
    if (e instanceof TftpError) return { ok: false, error: e };
    throw e;
  }
}

function asBytes(s: string | Uint8Array): Uint8Array {
  return typeof s === "string" ? utf8Encode(s) : s;
}

function checkNoNul(b: Uint8Array, what: string): void {
  if (b.includes(0)) throw new TftpError("encode-nul", `${what} contains a NUL byte`);
}

function optionsBytes(options: readonly TftpOption[]): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (const o of options) {
    const n = asBytes(o.name);
    const v = asBytes(o.value);
    if (n.length === 0) throw new TftpError("encode-value", "empty option name");
    checkNoNul(n, "option name");
    checkNoNul(v, "option value");
    parts.push(n, v);
  }
  return parts;
}

function joinStrings(op: number, parts: Uint8Array[], lead: Uint8Array[] = []): Uint8Array {
  let len = 2;
  for (const p of lead) len += p.length + 1;
  for (const p of parts) len += p.length + 1;
  const out = new Uint8Array(len);
  out[0] = op >> 8;
  out[1] = op & 0xff;
  let at = 2;
  for (const p of [...lead, ...parts]) {
    out.set(p, at);
    at += p.length;
    out[at++] = 0;
  }
  return out;
}

/** Encodes an RRQ (op 1) or WRQ (op 2). Strings are UTF-8; pass bytes to keep a file name exactly. */
export function encodeRequest(
  op: 1 | 2,
  filename: string | Uint8Array,
  mode: string,
  options: readonly TftpOption[] = [],
): Uint8Array {
  const fn = asBytes(filename);
  const m = asBytes(mode);
  checkNoNul(fn, "file name");
  checkNoNul(m, "mode");
  if (m.length === 0) throw new TftpError("encode-value", "empty mode");
  return joinStrings(op, optionsBytes(options), [fn, m]);
}

/** Encodes an OACK. */
export function encodeOack(options: readonly TftpOption[]): Uint8Array {
  return joinStrings(Opcode.OACK, optionsBytes(options));
}

/** Encodes an ERROR packet. */
export function encodeError(code: ErrorCode, message: string): Uint8Array {
  if (!Number.isInteger(code) || code < 0 || code > 0xffff) {
    throw new TftpError("encode-value", `error code ${code} is not a 16-bit number`);
  }
  const m = utf8Encode(message);
  checkNoNul(m, "error message");
  const out = new Uint8Array(5 + m.length);
  out[1] = Opcode.ERROR;
  out[2] = code >> 8;
  out[3] = code & 0xff;
  out.set(m, 4);
  return out;
}

function checkBlock(block: number): void {
  if (!Number.isInteger(block) || block < 0 || block > 0xffff) {
    throw new TftpError("encode-value", `block ${block} is not a 16-bit number`);
  }
}

/** Encodes an ACK into `out` (4 bytes at `at`, allocated when absent). Returns the datagram view. */
export function encodeAck(block: number, out?: Uint8Array, at = 0): Uint8Array {
  checkBlock(block);
  const buf = out ?? new Uint8Array(4);
  if (buf.length < at + 4) throw new TftpError("encode-space", "buffer too small for an ACK");
  buf[at] = 0;
  buf[at + 1] = Opcode.ACK;
  buf[at + 2] = block >> 8;
  buf[at + 3] = block & 0xff;
  return out === undefined ? buf : buf.subarray(at, at + 4);
}

/** Writes a DATA header (opcode + block) into the first 4 bytes of `buf`, in place. */
export function writeDataHeader(buf: Uint8Array, block: number): void {
  buf[0] = 0;
  buf[1] = Opcode.DATA;
  buf[2] = (block >> 8) & 0xff;
  buf[3] = block & 0xff;
}

/** Encodes a DATA packet into a new buffer (engines instead write in place with {@link writeDataHeader}). */
export function encodeData(block: number, data: Uint8Array): Uint8Array {
  checkBlock(block);
  if (data.length > MAX_BLKSIZE) throw new TftpError("encode-value", "DATA payload too large");
  const out = new Uint8Array(4 + data.length);
  writeDataHeader(out, block);
  out.set(data, 4);
  return out;
}

/** Encodes any decoded packet back to bytes (a request keeps its raw file name bytes). */
export function encodePacket(p: TftpPacket): Uint8Array {
  switch (p.op) {
    case 1:
    case 2:
      return encodeRequest(p.op, p.filenameBytes, p.mode, p.options);
    case 3:
      return encodeData(p.block, p.data);
    case 4:
      return encodeAck(p.block);
    case 5:
      return encodeError(p.code, p.message);
    case 6:
      return encodeOack(p.options);
  }
}

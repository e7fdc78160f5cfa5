/// <reference types="node" />
/**
 * TFTP client over `node:dgram`: `get(url)` streams a file, `put(url, data)` uploads one.
 * URLs are `tftp://host[:port]/path` (RFC 3617; `[v6]` literals work).
 */
import { createSocket, type Socket } from "node:dgram";
import { lookup } from "node:dns/promises";
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from "node:fs";
import { isIP, isIPv6 } from "node:net";
import path from "node:path";
import { Readable } from "node:stream";
import {
  ClientGetTransfer,
  ClientPutTransfer,
  DEFAULT_WINDOW_BUDGET,
  type EngineOptions,
  NetasciiDecoder,
  NetasciiEncoder,
  RCVBUF_SHARE,
  type TransferEngine,
  type TransferFailure,
  type TransferParams,
  windowFit,
} from "../index.js";
import {
  clock,
  type DatagramBatch,
  type DataSource,
  type DriverHooks,
  EngineDriver,
} from "./driver.js";

/** Options of {@link get} and {@link put}. */
export interface TftpClientOptions extends EngineOptions {
  /** blksize to ask for (8..65464). Default: not asked (512). */
  blksize?: number;
  /** windowsize to ask for (RFC 7440). Default: not asked (1). */
  windowsize?: number;
  /** Timeout option in seconds (1..255), also the first retransmission timeout. */
  timeout?: number;
  /** Ask for tsize (on get the server answers the size; on put the size is sent when known). Default true. */
  tsize?: boolean;
  /** Non-standard `rollover` option to ask for. */
  rolloverOption?: 0 | 1;
  /** Rollover assumed when not negotiated. Default 0. */
  rollover?: 0 | 1;
  /** Transfer mode. Default octet. */
  mode?: "octet" | "netascii";
  /**
   * get, octet mode: when the server announced a tsize, a file that runs past it fails at once
   * (ERROR 0 to the server) and a shorter one fails at its end. Default true.
   */
  enforceTsize?: boolean;
  /**
   * get: when the windowsize asked is larger than a default-sized receive buffer holds, tell the
   * server the receive buffer this client really has (non-standard `rcvbuf` option, ignored by
   * servers that do not know it) so that it can grant the window. Default true.
   */
  declareRcvbuf?: boolean;
  /** Aborting it ends the transfer (ERROR 0 to the server). */
  signal?: AbortSignal;
  /**
   * get: bytes the download stream buffers before it stops acknowledging (back-pressure from a
   * slow consumer). Default 512 KiB.
   */
  bufferBytes?: number;
  /**
   * Batched datagram I/O, e.g. `loadUdpBatch()` of `@pxe/udp-batch`: a received window is read
   * with a few `recvmmsg` calls, an upload's window sent with one `sendmmsg`. Default: plain dgram.
   */
  batch?: DatagramBatch | undefined;
}

/** A parsed `tftp://` URL. */
export interface TftpUrl {
  host: string;
  port: number;
  path: string;
}

/** Parses `tftp://host[:port]/path`. The path is the file name after the first `/`, percent-decoded. */
export function parseTftpUrl(url: string | URL): TftpUrl {
  const u = typeof url === "string" ? new URL(url) : url;
  if (u.protocol !== "tftp:") throw new TypeError(`not a tftp:// URL: ${u.href}`);
  const host = u.hostname.startsWith("[") ? u.hostname.slice(1, -1) : u.hostname;
  const file = decodeURIComponent(u.pathname.replace(/^\//, ""));
  if (!file) throw new TypeError("tftp URL has no file name");
  return { host, port: u.port ? Number(u.port) : 69, path: file };
}

/** Error of a failed client transfer. */
export class TftpTransferError extends Error {
  constructor(readonly failure: TransferFailure) {
    super(`TFTP ${failure.kind} error ${failure.code}: ${failure.message}`);
    this.name = "TftpTransferError";
  }
}

/** Receive buffer asked for (the kernel caps it at net.core.rmem_max): a window burst must fit. */
const RECV_BUFFER = 4 << 20;
/** Size of the chunks a download stream yields (received blocks are coalesced into them). */
const COALESCE = 64 * 1024;
/**
 * Default read-ahead of a download stream: several windows (1468 × 64 is 92 KiB), so a consumer
 * that writes to disk in the background (a pipeline into an fs stream) does not hold back every
 * ACK while each write completes.
 */
const BUFFER_BYTES = 512 * 1024;
/** Send buffer: a window burst must not hit EAGAIN/ENOBUFS on a real NIC. */
const SEND_BUFFER = 1 << 20;

async function openSocket(host: string): Promise<{ socket: Socket; address: string }> {
  const address = isIP(host) ? host : (await lookup(host)).address;
  const socket = createSocket({
    type: isIPv6(address) ? "udp6" : "udp4",
    recvBufferSize: RECV_BUFFER,
    sendBufferSize: SEND_BUFFER,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, () => {
      socket.off("error", reject);
      resolve();
    });
  });
  socket.on("error", () => {});
  return { socket, address };
}

/** The socket's receive buffer as the kernel reports it, or undefined when it cannot tell. */
function receiveBuffer(socket: Socket): number | undefined {
  try {
    return socket.getRecvBufferSize();
  } catch {
    return undefined;
  }
}

/**
 * The windowsize to ask for: what the caller wants, but no more than the socket's receive buffer
 * holds ({@link RCVBUF_SHARE} of it, counted in kernel truesize), so no window tail is dropped by
 * our own kernel; and that buffer to declare (`rcvbuf`) when the window is larger than a default
 * buffer holds, so the server can grant it.
 */
function windowRequest(
  o: TftpClientOptions,
  socket: Socket | undefined,
): { windowsize: number | undefined; rcvbuf: number | undefined } {
  if (o.windowsize === undefined || socket === undefined)
    return { windowsize: o.windowsize, rcvbuf: undefined };
  const blksize = o.blksize ?? 512;
  const buf = receiveBuffer(socket);
  // Without an answer, assume the Linux default buffer.
  const fit = windowFit(blksize, Math.floor((buf ?? 212992) * RCVBUF_SHARE));
  const windowsize = Math.min(o.windowsize, fit);
  const declare =
    buf !== undefined &&
    o.declareRcvbuf !== false &&
    windowsize > windowFit(blksize, DEFAULT_WINDOW_BUDGET);
  return { windowsize, rcvbuf: declare ? buf : undefined };
}

function requestOf(o: TftpClientOptions, tsize: number | undefined, socket?: Socket) {
  const { windowsize, rcvbuf } = windowRequest(o, socket);
  return {
    blksize: o.blksize,
    windowsize,
    timeout: o.timeout,
    tsize: o.tsize === false || o.mode === "netascii" ? undefined : tsize,
    rollover: o.rolloverOption,
    rcvbuf,
  };
}

function engineOpts(o: TftpClientOptions): EngineOptions {
  const e: EngineOptions = {};
  if (o.rto !== undefined) e.rto = o.rto;
  if (o.maxRetries !== undefined) e.maxRetries = o.maxRetries;
  if (o.dallyMs !== undefined) e.dallyMs = o.dallyMs;
  return e;
}

/** A download stream; `negotiated` resolves with the transfer parameters (tsize when the server told it). */
export interface TftpDownload extends Readable {
  readonly negotiated: Promise<TransferParams>;
}

/**
 * Downloads a file. Returns a Readable (an async iterable of chunks) that errors with
 * {@link TftpTransferError} when the transfer fails. The socket stays open a little after the
 * end (dallying) to answer a retransmitted last block.
 */
export function get(url: string | URL, opts: TftpClientOptions = {}): TftpDownload {
  const target = parseTftpUrl(url);
  let driver: EngineDriver | undefined;
  const out = new Readable({
    highWaterMark: Math.max(COALESCE, opts.bufferBytes ?? BUFFER_BYTES),
    read() {
      driver?.resume();
    },
  }) as Readable & { negotiated: Promise<TransferParams> };
  let resolveNeg: (p: TransferParams) => void = () => {};
  out.negotiated = new Promise<TransferParams>((r) => {
    resolveNeg = r;
  });
  out.negotiated.catch(() => {});
  const dec = opts.mode === "netascii" ? new NetasciiDecoder() : undefined;
  void (async () => {
    const { socket, address } = await openSocket(target.host);
    const engine = new ClientGetTransfer(target.path, clock(), {
      ...engineOpts(opts),
      request: requestOf(opts, 0, socket),
      mode: opts.mode ?? "octet",
      rollover: opts.rollover ?? 0,
      enforceTsize: opts.enforceTsize !== false,
    });
    // Received blocks are copied into one chunk of up to COALESCE bytes, pushed when full or
    // once the datagrams of this turn of the event loop were handled: one Buffer per chunk, not
    // per block. When the consumer is slow (push returns false) the driver stops feeding the
    // engine, so nothing is acknowledged until the stream is read again.
    let chunk: Buffer | undefined;
    let used = 0;
    let flushScheduled = false;
    const flush = () => {
      flushScheduled = false;
      if (chunk === undefined || used === 0) return;
      const c = chunk.subarray(0, used);
      chunk = undefined;
      used = 0;
      if (!out.push(c)) driver?.pause();
    };
    const append = (v: Uint8Array) => {
      if (chunk !== undefined && used + v.length < COALESCE) {
        // The common case (a block that fits): one copy, no view.
        chunk.set(v, used);
        used += v.length;
        return;
      }
      let off = 0;
      while (off < v.length) {
        if (chunk === undefined) chunk = Buffer.allocUnsafe(COALESCE);
        const n = Math.min(v.length - off, COALESCE - used);
        chunk.set(v.subarray(off, off + n), used);
        used += n;
        off += n;
        if (used === COALESCE) flush();
      }
      if (used > 0 && !flushScheduled) {
        flushScheduled = true;
        setImmediate(flush);
      }
    };
    driver = run(engine, socket, address, target.port, opts, undefined, (ev) => {
      if (ev.type === "negotiated") resolveNeg(ev.params);
      else if (ev.type === "data") append(dec ? dec.decode(ev.data) : ev.data);
      else if (ev.type === "complete") {
        resolveNeg(engine.transferParams);
        const tail = dec?.end();
        if (tail?.length) append(tail);
        flush();
        out.push(null);
      } else if (ev.type === "failed") out.destroy(new TftpTransferError(ev.failure));
    });
  })().catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out as TftpDownload;
}

/** Options of {@link getFile}. */
export interface GetFileOptions extends TftpClientOptions {
  /** Called after each chunk was written: bytes so far, and the size the server announced. */
  onProgress?: (bytes: number, tsize: number | undefined) => void;
}

/** Result of {@link getFile}. */
export interface GetFileResult {
  bytes: number;
  params: TransferParams;
}

let tmpCounter = 0;

/**
 * Downloads a file into `dest`. The data go to a temporary file beside it (same directory,
 * so the final rename is atomic) with positional **synchronous** writes of the download's
 * chunks (up to 64 KiB each): a page-cache copy on the event loop instead of a thread-pool round
 * trip per chunk, which on small machines is what holds a fast transfer back. Once the transfer
 * is complete the file is renamed over `dest`; a failed or aborted download removes it and
 * leaves an existing `dest` untouched. Rejects with {@link TftpTransferError} (or the file
 * system's error).
 */
export async function getFile(
  url: string | URL,
  dest: string,
  opts: GetFileOptions = {},
): Promise<GetFileResult> {
  const tmp = path.join(
    path.dirname(dest),
    `.${path.basename(dest)}.tftp-${process.pid}-${Date.now()}-${tmpCounter++}`,
  );
  const fd = openSync(tmp, "wx", 0o644);
  let open = true;
  let bytes = 0;
  try {
    const dl = get(url, opts);
    let tsize: number | undefined;
    dl.negotiated.then(
      (p) => {
        tsize = p.tsize;
      },
      () => {},
    );
    for await (const c of dl as AsyncIterable<Buffer>) {
      let off = 0;
      while (off < c.length) off += writeSync(fd, c, off, c.length - off, bytes + off);
      bytes += c.length;
      opts.onProgress?.(bytes, tsize);
    }
    const params = await dl.negotiated;
    closeSync(fd);
    open = false;
    renameSync(tmp, dest);
    return { bytes, params };
  } catch (e) {
    if (open) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
}

/** Result of {@link put}. */
export interface PutResult {
  bytes: number;
  params: TransferParams;
}

/**
 * Uploads `data` (bytes, or chunks such as a Node Readable) as `url`'s path. `size` is sent as
 * tsize when known (always for bytes).
 */
export async function put(
  url: string | URL,
  data: DataSource,
  opts: TftpClientOptions & { size?: number } = {},
): Promise<PutResult> {
  const target = parseTftpUrl(url);
  const { socket, address } = await openSocket(target.host);
  const size = opts.size ?? (data instanceof Uint8Array ? data.length : undefined);
  const engine = new ClientPutTransfer(target.path, clock(), {
    ...engineOpts(opts),
    request: requestOf(opts, size),
    mode: opts.mode ?? "octet",
    rollover: opts.rollover ?? 0,
  });
  let source: DataSource = data;
  if (opts.mode === "netascii") {
    const enc = new NetasciiEncoder();
    source = (async function* () {
      if (data instanceof Uint8Array) yield enc.encode(data);
      else for await (const c of data as AsyncIterable<Uint8Array>) yield enc.encode(c);
    })();
  }
  return new Promise<PutResult>((resolve, reject) => {
    run(engine, socket, address, target.port, opts, source, (ev) => {
      if (ev.type === "complete") resolve({ bytes: ev.bytes, params: engine.transferParams });
      else if (ev.type === "failed") reject(new TftpTransferError(ev.failure));
    });
  });
}

function run(
  engine: TransferEngine,
  socket: Socket,
  address: string,
  port: number,
  opts: TftpClientOptions,
  source: DataSource | undefined,
  onEvent: DriverHooks["onEvent"],
): EngineDriver {
  const signal = opts.signal;
  const driver = new EngineDriver(
    engine,
    socket,
    undefined,
    { onEvent, onClosed: () => socket.close() },
    { address, port },
  );
  if (source !== undefined) driver.setSource(source);
  // A download's data events are copied into the stream's chunk at once: coalesced reads suit it.
  driver.setBatch(opts.batch, { coalesce: source === undefined });
  socket.on("message", (msg, r) => {
    driver.onMessage(msg, r);
    driver.drain();
  });
  const onAbort = () => {
    engine.abort(0, "transfer aborted");
    driver.pump();
  };
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });
  driver.pump();
  return driver;
}

/// <reference types="node" />
/**
 * An embeddable TFTP server over `node:dgram`: one socket per transfer (its own TID port), IPv4
 * and IPv6, a jailed root folder or a `read(path, ctx)` function, optional WRQ, bounded
 * concurrency in total and per client, stats and events, graceful close with an AbortSignal.
 */
import { createSocket, type RemoteInfo, type Socket } from "node:dgram";
import { EventEmitter } from "node:events";
import { promises as fsp } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { isIPv6 } from "node:net";
import path from "node:path";
import {
  decodePacket,
  type EngineOptions,
  ErrorCode,
  encodeError,
  NetasciiDecoder,
  NetasciiEncoder,
  negotiateServer,
  type RequestPacket,
  type ServerNegotiation,
  ServerReadTransfer,
  ServerWriteTransfer,
  type TftpOption,
  type TransferEngine,
  type TransferParams,
} from "../index.js";
import { clock, type DatagramBatch, type DataSource, EngineDriver } from "./driver.js";
import { JailError, jailedWriteTarget, openJailed, realRoot } from "./jail.js";

/** What a `read`/`write` callback learns about the request. */
export interface RequestContext {
  /** Client address and port (its TID). */
  readonly address: string;
  readonly port: number;
  /** Lower-cased mode: `octet` or `netascii`. */
  readonly mode: string;
  /** The request's options as sent. */
  readonly options: readonly TftpOption[];
  /** The raw requested file name. */
  readonly filename: string;
}

/** What a `read` callback returns: bytes, chunks (a Node Readable works), or those with a size. */
export type ReadResult = DataSource | { size?: number; data: DataSource };

/** A destination for a WRQ. */
export interface WriteSink {
  write(chunk: Uint8Array): void | Promise<void>;
  /** Called once the whole file arrived. */
  close(): Promise<void>;
  /** Called when the transfer failed. */
  abort?(reason: Error): void | Promise<void>;
}

/** Thrown by `read`/`write` callbacks to answer a specific TFTP error. */
export class TftpRefusal extends Error {
  constructor(
    readonly tftpCode: number,
    message: string,
  ) {
    super(message);
    this.name = "TftpRefusal";
  }
}

/** Server options. Give `root` (a folder) or `read` (a function). */
export interface TftpServerOptions extends ServerNegotiation {
  /** Folder to serve (jailed). */
  root?: string;
  /** Content per request; return undefined for "file not found". Takes precedence over `root`. */
  read?: (
    path: string,
    ctx: RequestContext,
  ) => ReadResult | undefined | Promise<ReadResult | undefined>;
  /** WRQ: `true` writes into `root` (via a temporary file renamed on success); a function gives a sink. Default: refused. */
  write?: boolean | ((path: string, ctx: RequestContext) => WriteSink | Promise<WriteSink>);
  /** Address to listen on. Default `127.0.0.1`; use `::` for all IPv6 (and IPv4) addresses. */
  address?: string;
  /** Port; default 69, 0 for any. */
  port?: number;
  /** Concurrent transfers in total (default 64) and per client address (default 8). More are dropped. */
  maxTransfers?: number;
  maxPerClient?: number;
  /** Largest file accepted by WRQ (default 1 GiB). */
  maxWriteSize?: number;
  /** Engine settings (retries, timeout policy, dally). */
  engine?: EngineOptions;
  /** Aborting it closes the server and every transfer. */
  signal?: AbortSignal;
  /**
   * Batched datagram I/O for transfers, e.g. `loadUdpBatch()` of `@pxe/udp-batch` (Linux
   * `sendmmsg`/`recvmmsg`): each window goes to the kernel in one call. Default: plain dgram.
   */
  batch?: DatagramBatch | undefined;
}

/** Counters of a server. */
export interface TftpServerStats {
  requests: number;
  active: number;
  completed: number;
  failed: number;
  /** Requests dropped by the concurrency limits. */
  refused: number;
  /** Requests answered with an ERROR (not found, access violation, bad mode...). */
  rejected: number;
  /** Datagrams on the listening port that did not decode or were not requests. */
  malformed: number;
  /** Datagrams from an unknown TID answered with ERROR 5. */
  unknownTid: number;
  bytesSent: number;
  bytesReceived: number;
}

/** Payload of the transfer events. */
export interface TransferInfo {
  id: number;
  kind: "read" | "write";
  path: string;
  address: string;
  port: number;
  params: TransferParams | undefined;
  bytes: number;
  durationMs: number;
  error?: { kind: string; code: number; message: string };
}

/** Events: `transferStart`, `transferFinish`, `transferFail` (each with a {@link TransferInfo}), `error`. */
export interface TftpServerEvents {
  transferStart: [TransferInfo];
  transferFinish: [TransferInfo];
  transferFail: [TransferInfo];
  error: [Error];
}

interface Active {
  id: number;
  driver: EngineDriver | undefined;
  socket: Socket | undefined;
  key: string;
  address: string;
}

/** A TFTP server. Create it with {@link createServer}, then `await server.listen()`. */
export class TftpServer extends EventEmitter<TftpServerEvents> {
  readonly stats: TftpServerStats = {
    requests: 0,
    active: 0,
    completed: 0,
    failed: 0,
    refused: 0,
    rejected: 0,
    malformed: 0,
    unknownTid: 0,
    bytesSent: 0,
    bytesReceived: 0,
  };
  private socket: Socket | undefined;
  private readonly active = new Map<string, Active>();
  private readonly perClient = new Map<string, number>();
  private nextId = 1;
  private rootReal: Promise<string> | undefined;
  private closing = false;

  constructor(private readonly opts: TftpServerOptions) {
    super();
    if (opts.root === undefined && opts.read === undefined)
      throw new TypeError("createServer needs root or read");
    if (opts.root !== undefined) this.rootReal = realRoot(opts.root);
    opts.signal?.addEventListener("abort", () => void this.close(), { once: true });
  }

  private get family(): "udp4" | "udp6" {
    return isIPv6(this.opts.address ?? "127.0.0.1") ? "udp6" : "udp4";
  }

  /** Binds the listening socket; resolves with the bound address and port. */
  async listen(): Promise<{ address: string; port: number; family: string }> {
    if (this.rootReal) await this.rootReal;
    const s = createSocket({ type: this.family, reuseAddr: false });
    this.socket = s;
    s.on("message", (msg, rinfo) => this.onRequest(msg, rinfo));
    s.on("error", (err) => this.emit("error", err));
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.bind(this.opts.port ?? 69, this.opts.address ?? "127.0.0.1", () => {
        s.off("error", reject);
        resolve();
      });
    });
    return s.address();
  }

  /** Stops listening and aborts every transfer. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const a of [...this.active.values()]) {
      if (a.driver === undefined) continue; // still opening; start() sees `closing`
      a.driver.engine.abort(ErrorCode.NotDefined, "server shutting down");
      a.driver.pump();
    }
    const s = this.socket;
    this.socket = undefined;
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }

  private onRequest(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.closing) return;
    const key = `${rinfo.address}|${rinfo.port}`;
    if (this.active.has(key)) return; // a retransmitted request of a running transfer
    let req: RequestPacket;
    try {
      const p = decodePacket(msg);
      if (p.op !== 1 && p.op !== 2) {
        this.stats.malformed++;
        return;
      }
      req = p;
    } catch {
      this.stats.malformed++;
      return;
    }
    this.stats.requests++;
    const perClient = this.perClient.get(rinfo.address) ?? 0;
    if (
      this.active.size >= (this.opts.maxTransfers ?? 64) ||
      perClient >= (this.opts.maxPerClient ?? 8)
    ) {
      this.stats.refused++;
      return;
    }
    // Reserve the slot before any await so floods cannot overshoot the limits.
    const reservation: Active = {
      id: this.nextId++,
      driver: undefined,
      socket: undefined,
      key,
      address: rinfo.address,
    };
    this.active.set(key, reservation);
    this.perClient.set(rinfo.address, perClient + 1);
    this.stats.active = this.active.size;
    this.start(req, rinfo, reservation).catch((err: unknown) => {
      this.release(reservation);
      this.emit("error", err instanceof Error ? err : new Error(String(err)));
    });
  }

  private release(a: Active): void {
    if (this.active.get(a.key) !== a) return;
    this.active.delete(a.key);
    const n = (this.perClient.get(a.address) ?? 1) - 1;
    if (n <= 0) this.perClient.delete(a.address);
    else this.perClient.set(a.address, n);
    this.stats.active = this.active.size;
  }

  private reject(rinfo: RemoteInfo, code: number, message: string, a: Active): void {
    this.stats.rejected++;
    this.socket?.send(encodeError(code, message), rinfo.port, rinfo.address, () => {});
    this.release(a);
  }

  private async start(req: RequestPacket, rinfo: RemoteInfo, a: Active): Promise<void> {
    const mode = req.mode.toLowerCase();
    const kind = req.op === 1 ? "read" : "write";
    if (mode !== "octet" && mode !== "netascii") {
      this.reject(
        rinfo,
        ErrorCode.IllegalOperation,
        mode === "mail" ? "mail mode not supported" : `unknown mode ${req.mode}`,
        a,
      );
      return;
    }
    const ctx: RequestContext = {
      address: rinfo.address,
      port: rinfo.port,
      mode,
      options: req.options,
      filename: req.filename,
    };
    const cleanup: (() => void | Promise<void>)[] = [];
    let source: DataSource | undefined;
    let file: FileHandle | undefined;
    let size: number | undefined;
    let sink: WriteSink | undefined;
    try {
      if (kind === "read") {
        if (this.opts.read) {
          const r = await this.opts.read(req.filename, ctx);
          if (r === undefined) throw new TftpRefusal(ErrorCode.FileNotFound, "File not found");
          if (r instanceof Uint8Array || Symbol.asyncIterator in r || Symbol.iterator in r) {
            source = r as DataSource;
            if (r instanceof Uint8Array) size = r.length;
          } else {
            source = r.data;
            size = r.size ?? (r.data instanceof Uint8Array ? r.data.length : undefined);
          }
        } else {
          const f = await openJailed(await (this.rootReal as Promise<string>), req.filename);
          cleanup.push(() => f.handle.close());
          size = f.size;
          if (mode === "netascii")
            source = f.handle.createReadStream({
              highWaterMark: 64 * 1024,
              autoClose: false,
              start: 0,
            });
          else file = f.handle; // read at positions straight into reused buffers
        }
        if (mode === "netascii" && source !== undefined) {
          const enc = new NetasciiEncoder();
          const inner = source;
          size = undefined;
          source = (async function* () {
            if (inner instanceof Uint8Array) yield enc.encode(inner);
            else for await (const c of inner as AsyncIterable<Uint8Array>) yield enc.encode(c);
          })();
        }
      } else {
        const w = this.opts.write;
        if (!w) throw new TftpRefusal(ErrorCode.AccessViolation, "writes are disabled");
        if (typeof w === "function") sink = await w(req.filename, ctx);
        else if (this.rootReal)
          sink = await fileSink(await jailedWriteTarget(await this.rootReal, req.filename));
        else throw new TftpRefusal(ErrorCode.AccessViolation, "writes are disabled");
      }
    } catch (e) {
      for (const c of cleanup) await c();
      if (e instanceof JailError || e instanceof TftpRefusal)
        this.reject(rinfo, e.tftpCode, e.message, a);
      else this.reject(rinfo, ErrorCode.NotDefined, (e as Error).message ?? "error", a);
      return;
    }
    const maxWriteSize = this.opts.maxWriteSize ?? 2 ** 30;
    const neg = negotiateServer(
      { kind, mode, options: req.options, size, maxWriteSize },
      this.opts,
    );
    if (!neg.ok) {
      for (const c of cleanup) await c();
      await sink?.abort?.(new Error(neg.message));
      this.reject(rinfo, neg.code, neg.message, a);
      return;
    }
    if (this.closing) {
      for (const c of cleanup) await c();
      this.release(a);
      return;
    }
    // One socket per transfer: its own TID port, same address family and address, connected to
    // the client; a sibling socket on the same port (SO_REUSEADDR) gets what the connected one
    // does not (datagrams from other TIDs) and answers them with ERROR 5.
    const { sock, stray } = await this.transferSockets();
    if (this.closing) {
      this.ports.delete(sock.address().port);
      sock.close();
      stray?.close();
      for (const c of cleanup) await c();
      this.release(a);
      return;
    }
    const now = clock();
    const engine: TransferEngine =
      kind === "read"
        ? new ServerReadTransfer({ params: neg.params, oack: neg.oack }, now, this.opts.engine)
        : new ServerWriteTransfer(
            { params: neg.params, oack: neg.oack, maxBytes: maxWriteSize },
            now,
            this.opts.engine,
          );
    const started = now;
    const info = (): TransferInfo => ({
      id: a.id,
      kind,
      path: req.filename,
      address: rinfo.address,
      port: rinfo.port,
      params: engine.transferParams,
      bytes:
        kind === "read"
          ? (engine as ServerReadTransfer).bytesTransferred
          : (engine as ServerWriteTransfer).bytesTransferred,
      durationMs: clock() - started,
    });
    let writeChain: Promise<void> = Promise.resolve();
    const dec = mode === "netascii" && kind === "write" ? new NetasciiDecoder() : undefined;
    let finished = false;
    const driver = new EngineDriver(
      engine,
      sock,
      { address: rinfo.address, port: rinfo.port },
      {
        onEvent: (ev) => {
          if (ev.type === "data" && sink) {
            const chunk = dec ? dec.decode(ev.data) : ev.data;
            const s = sink;
            writeChain = writeChain.then(() => s.write(chunk));
          } else if (ev.type === "complete") {
            finished = true;
            if (sink) {
              const s = sink;
              const tail = dec?.end();
              writeChain = writeChain.then(async () => {
                if (tail?.length) await s.write(tail);
                await s.close();
              });
            }
            writeChain.then(
              () => {
                this.stats.completed++;
                const i = info();
                if (kind === "read") this.stats.bytesSent += i.bytes;
                else this.stats.bytesReceived += i.bytes;
                this.emit("transferFinish", i);
              },
              (err: unknown) => {
                this.stats.failed++;
                this.emit("transferFail", {
                  ...info(),
                  error: { kind: "local", code: 3, message: String(err) },
                });
              },
            );
          } else if (ev.type === "failed" && !finished) {
            this.stats.failed++;
            if (sink) {
              const s = sink;
              writeChain = writeChain
                .then(() => s.abort?.(new Error(ev.failure.message)))
                .catch(() => {});
            }
            this.emit("transferFail", { ...info(), error: { ...ev.failure } });
          }
        },
        onClosed: () => {
          this.release(a);
          for (const c of cleanup) void Promise.resolve(c()).catch(() => {});
          this.ports.delete(port);
          sock.close();
          stray?.close();
        },
        onStray: () => {
          this.stats.unknownTid++;
        },
      },
      undefined,
      stray !== undefined,
    );
    const port = sock.address().port;
    a.driver = driver;
    a.socket = sock;
    driver.setBatch(this.opts.batch);
    sock.on("message", (msg, r) => {
      driver.onMessage(msg, r);
      driver.drain();
    });
    stray?.on("message", (msg, r) => {
      if (r.port === rinfo.port && r.address === rinfo.address)
        driver.onMessage(msg, r); // before connect() took hold
      else
        driver.onStrayMessage({ address: r.address, port: r.port }, (d) =>
          stray.send(d, r.port, r.address, () => {}),
        );
    });
    if (file !== undefined) {
      // Two reused chunks of one window each (at least 16 KiB, at most 128 KiB): bounded memory.
      const p = engine.transferParams;
      const win = p.blksize * p.windowsize;
      driver.setFileSource(file, Math.min(128 * 1024, Math.max(16 * 1024, win)));
    } else if (source !== undefined) driver.setSource(source);
    await driver.connectToPeer();
    this.emit("transferStart", info());
    driver.pump();
  }

  /** Ports of our transfer sockets (SO_REUSEADDR lets the kernel hand out a port twice). */
  private readonly ports = new Set<number>();

  private bindSocket(s: Socket, port: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const onErr = () => resolve(false);
      s.once("error", onErr);
      s.bind(port, this.opts.address ?? "127.0.0.1", () => {
        s.off("error", onErr);
        resolve(true);
      });
    });
  }

  private async transferSockets(): Promise<{ sock: Socket; stray: Socket | undefined }> {
    // Buffers: a window burst (and, on a NIC, its retransmission) must fit without ENOBUFS.
    const make = (reuseAddr: boolean) =>
      createSocket({
        type: this.family,
        reuseAddr,
        recvBufferSize: 1 << 20,
        sendBufferSize: 1 << 20,
      });
    for (let attempt = 0; attempt < 8; attempt++) {
      const sock = make(true);
      if (!(await this.bindSocket(sock, 0))) {
        sock.close();
        break;
      }
      sock.on("error", () => {});
      const port = sock.address().port;
      if (this.ports.has(port)) {
        sock.close();
        continue;
      }
      this.ports.add(port);
      const stray = createSocket({ type: this.family, reuseAddr: true });
      if (await this.bindSocket(stray, port)) {
        stray.on("error", () => {});
        return { sock, stray };
      }
      stray.close();
      return { sock, stray: undefined };
    }
    // Fallback: one unconnected socket that sees (and answers) every TID itself.
    const sock = make(false);
    if (!(await this.bindSocket(sock, 0))) {
      sock.close();
      throw new Error("cannot bind a transfer socket");
    }
    this.ports.add(sock.address().port);
    return { sock, stray: undefined };
  }
}

/** A sink writing to a temporary file beside `target`, renamed over it on success. */
async function fileSink(target: string): Promise<WriteSink> {
  const tmp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.tftp-${process.pid}-${Date.now()}`,
  );
  const h = await fsp.open(tmp, "wx", 0o644);
  return {
    write: async (chunk) => {
      await h.write(chunk);
    },
    close: async () => {
      await h.close();
      await fsp.rename(tmp, target);
    },
    abort: async () => {
      await h.close().catch(() => {});
      await fsp.unlink(tmp).catch(() => {});
    },
  };
}

/** Creates a server; call `listen()` to bind it. */
export function createServer(opts: TftpServerOptions): TftpServer {
  return new TftpServer(opts);
}

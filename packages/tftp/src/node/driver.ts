/// <reference types="node" />
/**
 * Runs one sans-IO engine over a `node:dgram` socket: sends what the engine transmits to the
 * peer, feeds it datagrams from the peer's TID (others get ERROR 5), keeps its timer, and treats
 * EPERM/ENOBUFS from `send` as a lost packet.
 */
import type { Socket } from "node:dgram";
import { performance } from "node:perf_hooks";
import {
  ErrorCode,
  encodeError,
  type SenderEngine,
  type TftpEvent,
  type TransferEngine,
} from "../index.js";

/** A data source: bytes or chunks. Node Readable streams are AsyncIterables. */
export type DataSource = Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Monotonic ms clock given to engines. */
export const clock = (): number => performance.now();

export interface Peer {
  address: string;
  port: number;
}

export interface DriverHooks {
  onEvent(ev: TftpEvent): void;
  /** Called once when the engine is closed and the driver released its timer. */
  onClosed(): void;
  /** A datagram from a TID other than the peer's (already answered with ERROR 5). */
  onStray?(from: Peer): void;
}

function isEngineSender(e: TransferEngine): e is SenderEngine {
  return typeof (e as SenderEngine).supply === "function";
}

/** Drives an engine on a socket. */
export class EngineDriver {
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  private feeding = false;
  private iter: AsyncIterator<Uint8Array> | Iterator<Uint8Array> | undefined;
  private pending: Uint8Array | undefined;
  private srcDone = false;
  /** Send errors treated as loss. */
  sendErrors = 0;
  /** Sends handed to the socket and not yet completed (the socket closes only after them). */
  private inflight = 0;
  private released = false;

  constructor(
    readonly engine: TransferEngine,
    readonly socket: Socket,
    /** Where to send; undefined until the peer's TID is known (client before the first reply). */
    public peer: Peer | undefined,
    private readonly hooks: DriverHooks,
    /** Where to send before the peer's TID is known (a client's request). */
    private readonly initialTarget?: Peer,
  ) {}

  /** Attaches a data source for a sending engine. */
  setSource(src: DataSource): void {
    if (src instanceof Uint8Array) {
      this.pending = src;
      this.srcDone = true;
    } else if (Symbol.asyncIterator in src)
      this.iter = (src as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    else this.iter = (src as Iterable<Uint8Array>)[Symbol.iterator]();
  }

  /** Handles a datagram that arrived on the socket. */
  onMessage(msg: Uint8Array, from: Peer): void {
    if (this.closed) return;
    if (this.peer === undefined) {
      // First answer to a client request: lock onto the server's TID (same host, any port).
      if (this.initialTarget && from.address !== this.initialTarget.address) {
        this.stray(from);
        return;
      }
      this.peer = from;
    } else if (from.address !== this.peer.address || from.port !== this.peer.port) {
      this.stray(from);
      return;
    }
    this.engine.receive(msg, clock());
    this.pump();
  }

  private stray(from: Peer): void {
    this.rawSend(encodeError(ErrorCode.UnknownTid, "Unknown transfer ID"), from);
    this.hooks.onStray?.(from);
  }

  /** Sends everything due, drains events, feeds data, re-arms the timer. */
  pump(): void {
    if (this.closed) return;
    const e = this.engine;
    this.feed();
    for (let d = e.pollTransmit(clock()); d; d = e.pollTransmit(clock())) {
      const to = this.peer ?? this.initialTarget;
      if (to) this.rawSend(d, to);
    }
    for (let ev = e.pollEvent(); ev; ev = e.pollEvent()) this.hooks.onEvent(ev);
    if (e.isClosed) {
      this.close();
      return;
    }
    this.arm();
  }

  private rawSend(d: Uint8Array, to: Peer): void {
    this.inflight++;
    try {
      this.socket.send(d, to.port, to.address, (err) => {
        // EPERM (a firewall dropping output), ENOBUFS and friends: a lost packet, not a failure.
        if (err) this.sendErrors++;
        this.inflight--;
        if (this.closed) this.release();
      });
    } catch {
      this.sendErrors++;
      this.inflight--;
    }
  }

  private arm(): void {
    const t = this.engine.nextTimeout();
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (t === undefined) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.engine.handleTimeout(clock());
        this.pump();
      },
      Math.max(0, Math.ceil(t - clock())),
    );
  }

  private feed(): void {
    const e = this.engine;
    if (!isEngineSender(e)) return;
    while (e.wantsData()) {
      if (this.pending) {
        const used = e.supply(this.pending, clock());
        this.pending = used < this.pending.length ? this.pending.subarray(used) : undefined;
        if (this.pending) return;
        continue;
      }
      if (this.srcDone || !this.iter) {
        if (this.srcDone) e.end(clock());
        return;
      }
      if (this.feeding) return;
      const r = this.iter.next();
      if (r instanceof Promise) {
        this.feeding = true;
        r.then(
          (res) => {
            this.feeding = false;
            this.takeChunk(res);
            this.pump();
          },
          (err: unknown) => {
            this.feeding = false;
            e.abort(
              ErrorCode.NotDefined,
              `read failed: ${err instanceof Error ? err.message : String(err)}`,
            );
            this.pump();
          },
        );
        return;
      }
      this.takeChunk(r);
    }
  }

  private takeChunk(res: IteratorResult<Uint8Array>): void {
    if (res.done) this.srcDone = true;
    else if (res.value.length > 0) this.pending = res.value;
  }

  /** Stops the timer and the source; idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const it = this.iter;
    if (it && typeof it.return === "function") {
      try {
        const r = it.return();
        if (r instanceof Promise) r.catch(() => {});
      } catch {
        // ignore
      }
    }
    this.release();
  }

  /** Tells the owner it may close the socket, once the last datagrams (e.g. an ERROR) went out. */
  private release(): void {
    if (this.released || this.inflight > 0) return;
    this.released = true;
    this.hooks.onClosed();
  }
}

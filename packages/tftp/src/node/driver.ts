/// <reference types="node" />
/**
 * Runs one sans-IO engine over a `node:dgram` socket: sends what the engine transmits to the
 * peer, feeds it datagrams from the peer's TID (others get ERROR 5), keeps its timer, and treats
 * EPERM/ENOBUFS from `send` as a lost packet.
 *
 * Send path: once the peer's TID is known the socket is connected to it (`connect()`), so each
 * datagram is one `send(buf)` without an address (no per-datagram address lookup in dgram, no
 * route lookup in the kernel) and without a callback (send errors arrive as socket `error`
 * events and count as loss); only the last datagrams of a closing engine take a callback, so the
 * socket closes after they left. One timer, moved only when the engine's deadline comes earlier
 * than the one it is set for (a timer that fires early just re-arms).
 */
import type { Socket } from "node:dgram";
import { performance } from "node:perf_hooks";
import {
  ErrorCode,
  encodeError,
  Opcode,
  type ReceiverEngine,
  readBlock,
  readOpcode,
  type SenderEngine,
  type TftpEvent,
  type TransferEngine,
  wireBlock,
} from "../index.js";

/** A data source: bytes or chunks. Node Readable streams are AsyncIterables. */
export type DataSource = Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Something read at positions, like a `node:fs/promises` FileHandle. */
export interface PositionalReader {
  read(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesRead: number }>;
}

interface FileState {
  reader: PositionalReader;
  bufs: [Uint8Array, Uint8Array];
  which: 0 | 1;
  pos: number;
  eof: boolean;
  reading: boolean;
  ready: Uint8Array | undefined;
}

/**
 * Batched datagram I/O for a `dgram` socket: `loadUdpBatch()` of `@pxe/udp-batch` (Linux
 * `sendmmsg`/`recvmmsg`) fits it. Both methods return how many datagrams they handled and 0 when
 * they cannot (the driver then falls back to `socket.send` and dgram's own reads).
 */
export interface DatagramBatch {
  /** Sends datagrams to the connected peer in one system call; returns how many were sent. */
  send(socket: Socket, datagrams: readonly Uint8Array[]): number;
  /** Reads queued datagrams into `slot`-byte slots of `area`, lengths into `lengths`; returns the count. */
  receive(socket: Socket, area: Uint8Array, slot: number, lengths: Int32Array): number;
  /**
   * Optional (with {@link receiveSegments}): lets the kernel hand over a burst of datagrams of
   * one size as one message (Linux UDP GRO); returns whether it is on.
   */
  coalesce?(socket: Socket): boolean;
  /**
   * Optional: reads queued messages into `messageBytes` slots of `area`; `out[2i]` is message
   * i's length, `out[2i + 1]` the size of the datagrams it holds (0: one datagram, -1: cut).
   */
  receiveSegments?(socket: Socket, area: Uint8Array, messageBytes: number, out: Int32Array): number;
}

/** Datagrams one batched read takes at most. */
const BATCH_SLOTS = 64;
/** Batched reads after one 'message' event at most (then dgram's event loop turn goes on). */
const BATCH_ROUNDS = 16;
/** Slot of one coalesced message (the largest UDP payload fits). */
const GRO_MESSAGE = 65536;
/** Coalesced messages one read takes at most (a 64 × 1468 window is two). */
const GRO_MESSAGES = 8;

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
  /** When the running timer fires (ms, {@link clock}). */
  private timerAt = Number.POSITIVE_INFINITY;
  /** True once the socket is connected to the peer (send without address). */
  private connected = false;
  private connecting = false;
  /** Sends handed to the socket and not yet completed (the socket closes only after them). */
  private inflight = 0;
  private released = false;
  /** Batched I/O, when given ({@link setBatch}). */
  private batch: DatagramBatch | undefined;
  /** The datagrams of one pump, reused. */
  private readonly out: Uint8Array[] = [];
  /** A read area no datagram view points into (kept after an empty batched read). */
  private area: Uint8Array | undefined;
  private readonly lengths = new Int32Array(BATCH_SLOTS);
  /** Coalesced reads: not wanted, wanted (turned on at the first batched read), or on. */
  private gro: "off" | "wanted" | "on" = "off";
  /** Coalesced datagrams that were not a run of DATA blocks (dropped). */
  badCoalesced = 0;

  constructor(
    readonly engine: TransferEngine,
    readonly socket: Socket,
    /** Where to send; undefined until the peer's TID is known (client before the first reply). */
    public peer: Peer | undefined,
    private readonly hooks: DriverHooks,
    /** Where to send before the peer's TID is known (a client's request). */
    private readonly initialTarget?: Peer,
    /** Connect the socket to the peer once its TID is known. Default true. */
    private readonly connect = true,
  ) {
    socket.on("error", () => {
      // Errors of sends without a callback: a lost datagram.
      this.sendErrors++;
    });
  }

  /**
   * Connects the socket to the peer (known or locked onto later); resolves once connected (or
   * when connecting failed: sends then keep giving the address).
   */
  connectToPeer(): Promise<void> {
    const p = this.peer;
    if (!this.connect || p === undefined || this.connected || this.connecting)
      return Promise.resolve();
    this.connecting = true;
    return new Promise<void>((resolve) => {
      // A failed connect() emits `error` instead of calling back: go on unconnected.
      const onError = () => {
        if (!this.connecting) return;
        this.connecting = false;
        resolve();
        this.pump();
      };
      this.socket.once("error", onError);
      try {
        this.socket.connect(p.port, p.address, () => {
          this.socket.off("error", onError);
          this.connecting = false;
          this.connected = !this.closed;
          resolve();
          this.pump();
        });
      } catch {
        this.socket.off("error", onError);
        this.connecting = false;
        resolve();
      }
    });
  }

  /**
   * Uses batched I/O once the socket is connected: every pump hands its datagrams to the kernel
   * in one call, and {@link drain} reads what is queued after a datagram arrived.
   *
   * `coalesce` (receiving engines whose data events are consumed before the event handler
   * returns, as the client's download stream copies them): the socket also takes coalesced
   * bursts (UDP GRO) when the batch can, read into one reused area. Not for a consumer that
   * keeps the event's view past the handler (a write that completes later).
   */
  setBatch(batch: DatagramBatch | undefined, opts: { coalesce?: boolean } = {}): void {
    this.batch = batch;
    this.gro = opts.coalesce === true && !isEngineSender(this.engine) ? "wanted" : "off";
  }

  /**
   * Call after {@link onMessage} for a datagram from the socket: with batched I/O on a connected
   * socket, reads the datagrams queued behind it (bounded rounds) and handles them in order.
   * Views of a read area are handed to the engine (which may hold blocks beyond a gap), so an
   * area is reused only after a read that returned nothing, or, when coalescing, once nothing
   * points into it any more.
   */
  drain(): void {
    const b = this.batch;
    if (b === undefined || !this.connected) return;
    const peer = this.peer;
    if (peer === undefined) return;
    if (this.gro === "wanted")
      this.gro =
        b.receiveSegments !== undefined && b.coalesce?.(this.socket) === true ? "on" : "off";
    const gro = this.gro === "on";
    // One byte more than the largest DATA: a longer datagram fills its slot and is refused.
    const slot = this.engine.transferParams.blksize + 5;
    const size = gro ? GRO_MESSAGES * GRO_MESSAGE : BATCH_SLOTS * slot;
    for (let round = 0; round < BATCH_ROUNDS; round++) {
      if (this.closed || this.paused || this.engine.isClosed) return;
      let area = this.area;
      if (area === undefined || area.length < size) area = Buffer.allocUnsafe(size);
      const n = gro
        ? (b.receiveSegments?.(this.socket, area, GRO_MESSAGE, this.groOut) ?? 0)
        : b.receive(this.socket, area, slot, this.lengths);
      if (n === 0) {
        this.area = area;
        return;
      }
      this.area = undefined;
      // The whole batch reaches the engine first, then one pump sends what it queued (the ACK
      // at a window's end, a gap report) and delivers its events.
      const now = clock();
      if (gro) this.deliverCoalesced(area, n, peer, now);
      else
        for (let i = 0; i < n; i++)
          this.deliver(area.subarray(i * slot, i * slot + (this.lengths[i] ?? 0)), peer, now);
      this.pump();
      // Coalescing is only on for consumers that copy data events within pump: the area is
      // free again unless the engine holds blocks beyond a gap or datagrams wait in the pause
      // queue.
      if (gro && this.held.length === 0 && !(this.engine as ReceiverEngine).holdsData)
        this.area = area;
    }
  }

  private readonly groOut = new Int32Array(2 * GRO_MESSAGES);

  /** Cuts `n` coalesced messages of a read area into their datagrams (the kernel gave their size). */
  private deliverCoalesced(area: Uint8Array, n: number, peer: Peer, now: number): void {
    const out = this.groOut;
    for (let i = 0; i < n; i++) {
      const len = out[2 * i] ?? 0;
      const seg = out[2 * i + 1] ?? 0;
      if (seg < 0) continue; // longer than 64 KiB: not TFTP
      const base = i * GRO_MESSAGE;
      const step = seg > 0 && seg < len ? seg : len;
      for (let off = 0; ; off += step) {
        this.deliver(area.subarray(base + off, base + Math.min(off + step, len)), peer, now);
        if (off + step >= len) break;
      }
    }
  }

  /** A received datagram to the engine, or to the pause queue. */
  private deliver(d: Uint8Array, peer: Peer, now: number): void {
    if (this.paused) this.hold(d, peer);
    else this.engine.receive(d, now);
  }

  /**
   * A datagram dgram read from a coalescing socket may hold a burst (dgram does not see the
   * kernel's segment size). DATA of a window are blksize + 4 bytes each (the last may be
   * shorter): the burst is cut there when every full piece is a DATA block following the one
   * before; anything else is dropped (the peer sends it again).
   */
  private splitCoalesced(msg: Uint8Array, now: number): void {
    const { blksize, rollover } = this.engine.transferParams;
    const seg = blksize + 4;
    const pieces: Uint8Array[] = [];
    for (let off = 0; off < msg.length; off += seg)
      pieces.push(msg.subarray(off, Math.min(off + seg, msg.length)));
    for (let i = 0; i < pieces.length; i++) {
      const d = pieces[i] as Uint8Array;
      if (d.length < seg) break; // the shorter last piece: its place is settled by the others
      if (
        readOpcode(d) !== Opcode.DATA ||
        (i > 0 && readBlock(d) !== wireBlock(readBlock(pieces[i - 1] as Uint8Array) + 1, rollover))
      ) {
        this.badCoalesced++;
        return;
      }
    }
    for (const d of pieces) this.engine.receive(d, now);
  }

  private file: FileState | undefined;

  /**
   * Attaches a file read at positions (from 0) for a sending engine: two reused buffers of
   * `chunkBytes`, one being sent from while the next chunk is read ahead; no other allocation.
   */
  setFileSource(reader: PositionalReader, chunkBytes: number): void {
    const n = Math.max(1, Math.floor(chunkBytes));
    this.file = {
      reader,
      bufs: [new Uint8Array(n), new Uint8Array(n)],
      which: 0,
      pos: 0,
      eof: false,
      reading: false,
      ready: undefined,
    };
  }

  private readAhead(): void {
    const f = this.file;
    if (f === undefined || f.reading || f.eof || f.ready !== undefined || this.closed) return;
    f.reading = true;
    const buf = f.bufs[f.which];
    f.which = f.which === 0 ? 1 : 0;
    f.reader.read(buf, 0, buf.length, f.pos).then(
      ({ bytesRead }) => {
        f.reading = false;
        if (this.closed) return;
        if (bytesRead <= 0) f.eof = true;
        else {
          f.pos += bytesRead;
          f.ready = buf.subarray(0, bytesRead);
        }
        this.pump();
      },
      (err: unknown) => {
        f.reading = false;
        if (this.closed) return;
        this.engine.abort(
          ErrorCode.NotDefined,
          `read failed: ${err instanceof Error ? err.message : String(err)}`,
        );
        this.pump();
      },
    );
  }

  /** Attaches a data source for a sending engine. */
  setSource(src: DataSource): void {
    if (src instanceof Uint8Array) {
      this.pending = src;
      this.srcDone = true;
    } else if (Symbol.asyncIterator in src)
      this.iter = (src as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
    else this.iter = (src as Iterable<Uint8Array>)[Symbol.iterator]();
  }

  private paused = false;
  private held: { msg: Uint8Array; from: Peer }[] = [];
  /** Datagrams dropped while paused with a full hold queue (the peer resends them). */
  droppedWhilePaused = 0;

  /**
   * Back-pressure: while paused, datagrams are held (at most about two windows, the rest is
   * dropped and resent by the peer's timer) instead of reaching the engine, so nothing is
   * acknowledged and the peer sends no further window.
   */
  pause(): void {
    this.paused = true;
  }

  /** Ends a {@link pause}: held datagrams reach the engine in order. */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    const held = this.held;
    this.held = [];
    for (const h of held) {
      if (this.paused) {
        this.held.push(h);
        continue;
      }
      this.onMessage(h.msg, h.from);
    }
  }

  /** Keeps a datagram that arrived while paused (about two windows), drops the rest. */
  private hold(msg: Uint8Array, from: Peer): void {
    if (this.held.length < 2 * this.engine.transferParams.windowsize + 4)
      this.held.push({ msg, from });
    else this.droppedWhilePaused++;
  }

  /** Handles a datagram that arrived on the socket. */
  onMessage(msg: Uint8Array, from: Peer): void {
    if (this.closed) return;
    if (this.paused && this.peer !== undefined) {
      this.hold(msg, from);
      return;
    }
    if (this.connected) {
      // A connected socket only receives datagrams from the peer: no address to compare.
    } else if (this.peer === undefined) {
      // First answer to a client request: lock onto the server's TID (same host, any port).
      if (this.initialTarget && from.address !== this.initialTarget.address) {
        this.stray(from);
        return;
      }
      this.peer = from;
      void this.connectToPeer();
    } else if (from.address !== this.peer.address || from.port !== this.peer.port) {
      this.stray(from);
      return;
    }
    if (this.gro === "on" && msg.length > this.engine.transferParams.blksize + 4)
      this.splitCoalesced(msg, clock());
    else this.engine.receive(msg, clock());
    this.pump();
  }

  /** A datagram from another TID that arrived on a sibling socket bound to the same port. */
  onStrayMessage(from: Peer, reply: (d: Uint8Array) => void): void {
    if (this.closed) return;
    reply(encodeError(ErrorCode.UnknownTid, "Unknown transfer ID"));
    this.hooks.onStray?.(from);
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
    const now = clock();
    // While connect() is under way dgram would queue a send and then refuse its address: the
    // datagrams wait in the engine until the connect callback pumps again.
    if (this.connecting) {
      // nothing: see above
    } else if (this.batch !== undefined && this.connected && !e.isClosed)
      this.sendBatched(this.batch, now);
    else
      for (let d = e.pollTransmit(now); d; d = e.pollTransmit(now)) {
        if (this.connected && !e.isClosed) this.fastSend(d);
        else {
          const to = this.peer ?? this.initialTarget;
          if (to) this.rawSend(d, to);
        }
      }
    for (let ev = e.pollEvent(); ev; ev = e.pollEvent()) this.hooks.onEvent(ev);
    if (e.isClosed) {
      this.close();
      return;
    }
    this.arm();
  }

  /**
   * Everything the engine transmits now, in as few system calls as the batch allows; what it
   * does not take goes through `socket.send`. A closing engine's last datagrams take the
   * callback path so the socket closes only after they left.
   */
  private sendBatched(batch: DatagramBatch, now: number): void {
    const e = this.engine;
    const out = this.out;
    out.length = 0;
    for (let d = e.pollTransmit(now); d; d = e.pollTransmit(now)) out.push(d);
    if (out.length === 0) return;
    const peer = this.peer;
    if (e.isClosed && peer !== undefined) {
      for (const d of out) this.rawSend(d, peer);
    } else {
      let k = 0;
      // One datagram (an ACK) goes through dgram: a batch of one saves nothing.
      if (out.length > 1)
        while (k < out.length) {
          const n = batch.send(this.socket, k === 0 ? out : out.slice(k));
          if (n <= 0) break;
          k += n;
        }
      for (; k < out.length; k++) this.fastSend(out[k] as Uint8Array);
    }
    out.length = 0;
  }

  /** One datagram to the connected peer: no address, no callback, no copy. */
  private fastSend(d: Uint8Array): void {
    try {
      this.socket.send(d);
    } catch {
      this.sendErrors++;
    }
  }

  private rawSend(d: Uint8Array, to: Peer): void {
    this.inflight++;
    try {
      const cb = (err: Error | null) => {
        // EPERM (a firewall dropping output), ENOBUFS and friends: a lost packet, not a failure.
        if (err) this.sendErrors++;
        this.inflight--;
        if (this.closed) this.release();
      };
      if (this.connected) this.socket.send(d, cb);
      else this.socket.send(d, to.port, to.address, cb);
    } catch {
      this.sendErrors++;
      this.inflight--;
    }
  }

  private arm(): void {
    const t = this.engine.nextTimeout();
    // Keep a timer that fires no later than needed: an early fire is a no-op plus a re-arm,
    // cheaper than clearTimeout + setTimeout on every datagram. No deadline: let it run out.
    if (t === undefined || (this.timer && this.timerAt <= t)) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = t;
    this.timer = setTimeout(this.onTimer, Math.max(0, Math.ceil(t - clock())));
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Number.POSITIVE_INFINITY;
    this.engine.handleTimeout(clock());
    this.pump();
  };

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
      const f = this.file;
      if (f !== undefined) {
        if (f.ready !== undefined) {
          this.pending = f.ready;
          f.ready = undefined;
          this.readAhead(); // into the other buffer, while this one is sent
          continue;
        }
        if (f.eof && !f.reading) e.end(clock());
        else this.readAhead();
        return;
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

/**
 * Sans-IO TFTP transfer engines: a server-side read (RRQ) and write (WRQ) transfer and a
 * client-side get and put. They never read clocks, files or sockets: the caller feeds datagrams
 * from the peer's TID with {@link TransferEngine.receive}, the current time (ms, any monotonic
 * origin) with every call, and data to send with {@link SenderEngine.supply}; it drains datagrams
 * with {@link TransferEngine.pollTransmit}, events with {@link TransferEngine.pollEvent}, and
 * calls {@link TransferEngine.handleTimeout} at {@link TransferEngine.nextTimeout}.
 *
 * Rules implemented (RFC 1350, 2347, 7440 and field lessons):
 * - Blocks are counted absolutely; only the wire wraps (to 0, or to 1 with `rollover 1`).
 * - A sender transmits a window of `windowsize` blocks; an ACK of the last block of the window or
 *   of an earlier block restarts the window after the acknowledged block (RFC 7440 §4).
 * - Retransmission only on timer, with a bounded count and a pluggable timeout policy with backoff;
 *   a repeated ACK never triggers a retransmission (no Sorcerer's Apprentice).
 * - A receiver holds blocks that arrive ahead of a gap (views, no copy) and delivers them in order
 *   once it fills; it ACKs when the sender's window is complete, reports a gap once (after 3 blocks
 *   beyond it, or at the window's or the file's last block), re-ACKs when the block it last
 *   acknowledged comes again (its ACK was lost), and dallies after the final ACK.
 * - Peer ERROR ends the transfer without reply; malformed datagrams are dropped and reported.
 */
import { blockDistance, wireBlock } from "./blocks.js";
import { TftpError } from "./errors.js";
import {
  acceptOack,
  type ClientRequestOptions,
  requestOptionList,
  type TransferParams,
} from "./options.js";
import {
  decodePacket,
  ErrorCode,
  encodeAck,
  encodeError,
  encodeOack,
  encodeRequest,
  Opcode,
  readBlock,
  readOpcode,
  type TftpOption,
  writeDataHeader,
} from "./wire.js";

/** Retransmission-timeout policy. Implementations may adapt from RTT samples. */
export interface RtoPolicy {
  /** Timeout in ms before retransmission number `attempt + 1` (attempt 0 = the first transmission). */
  timeout(attempt: number): number;
  /** An RTT sample for a packet that was sent only once (Karn's rule), in ms. */
  sample?(rttMs: number): void;
}

/** Exponential backoff: `initialMs × 2^attempt`, capped at `maxMs`. */
export function backoffRto(initialMs = 1000, maxMs = Math.max(initialMs, 8000)): RtoPolicy {
  return { timeout: (attempt) => Math.min(maxMs, initialMs * 2 ** Math.min(attempt, 30)) };
}

/** Bounds of {@link adaptiveRto}. */
export interface AdaptiveRtoOptions {
  /** Timeout before the first round trip was measured, ms. Default 1000 (RFC 6298). */
  initialMs?: number;
  /** Lower bound of the computed timeout, ms. Default 20. */
  minMs?: number;
  /** Upper bound of the computed timeout, ms. Default 3000. */
  maxMs?: number;
  /** Upper bound of the backed-off timeout, ms. Default 8000. */
  backoffMaxMs?: number;
}

/**
 * Adaptive retransmission timeout (RFC 6298 as RFC 1123 4.2.3.2 asks): SRTT + 4 × RTTVAR from
 * round-trip samples (the engines only sample packets sent once: Karn's rule), clamped to
 * [`minMs`, `maxMs`], doubled per retransmission of the same packet up to `backoffMaxMs`.
 */
export function adaptiveRto(o: AdaptiveRtoOptions = {}): RtoPolicy & {
  /** Smoothed RTT (ms), undefined before the first sample. */
  readonly srtt: number | undefined;
} {
  const minMs = o.minMs ?? 20;
  const maxMs = Math.max(minMs, o.maxMs ?? 3000);
  const backoffMax = Math.max(maxMs, o.backoffMaxMs ?? 8000);
  let rto = o.initialMs ?? 1000;
  let srtt: number | undefined;
  let rttvar = 0;
  return {
    get srtt() {
      return srtt;
    },
    timeout: (attempt) => Math.min(backoffMax, rto * 2 ** Math.min(attempt, 30)),
    sample(r) {
      if (!(r >= 0) || !Number.isFinite(r)) return;
      if (srtt === undefined) {
        srtt = r;
        rttvar = r / 2;
      } else {
        rttvar = 0.75 * rttvar + 0.25 * Math.abs(srtt - r);
        srtt = 0.875 * srtt + 0.125 * r;
      }
      rto = Math.min(maxMs, Math.max(minMs, srtt + 4 * rttvar));
    },
  };
}

/** Settings shared by every engine. */
export interface EngineOptions {
  /**
   * Timeout policy. Default: {@link backoffRto} from the negotiated `timeout` option when one was
   * negotiated, else {@link adaptiveRto} (measured round trips, 20 ms to 3 s). A function gets
   * the negotiated timeout in ms (1000 when none).
   */
  rto?: RtoPolicy | ((initialMs: number) => RtoPolicy);
  /** Retransmissions of one packet/window before giving up. Default 5. */
  maxRetries?: number;
  /**
   * With the default adaptive timeout, the transfer also gives up only once it made no progress
   * for this long (ms), so a short timeout does not turn a brief stall into a failure. Default
   * 10000; ignored when `rto` is given or a `timeout` option was negotiated.
   */
  minGiveUpMs?: number;
  /** How long a receiver stays after its final ACK, in ms. Default 2 × the first timeout, at least 2 s. */
  dallyMs?: number;
}

/** Why a transfer failed. `remote`: the peer sent ERROR; `local`: we sent one; `timeout`: retries exhausted. */
export interface TransferFailure {
  readonly kind: "remote" | "local" | "timeout";
  readonly code: number;
  readonly message: string;
}

/** Events drained with {@link TransferEngine.pollEvent}. */
export type TftpEvent =
  | {
      readonly type: "negotiated";
      readonly params: TransferParams;
      readonly oack: readonly TftpOption[] | undefined;
    }
  /**
   * In-order payload: a view into a datagram given to `receive` (possibly an earlier one, held
   * while a gap was open). Receive buffers must not be reused before their data event is handled.
   */
  | {
      readonly type: "data";
      readonly data: Uint8Array;
      readonly offset: number;
      readonly block: number;
    }
  | { readonly type: "complete"; readonly bytes: number; readonly blocks: number }
  | { readonly type: "failed"; readonly failure: TransferFailure }
  | { readonly type: "malformed"; readonly error: TftpError }
  | { readonly type: "closed" };

/** Lifecycle of an engine. */
export type EngineState = "handshake" | "transfer" | "dally" | "done" | "failed";

/** Counters kept by every engine. */
export interface EngineStats {
  /** Datagrams handed out by pollTransmit. */
  sent: number;
  /** Of those, retransmissions (DATA, ACK or request resent on timer or gap). */
  retransmitted: number;
  received: number;
  malformed: number;
  /** Duplicate or stale DATA/ACK ignored. */
  duplicates: number;
  timeouts: number;
}

const MAX_WINDOW = 32767; // keeps stale ACKs from aliasing into the window after a wrap

/** Base of the four engines: queue, events, timers. */
export abstract class TransferEngine {
  protected now: number;
  protected readonly events: TftpEvent[] = [];
  protected readonly queue: Uint8Array[] = [];
  protected deadline: number | undefined;
  protected attempt = 0;
  protected readonly maxRetries: number;
  protected rto: RtoPolicy;
  private readonly rtoOption: EngineOptions["rto"];
  protected readonly dallyOption: number | undefined;
  protected params: TransferParams;
  /** Current state. */
  state: EngineState = "handshake";
  /** Counters. */
  readonly stats: EngineStats = {
    sent: 0,
    retransmitted: 0,
    received: 0,
    malformed: 0,
    duplicates: 0,
    timeouts: 0,
  };
  /** Set when the transfer failed. */
  failure: TransferFailure | undefined;
  private readonly ackRing: Uint8Array[] = [];
  private ackIdx = 0;
  private readonly minGiveUpOption: number | undefined;
  /** Minimum silence before giving up (0: only the retry count counts). */
  protected minGiveUpMs = 0;
  /** Last time the transfer made progress (a new block or ACK). */
  protected progressAt: number;

  protected constructor(now: number, params: TransferParams, opts: EngineOptions) {
    this.now = now;
    this.params = { ...params, windowsize: Math.min(params.windowsize, MAX_WINDOW) };
    this.maxRetries = opts.maxRetries ?? 5;
    this.rtoOption = opts.rto;
    this.dallyOption = opts.dallyMs;
    this.minGiveUpOption = opts.minGiveUpMs;
    this.progressAt = now;
    this.rto = this.makeRto();
    for (let i = 0; i < 8; i++) this.ackRing.push(new Uint8Array(4));
  }

  protected makeRto(): RtoPolicy {
    const initial = this.params.timeoutMs ?? 1000;
    const o = this.rtoOption;
    this.minGiveUpMs = 0;
    if (o === undefined) {
      if (this.params.timeoutMs !== undefined) return backoffRto(initial);
      this.minGiveUpMs = this.minGiveUpOption ?? 10_000;
      return adaptiveRto();
    }
    return typeof o === "function" ? o(initial) : o;
  }

  /** Parameters in force (final after the `negotiated` event). */
  get transferParams(): Readonly<TransferParams> {
    return this.params;
  }

  /** True once nothing more will happen (done or failed); the caller may release the socket. */
  get isClosed(): boolean {
    return this.state === "done" || this.state === "failed";
  }

  /** The next datagram to send, or undefined. Views stay valid until the block is acknowledged. */
  pollTransmit(now?: number): Uint8Array | undefined {
    if (now !== undefined) this.now = now;
    const q = this.queue.shift() ?? this.produce();
    if (q !== undefined) this.stats.sent++;
    return q;
  }

  /** The next event, or undefined. */
  pollEvent(): TftpEvent | undefined {
    return this.events.shift();
  }

  /** When {@link handleTimeout} should be called next (ms), or undefined when no timer runs. */
  nextTimeout(): number | undefined {
    return this.isClosed ? undefined : this.deadline;
  }

  /** Feeds one datagram from the peer's TID. Never throws on peer input. */
  receive(datagram: Uint8Array, now: number): void {
    this.now = now;
    if (this.isClosed) return;
    this.stats.received++;
    const op = readOpcode(datagram);
    if (op === Opcode.ERROR) {
      try {
        const p = decodePacket(datagram);
        if (p.op === Opcode.ERROR)
          this.fail({ kind: "remote", code: p.code, message: p.message }, false);
      } catch (e) {
        this.malformed(e);
      }
      return;
    }
    this.onPacket(op, datagram);
  }

  /** Advances timers; spurious calls are no-ops. */
  handleTimeout(now: number): void {
    this.now = now;
    if (this.isClosed || this.deadline === undefined || now < this.deadline) return;
    if (this.state === "dally") {
      this.finish();
      return;
    }
    this.stats.timeouts++;
    this.attempt++;
    if (this.attempt > this.maxRetries && now - this.progressAt >= this.minGiveUpMs) {
      this.fail(
        { kind: "timeout", code: ErrorCode.NotDefined, message: "peer stopped answering" },
        false,
      );
      return;
    }
    this.onTimeout();
    this.arm();
  }

  /** Aborts the transfer locally, sending ERROR `code` to the peer. */
  abort(code: number, message: string): void {
    if (this.isClosed) return;
    this.fail({ kind: "local", code, message }, true);
  }

  protected abstract onPacket(op: number, datagram: Uint8Array): void;
  protected abstract onTimeout(): void;
  protected produce(): Uint8Array | undefined {
    return undefined;
  }

  protected arm(): void {
    this.deadline = this.now + this.rto.timeout(this.attempt);
  }

  protected malformed(e: unknown, offset = 0): void {
    this.stats.malformed++;
    const error = e instanceof TftpError ? e : new TftpError("bad-packet", String(e), offset);
    this.events.push({ type: "malformed", error });
  }

  protected fail(failure: TransferFailure, sendError: boolean): void {
    if (sendError) this.queue.push(encodeError(failure.code, failure.message));
    this.failure = failure;
    this.state = "failed";
    this.deadline = undefined;
    this.events.push({ type: "failed", failure }, { type: "closed" });
  }

  protected finish(): void {
    this.state = "done";
    this.deadline = undefined;
    this.events.push({ type: "closed" });
  }

  protected ack(abs: number): Uint8Array {
    const buf = this.ackRing[this.ackIdx] as Uint8Array;
    this.ackIdx = (this.ackIdx + 1) % this.ackRing.length;
    return encodeAck(wireBlock(abs, this.params.rollover), buf, 0);
  }

  protected setParams(params: TransferParams, oack: readonly TftpOption[] | undefined): void {
    this.params = { ...params, windowsize: Math.min(params.windowsize, MAX_WINDOW) };
    this.rto = this.makeRto();
    this.events.push({ type: "negotiated", params: this.params, oack });
  }

  /**
   * Client handshake: checks an OACK against what was `asked` and adopts its parameters. Returns
   * false when it is not taken: undecodable (counted as malformed) or refused (ERROR 8 sent).
   */
  protected takeOack(asked: ClientRequestOptions, datagram: Uint8Array): boolean {
    let options: readonly TftpOption[];
    try {
      const p = decodePacket(datagram);
      options = p.op === Opcode.OACK ? p.options : [];
    } catch (e) {
      this.malformed(e);
      return false;
    }
    const check = acceptOack(asked, options, this.params.rollover);
    if (!check.ok) {
      this.abort(ErrorCode.OptionNegotiation, check.message);
      return false;
    }
    this.setParams(check.params, options);
    return true;
  }

  /** Client handshake answered without an OACK: RFC 1350 defaults, keeping the timeout asked. */
  protected takeDefaults(): void {
    this.setParams(
      {
        ...initialParams({ rollover: this.params.rollover }),
        timeoutMs: this.params.timeoutMs,
      },
      undefined,
    );
  }
}

/**
 * Sending side (server read, client put). Data comes from the application in chunks of any size
 * ({@link supply}) or is read straight into the datagram buffer ({@link writableBuffer} +
 * {@link commit}); {@link end} marks the end of the file.
 */
export abstract class SenderEngine extends TransferEngine {
  private slots: Uint8Array[] = [];
  private slotLen: number[] = [];
  private slotView: (Uint8Array | undefined)[] = [];
  /** Lowest unacknowledged block. */
  private base = 1;
  /** Highest block whose data is complete. */
  private filled = 0;
  /** Bytes in block `filled + 1` so far. */
  private fillLen = 0;
  private eof = false;
  private lastBlock = Number.POSITIVE_INFINITY;
  /** Next block to transmit. */
  private next = 1;
  /** Highest block transmitted so far. */
  private maxSent = 0;
  private firstSendAt = 0;
  private bytesAcked = 0;
  private sentOnce = true;

  /** True while the window has room for more data and the end was not supplied. */
  wantsData(): boolean {
    return !this.eof && !this.isClosed && this.filled + 1 < this.base + this.params.windowsize;
  }

  private slot(abs: number): Uint8Array {
    const w = this.params.windowsize;
    const i = abs % w;
    let s = this.slots[i];
    if (s === undefined) {
      if (this.slots.length === 0) {
        this.slots = new Array(w);
        this.slotLen = new Array(w).fill(0);
        this.slotView = new Array(w);
      }
      s = new Uint8Array(4 + this.params.blksize);
      this.slots[i] = s;
    }
    return s;
  }

  /** Space for the block being filled (a view into its datagram buffer), or undefined when the window is full. */
  writableBuffer(): Uint8Array | undefined {
    if (!this.wantsData()) return undefined;
    const s = this.slot(this.filled + 1);
    return s.subarray(4 + this.fillLen, 4 + this.params.blksize);
  }

  /** Commits `n` bytes written into {@link writableBuffer}. */
  commit(n: number, now?: number): void {
    if (now !== undefined) this.now = now;
    if (n < 0 || this.fillLen + n > this.params.blksize)
      throw new TftpError("bad-commit", "commit beyond the block");
    this.fillLen += n;
    if (this.fillLen === this.params.blksize) this.completeBlock(this.params.blksize);
  }

  /**
   * Copies as much of `chunk` as the window has room for into datagram buffers. Returns the
   * number of bytes consumed; supply the rest when {@link wantsData} is true again.
   */
  supply(chunk: Uint8Array, now?: number): number {
    if (now !== undefined) this.now = now;
    let used = 0;
    const bs = this.params.blksize;
    while (used < chunk.length && this.wantsData()) {
      const s = this.slot(this.filled + 1);
      const n = Math.min(bs - this.fillLen, chunk.length - used);
      s.set(chunk.subarray(used, used + n), 4 + this.fillLen);
      this.fillLen += n;
      used += n;
      if (this.fillLen === bs) this.completeBlock(bs);
    }
    return used;
  }

  /**
   * Marks the end of the data: the block being filled (possibly empty) is the last. Call it only
   * once every byte was accepted by {@link supply}/{@link commit}; with a full window the end is
   * remembered and the final block follows when room frees up.
   */
  end(now?: number): void {
    if (now !== undefined) this.now = now;
    if (this.eof) return;
    if (!(this.filled + 1 < this.base + this.params.windowsize)) {
      // The window is full of complete blocks; the final (empty or short) block comes later.
      this.pendingEnd = true;
      return;
    }
    this.eof = true;
    this.completeBlock(this.fillLen);
    this.lastBlock = this.filled;
  }
  private pendingEnd = false;

  private completeBlock(len: number): void {
    const abs = this.filled + 1;
    const i = abs % this.params.windowsize;
    this.slotLen[i] = len;
    const s = this.slots[i] ?? this.slot(abs);
    const v = this.slotView[i];
    this.slotView[i] = v !== undefined && v.length === 4 + len ? v : s.subarray(0, 4 + len);
    this.filled = abs;
    this.fillLen = 0;
  }

  /** Bytes acknowledged so far. */
  get bytesTransferred(): number {
    return this.bytesAcked;
  }

  protected startSending(): void {
    this.state = "transfer";
    this.attempt = 0;
    this.deadline = undefined;
  }

  protected override produce(): Uint8Array | undefined {
    if (this.state !== "transfer") return undefined;
    const limit = Math.min(this.filled, this.base + this.params.windowsize - 1);
    if (this.next > limit) return undefined;
    const abs = this.next++;
    const fresh = abs > this.maxSent;
    if (!fresh) this.stats.retransmitted++;
    else this.maxSent = abs;
    const i = abs % this.params.windowsize;
    const s = this.slots[i] as Uint8Array;
    writeDataHeader(s, wireBlock(abs, this.params.rollover));
    if (abs === this.base) {
      // First block of a (re)started window: (re)arm the timer.
      if (this.attempt === 0) {
        this.firstSendAt = this.now;
        this.sentOnce = fresh; // Karn's rule: no sample from a retransmitted block
      }
      this.arm();
    }
    return this.slotView[i];
  }

  protected onAck(wire: number): void {
    const d = blockDistance(this.base - 1, wire, this.params.rollover);
    const abs = this.base - 1 + d;
    if (d < 0 || abs > this.maxSent) {
      this.stats.duplicates++;
      return;
    }
    if (abs === this.base - 1) {
      // A repeated ACK never triggers a retransmission (Sorcerer's Apprentice); only the timer does.
      this.stats.duplicates++;
      return;
    }
    for (let b = this.base; b <= abs; b++)
      this.bytesAcked += this.slotLen[b % this.params.windowsize] ?? 0;
    if (this.attempt === 0 && this.sentOnce) this.rto.sample?.(this.now - this.firstSendAt);
    this.progressAt = this.now;
    this.base = abs + 1;
    this.next = this.base;
    this.attempt = 0;
    this.deadline = undefined;
    if (abs >= this.lastBlock) {
      this.events.push({ type: "complete", bytes: this.bytesAcked, blocks: this.lastBlock });
      this.finish();
      return;
    }
    if (this.pendingEnd && this.filled + 1 < this.base + this.params.windowsize) {
      this.pendingEnd = false;
      this.end();
    }
  }

  protected onSendTimeout(): void {
    // Restart the window from the oldest unacknowledged block.
    this.sentOnce = false;
    this.next = this.base;
    if (this.next > this.filled) this.deadline = undefined;
  }
}

/** Receiving side (server write, client get). */
export abstract class ReceiverEngine extends TransferEngine {
  /** Next expected block. */
  protected expected = 1;
  private nackFor = -1;
  /** Blocks beyond a gap seen since `expected` last advanced. */
  private beyondGap = 0;
  protected bytes = 0;
  /** Largest number of bytes accepted; more ends the transfer with ERROR 3. */
  protected maxBytes = Number.POSITIVE_INFINITY;
  /** The error sent when more than {@link maxBytes} arrive. */
  protected overrun: readonly [code: number, message: string] = [
    ErrorCode.DiskFull,
    "file exceeds the space allowed",
  ];
  /** Exact size the transfer must end at (the tsize a server announced), if any. */
  protected exactBytes: number | undefined;

  /** Bytes received in order so far. */
  get bytesTransferred(): number {
    return this.bytes;
  }

  /** Last block this receiver acknowledged. */
  private lastAcked = 0;

  /** The datagram that acknowledges `abs` (block 0 may be an OACK on the server side). */
  protected ackFor(abs: number): Uint8Array {
    return this.ack(abs);
  }

  /** When the last ACK was repeated (for a resent block or on timeout). */
  private reackAt = Number.NEGATIVE_INFINITY;
  /** When the ACK whose answer is awaited went out (RTT sample), undefined when none is timed. */
  private ackAt: number | undefined;

  private sendAck(abs: number, timed = false): void {
    this.lastAcked = abs;
    if (timed && this.attempt === 0) this.ackAt = this.now;
    this.queue.push(this.ackFor(abs));
  }

  /**
   * Blocks that arrived ahead of a gap, held as views of their datagrams (no copy) until the gap
   * fills; indexed by absolute block modulo the window.
   */
  private held: (Uint8Array | undefined)[] = [];
  private heldAbs: number[] = [];

  /**
   * True while blocks that arrived ahead of a gap are held as views of datagrams given to
   * {@link receive}: their memory must not be reused until this is false again.
   */
  get holdsData(): boolean {
    const held = this.held;
    for (let i = 0; i < held.length; i++)
      if (held[i] !== undefined && (this.heldAbs[i] ?? -1) >= this.expected) return true;
    return false;
  }

  /** Takes block `expected` from `datagram`; returns false when the transfer ended (final block or abort). */
  private take(datagram: Uint8Array): boolean {
    const len = datagram.length - 4;
    if (this.bytes + len > this.maxBytes) {
      this.abort(this.overrun[0], this.overrun[1]);
      return false;
    }
    const block = this.expected++;
    this.events.push({ type: "data", data: datagram.subarray(4), offset: this.bytes, block });
    this.bytes += len;
    if (len < this.params.blksize) {
      this.sendAck(block);
      if (this.exactBytes !== undefined && this.bytes !== this.exactBytes)
        // The sender is done (its last block is acknowledged), but the file is not the one announced.
        this.events.push({
          type: "failed",
          failure: {
            kind: "local",
            code: ErrorCode.NotDefined,
            message: `file ended at ${this.bytes} bytes, the server announced tsize ${this.exactBytes}`,
          },
        });
      else this.events.push({ type: "complete", bytes: this.bytes, blocks: block });
      this.state = "dally";
      this.held = [];
      // Long enough for the sender's timer (unknown to us, so at least 2 × 1 s) to fire again.
      this.deadline =
        this.now +
        (this.dallyOption ?? 2 * Math.max(this.rto.timeout(0), this.params.timeoutMs ?? 1000));
      return false;
    }
    return true;
  }

  protected onData(datagram: Uint8Array): void {
    const wire = readBlock(datagram);
    const len = datagram.length - 4;
    if (len > this.params.blksize) {
      this.malformed(
        new TftpError("bad-length", `DATA longer than blksize ${this.params.blksize}`, 4),
      );
      return;
    }
    const w = this.params.windowsize;
    const d = blockDistance(this.expected, wire, this.params.rollover);
    if (d === 0) {
      if (this.ackAt !== undefined) {
        // The first block after a window ACK: one round trip (sender's turnaround included).
        this.rto.sample?.(this.now - this.ackAt);
        this.ackAt = undefined;
      }
      this.progressAt = this.now;
      if (!this.take(datagram)) return;
      // Blocks held beyond the gap now follow in order.
      for (;;) {
        const i = this.expected % w;
        const h = this.held[i];
        if (h === undefined || this.heldAbs[i] !== this.expected) break;
        this.held[i] = undefined;
        if (!this.take(h)) return;
      }
      this.beyondGap = 0;
      this.attempt = 0;
      // ACK once the sender's window (the W blocks after our last ACK) is complete.
      if (this.expected - 1 - this.lastAcked >= w) this.sendAck(this.expected - 1, true);
      this.arm();
      return;
    }
    if (d > 0 && d < w) {
      const abs = this.expected + d;
      const i = abs % w;
      if (this.held.length === 0) {
        this.held = new Array(w);
        this.heldAbs = new Array(w).fill(-1);
      }
      if (this.heldAbs[i] === abs && this.held[i] !== undefined) {
        this.stats.duplicates++;
        return;
      }
      this.held[i] = datagram;
      this.heldAbs[i] = abs;
      // A gap: report the last good block once for this position (RFC 7440 §4). Not at the first
      // block past it, which may only be reordered: after 3 such blocks, or at once when this is
      // the last block of the sender's window or of the file (nothing more will come).
      this.beyondGap++;
      const windowEnd = this.lastAcked + w;
      const atWindowEnd = abs === windowEnd;
      if (
        this.nackFor !== this.expected &&
        (this.beyondGap >= 3 || atWindowEnd || len < this.params.blksize)
      ) {
        this.nackFor = this.expected;
        this.sendAck(this.expected - 1);
        this.stats.retransmitted++;
      }
      return;
    }
    // An old block. When it is the block we last acknowledged, the sender resent its window
    // because our ACK was lost: ACK it again — at most once per retransmission timeout. Without
    // that limit every extra ACK would circulate for ever against a sender that restarts its
    // window on every ACK (atftpd does): ACK -> resent window -> re-ACK -> ... (Sorcerer's
    // Apprentice with windows). Other old blocks are network duplicates and are ignored.
    this.stats.duplicates++;
    if (
      wire === wireBlock(this.lastAcked, this.params.rollover) &&
      !(this.now - this.reackAt < this.rto.timeout(0))
    ) {
      this.reackAt = this.now;
      this.sendAck(this.lastAcked);
      this.stats.retransmitted++;
    }
  }

  /** During the dally period only the final block can come again: re-ACK it. */
  protected onDallyData(datagram: Uint8Array): void {
    const wire = readBlock(datagram);
    if (wire === wireBlock(this.expected - 1, this.params.rollover)) {
      this.queue.push(this.ackFor(this.expected - 1));
      this.stats.retransmitted++;
    } else this.stats.duplicates++;
  }

  protected onRecvTimeout(): void {
    this.ackAt = undefined; // Karn's rule
    this.reackAt = this.now;
    this.sendAck(this.expected - 1);
    this.stats.retransmitted++;
  }
}

function checkData(op: number, datagram: Uint8Array, engine: TransferEngine): boolean {
  if (op === Opcode.DATA && datagram.length >= 4) return true;
  (engine as unknown as { malformed(e: unknown): void }).malformed(
    new TftpError(
      op === Opcode.DATA ? "truncated" : "unexpected",
      op === Opcode.DATA ? "DATA shorter than its header" : `unexpected opcode ${op}`,
      op === Opcode.DATA ? datagram.length : 0,
    ),
  );
  return false;
}

function checkAck(op: number, datagram: Uint8Array): TftpError | undefined {
  if (op === Opcode.ACK && datagram.length === 4) return undefined;
  if (op === Opcode.ACK)
    return new TftpError("bad-length", "ACK must be 4 bytes", Math.min(datagram.length, 4));
  return new TftpError("unexpected", `unexpected opcode ${op}`, 0);
}

/** What a server engine needs from the accepted request. */
export interface ServerTransferInit {
  /** Negotiated parameters (see negotiateServer). */
  params: TransferParams;
  /** Options to acknowledge; undefined sends no OACK (RFC 1350 start). */
  oack: readonly TftpOption[] | undefined;
}

/**
 * Server side of a read request. Without an OACK the first DATA goes out as soon as data is
 * supplied; with one, the OACK is retransmitted on timer until ACK 0 arrives.
 */
export class ServerReadTransfer extends SenderEngine {
  private readonly oackBytes: Uint8Array | undefined;

  constructor(init: ServerTransferInit, now: number, opts: EngineOptions = {}) {
    super(now, init.params, opts);
    this.oackBytes = init.oack ? encodeOack(init.oack) : undefined;
    this.events.push({ type: "negotiated", params: this.params, oack: init.oack });
    if (this.oackBytes) {
      this.queue.push(this.oackBytes);
      this.arm();
    } else this.startSending();
  }

  protected onPacket(op: number, datagram: Uint8Array): void {
    const err = checkAck(op, datagram);
    if (err) {
      this.malformed(err);
      return;
    }
    const wire = readBlock(datagram);
    if (this.state === "handshake") {
      if (wire === 0) this.startSending();
      else this.stats.duplicates++;
      return;
    }
    this.onAck(wire);
  }

  protected onTimeout(): void {
    if (this.state === "handshake" && this.oackBytes) {
      this.queue.push(this.oackBytes);
      this.stats.retransmitted++;
    } else this.onSendTimeout();
  }
}

/** Server side of a write request: sends OACK or ACK 0, then receives DATA. */
export class ServerWriteTransfer extends ReceiverEngine {
  private readonly oackBytes: Uint8Array | undefined;

  constructor(
    init: ServerTransferInit & { maxBytes?: number },
    now: number,
    opts: EngineOptions = {},
  ) {
    super(now, init.params, opts);
    this.oackBytes = init.oack ? encodeOack(init.oack) : undefined;
    if (init.maxBytes !== undefined) this.maxBytes = init.maxBytes;
    this.events.push({ type: "negotiated", params: this.params, oack: init.oack });
    this.state = "transfer";
    this.queue.push(this.ackFor(0));
    this.arm();
  }

  protected override ackFor(abs: number): Uint8Array {
    return abs === 0 && this.oackBytes ? this.oackBytes : this.ack(abs);
  }

  protected onPacket(op: number, datagram: Uint8Array): void {
    if (!checkData(op, datagram, this)) return;
    if (this.state === "dally") this.onDallyData(datagram);
    else this.onData(datagram);
  }

  protected onTimeout(): void {
    this.onRecvTimeout();
  }
}

/** Options of a client transfer. */
export interface ClientTransferOptions extends EngineOptions {
  /** Options to ask for; omitted ones are not sent. */
  request?: ClientRequestOptions;
  /** Transfer mode; default `octet`. */
  mode?: "octet" | "netascii";
  /** Rollover assumed when the server does not negotiate one. Default 0. */
  rollover?: 0 | 1;
  /**
   * Download (octet mode) whose server announced a tsize: fail as soon as more data arrives
   * (ERROR 0 to the server) and report a shorter file as failed, instead of delivering a file
   * that changed while it was read. Default true; false accepts any size.
   */
  enforceTsize?: boolean;
}

function initialParams(o: ClientTransferOptions): TransferParams {
  return {
    blksize: 512,
    windowsize: 1,
    timeoutMs: o.request?.timeout !== undefined ? o.request.timeout * 1000 : undefined,
    tsize: undefined,
    rollover: o.rollover ?? 0,
  };
}

/**
 * Client side of a download: sends the RRQ (retransmitted on timer), accepts an OACK (checked
 * against what was asked; ERROR 8 otherwise) or DATA 1 directly, then receives.
 */
export class ClientGetTransfer extends ReceiverEngine {
  private readonly requestBytes: Uint8Array;
  private readonly asked: ClientRequestOptions;
  private acked0 = false;
  private readonly enforceTsize: boolean;

  constructor(filename: string, now: number, opts: ClientTransferOptions = {}) {
    super(now, initialParams(opts), opts);
    this.asked = opts.request ?? {};
    this.enforceTsize = opts.enforceTsize !== false && (opts.mode ?? "octet") === "octet";
    this.requestBytes = encodeRequest(
      Opcode.RRQ,
      filename,
      opts.mode ?? "octet",
      requestOptionList(this.asked),
    );
    this.queue.push(this.requestBytes);
    this.arm();
  }

  protected override ackFor(abs: number): Uint8Array {
    return abs === 0 && !this.acked0 ? this.requestBytes : this.ack(abs);
  }

  protected onPacket(op: number, datagram: Uint8Array): void {
    if (this.state === "handshake") {
      if (op === Opcode.OACK) {
        if (!this.takeOack(this.asked, datagram)) return;
        const announced = this.params.tsize;
        if (this.enforceTsize && announced !== undefined && this.asked.tsize !== undefined) {
          this.maxBytes = announced;
          this.exactBytes = announced;
          this.overrun = [ErrorCode.NotDefined, `more data than the announced tsize ${announced}`];
        }
        this.acked0 = true;
        this.state = "transfer";
        this.attempt = 0;
        this.queue.push(this.ack(0));
        this.arm();
        return;
      }
      if (op === Opcode.DATA) {
        this.takeDefaults();
        this.acked0 = true;
        this.state = "transfer";
        this.attempt = 0;
      }
    }
    if (op === Opcode.OACK) {
      // A repeated OACK: our ACK 0 was lost.
      if (this.expected === 1) this.queue.push(this.ack(0));
      this.stats.duplicates++;
      return;
    }
    if (!checkData(op, datagram, this)) return;
    if (this.state === "dally") this.onDallyData(datagram);
    else this.onData(datagram);
  }

  protected onTimeout(): void {
    if (this.state === "handshake") {
      this.queue.push(this.requestBytes);
      this.stats.retransmitted++;
    } else this.onRecvTimeout();
  }
}

/**
 * Client side of an upload: sends the WRQ (retransmitted on timer), accepts ACK 0 or an OACK
 * (checked; ERROR 8 otherwise), then sends data supplied with {@link SenderEngine.supply}.
 */
export class ClientPutTransfer extends SenderEngine {
  private readonly requestBytes: Uint8Array;
  private readonly asked: ClientRequestOptions;

  constructor(filename: string, now: number, opts: ClientTransferOptions = {}) {
    super(now, initialParams(opts), opts);
    this.asked = opts.request ?? {};
    this.requestBytes = encodeRequest(
      Opcode.WRQ,
      filename,
      opts.mode ?? "octet",
      requestOptionList(this.asked),
    );
    this.queue.push(this.requestBytes);
    this.arm();
  }

  /** The put engine learns the block size only from the answer; data is accepted once it came. */
  override wantsData(): boolean {
    return this.state !== "handshake" && super.wantsData();
  }

  protected onPacket(op: number, datagram: Uint8Array): void {
    if (this.state === "handshake") {
      if (op === Opcode.OACK) {
        if (!this.takeOack(this.asked, datagram)) return;
        this.startSending();
        return;
      }
      const err = checkAck(op, datagram);
      if (err) {
        this.malformed(err);
        return;
      }
      if (readBlock(datagram) === 0) {
        this.takeDefaults();
        this.startSending();
      } else this.stats.duplicates++;
      return;
    }
    if (op === Opcode.OACK) {
      this.stats.duplicates++;
      return;
    }
    const err = checkAck(op, datagram);
    if (err) {
      this.malformed(err);
      return;
    }
    this.onAck(readBlock(datagram));
  }

  protected onTimeout(): void {
    if (this.state === "handshake") {
      this.queue.push(this.requestBytes);
      this.stats.retransmitted++;
    } else this.onSendTimeout();
  }
}

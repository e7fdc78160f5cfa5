/// <reference types="node" />
/**
 * Many UDP datagrams per system call for `node:dgram` sockets on Linux (`sendmmsg` /
 * `recvmmsg`), through a small Node-API addon compiled at install time. Optional by design:
 * {@link loadUdpBatch} returns `undefined` where the addon is not built (another OS, no C
 * compiler, no Node headers), and callers keep sending and receiving with plain `dgram`.
 *
 * The object it returns fits the `batch` option of `@pxe/tftp/node`'s server and client.
 */
import type { Socket } from "node:dgram";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Largest number of datagrams one call hands to the kernel. */
export const MAX_BATCH = 256;

/** Datagrams the kernel cuts out of one segmented (UDP GSO) message at most. */
export const MAX_SEGMENTS = 64;

/** Messages one {@link UdpBatch.receiveSegments} call reads at most. */
export const MAX_MESSAGES = 64;

/** Options of {@link loadUdpBatch}. */
export interface UdpBatchOptions {
  /**
   * Send runs of equal-sized datagrams as segmented messages (UDP GSO, `UDP_SEGMENT`, Linux
   * 4.18): one pass through the network stack per run instead of one per datagram; each
   * datagram still leaves as its own UDP datagram, byte for byte as without it. Turned off for
   * a socket by itself when its kernel or path refuses it (e.g. datagrams larger than the
   * interface MTU). Default true.
   */
  segmentation?: boolean;
}

/** Batched I/O on bound (and, for sending, connected) `dgram` sockets. */
export interface UdpBatch {
  /**
   * Sends `datagrams` to the socket's connected peer, as many as possible in one `sendmmsg`
   * call (at most {@link MAX_BATCH}), without blocking. Returns how many the kernel took: 0 when
   * it would block, when the socket has no descriptor, or on an error (send the rest with
   * `socket.send`, which reports errors the usual way). The buffers may be reused at once.
   * With {@link UdpBatchOptions.segmentation}, runs of equal-sized datagrams (the last of a run
   * may be shorter) go to the kernel as segmented messages of up to {@link MAX_SEGMENTS}.
   */
  send(socket: Socket, datagrams: readonly Uint8Array[]): number;
  /** Whether {@link send} segments runs of datagrams (UDP GSO). */
  readonly segmentation: boolean;
  /**
   * Reads the datagrams already queued on `socket`, without blocking, into consecutive slots of
   * `slot` bytes of `area` (at most `lengths.length`, `area.length / slot` and
   * {@link MAX_BATCH}); datagram `i` is `area.subarray(i * slot, i * slot + lengths[i])`.
   * Returns the count: 0 when none is queued or on an error (which `dgram` reports on its next
   * read). A datagram longer than `slot` is cut to `slot` bytes: make the slot one byte longer
   * than the largest datagram you accept and treat a full slot as too long.
   */
  receive(socket: Socket, area: Uint8Array, slot: number, lengths: Int32Array): number;
  /**
   * Lets the kernel hand over several datagrams of one flow as one message (UDP GRO,
   * `UDP_GRO`, Linux 5.0): a segmented burst from the peer then arrives in one piece. Read
   * such a socket with {@link receiveSegments} only (its messages may hold many datagrams).
   * Returns false when the kernel refused or the socket has no descriptor.
   */
  coalesce(socket: Socket): boolean;
  /**
   * Reads the messages already queued on a socket, without blocking, into consecutive slots of
   * `messageBytes` bytes of `area` (at most `out.length / 2`, `area.length / messageBytes`
   * and {@link MAX_MESSAGES}). Message `i` starts at `i * messageBytes`, is `out[2i]` bytes
   * long and holds datagrams of `out[2i + 1]` bytes each, the last one possibly shorter (0: it
   * is one datagram; -1: it was longer than its slot and cut, drop it). Use 65536-byte slots
   * on a coalescing socket. Returns the count: 0 when none is queued or on an error.
   */
  receiveSegments(socket: Socket, area: Uint8Array, messageBytes: number, out: Int32Array): number;
}

interface Native {
  sendBatch(fd: number, datagrams: readonly Uint8Array[], segments: number): number;
  recvBatch(fd: number, area: Uint8Array, slot: number, lengths: Int32Array): number;
  setGro(fd: number): number;
  recvSegments(fd: number, area: Uint8Array, messageBytes: number, out: Int32Array): number;
}

/** dgram's internal state key (one Symbol for every socket of the process), once found. */
let stateKey: symbol | undefined;

/**
 * The file descriptor behind a dgram socket, or -1 (not bound yet, closed, or Node hides it).
 * Read afresh on every call, never cached: a closed socket's number may belong to another file.
 */
export function socketFd(socket: Socket): number {
  const s = socket as unknown as Record<symbol, { handle?: { fd?: unknown } | null } | undefined>;
  if (stateKey === undefined || !(stateKey in socket))
    stateKey = Object.getOwnPropertySymbols(socket).find((k) => k.description === "state symbol");
  if (stateKey === undefined) return -1;
  const fd = s[stateKey]?.handle?.fd;
  return typeof fd === "number" && Number.isInteger(fd) && fd >= 0 ? fd : -1;
}

/** Where the addon is built: `<package>/build/udp_batch.node` (this file is in src/ or dist/). */
function addonPath(): string {
  const here = typeof __filename === "string" ? __filename : fileURLToPath(import.meta.url);
  return path.resolve(path.dirname(here), "../build/udp_batch.node");
}

let native: Native | null | undefined;
const variants = new Map<boolean, UdpBatch>();

/**
 * Loads the addon once. Returns `undefined` when it is not available (see the package README
 * for how it is built), with the reason in {@link unavailableReason}.
 */
export function loadUdpBatch(options: UdpBatchOptions = {}): UdpBatch | undefined {
  const n = loadNative();
  if (n === undefined) return undefined;
  const seg = options.segmentation !== false;
  let b = variants.get(seg);
  if (b === undefined) {
    b = wrap(n, seg);
    variants.set(seg, b);
  }
  return b;
}

function loadNative(): Native | undefined {
  if (native !== undefined) return native ?? undefined;
  native = null;
  if (process.platform !== "linux") {
    unavailable = `Linux only (this is ${process.platform})`;
    return undefined;
  }
  const file = addonPath();
  if (!existsSync(file)) {
    unavailable = `${file} is not built (run: node scripts/build-native.mjs in @pxe/udp-batch)`;
    return undefined;
  }
  let n: Native;
  try {
    const req = createRequire(file);
    n = req(file) as Native;
  } catch (e) {
    unavailable = `${file} does not load: ${e instanceof Error ? e.message : String(e)}`;
    return undefined;
  }
  if (typeof n.setGro !== "function" || typeof n.recvSegments !== "function") {
    unavailable = `${file} is an older build (run: node scripts/build-native.mjs in @pxe/udp-batch)`;
    return undefined;
  }
  native = n;
  return n;
}

let unavailable: string | undefined;

/** Why {@link loadUdpBatch} returned `undefined`, once it did. */
export function unavailableReason(): string | undefined {
  return unavailable;
}

/** errno values (Linux) with which a kernel or a path refuses segmented sends. */
const GSO_REFUSED = new Set([
  5 /* EIO */, 22 /* EINVAL */, 90 /* EMSGSIZE */, 92 /* ENOPROTOOPT */, 95 /* EOPNOTSUPP */,
]);

/** Sockets whose kernel or path refused a segmented send: plain sendmmsg from then on. */
const noSegmentation = new WeakSet<Socket>();

/**
 * The descriptor for a batched read when its arguments are sound (an area, whole slots of at
 * most its size, an Int32Array for the results), else -1.
 */
function readFd(socket: Socket, area: unknown, slot: number, out: unknown): number {
  if (!(area instanceof Uint8Array) || !(out instanceof Int32Array)) return -1;
  if (!Number.isInteger(slot) || slot <= 0 || slot > area.length) return -1;
  return socketFd(socket);
}

function wrap(n: Native, segmentation: boolean): UdpBatch {
  return {
    segmentation,
    send(socket, datagrams) {
      if (!Array.isArray(datagrams) || datagrams.length === 0) return 0;
      const fd = socketFd(socket);
      if (fd < 0) return 0;
      if (segmentation && !noSegmentation.has(socket)) {
        const r = n.sendBatch(fd, datagrams, MAX_SEGMENTS);
        if (r >= 0 || !GSO_REFUSED.has(-r)) return Math.max(r, 0);
        noSegmentation.add(socket);
      }
      return Math.max(n.sendBatch(fd, datagrams, 0), 0);
    },
    receive(socket, area, slot, lengths) {
      const fd = readFd(socket, area, slot, lengths);
      return fd < 0 ? 0 : Math.max(n.recvBatch(fd, area, slot, lengths), 0);
    },
    coalesce(socket) {
      const fd = socketFd(socket);
      return fd >= 0 && n.setGro(fd) === 0;
    },
    receiveSegments(socket, area, messageBytes, out) {
      const fd = readFd(socket, area, messageBytes, out);
      return fd < 0 ? 0 : Math.max(n.recvSegments(fd, area, messageBytes, out), 0);
    },
  };
}

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

/** Batched I/O on bound (and, for sending, connected) `dgram` sockets. */
export interface UdpBatch {
  /**
   * Sends `datagrams` to the socket's connected peer, as many as possible in one `sendmmsg`
   * call (at most {@link MAX_BATCH}), without blocking. Returns how many the kernel took: 0 when
   * it would block, when the socket has no descriptor, or on an error (send the rest with
   * `socket.send`, which reports errors the usual way). The buffers may be reused at once.
   */
  send(socket: Socket, datagrams: readonly Uint8Array[]): number;
  /**
   * Reads the datagrams already queued on `socket`, without blocking, into consecutive slots of
   * `slot` bytes of `area` (at most `lengths.length`, `area.length / slot` and
   * {@link MAX_BATCH}); datagram `i` is `area.subarray(i * slot, i * slot + lengths[i])`.
   * Returns the count: 0 when none is queued or on an error (which `dgram` reports on its next
   * read). A datagram longer than `slot` is cut to `slot` bytes: make the slot one byte longer
   * than the largest datagram you accept and treat a full slot as too long.
   */
  receive(socket: Socket, area: Uint8Array, slot: number, lengths: Int32Array): number;
}

interface Native {
  sendBatch(fd: number, datagrams: readonly Uint8Array[]): number;
  recvBatch(fd: number, area: Uint8Array, slot: number, lengths: Int32Array): number;
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

let cached: UdpBatch | null | undefined;

/**
 * Loads the addon once. Returns `undefined` when it is not available (see the package README
 * for how it is built), with the reason in {@link unavailableReason}.
 */
export function loadUdpBatch(): UdpBatch | undefined {
  if (cached !== undefined) return cached ?? undefined;
  cached = null;
  if (process.platform !== "linux") {
    unavailable = `Linux only (this is ${process.platform})`;
    return undefined;
  }
  const file = addonPath();
  if (!existsSync(file)) {
    unavailable = `${file} is not built (run: node scripts/build-native.mjs in @pxe/udp-batch)`;
    return undefined;
  }
  let native: Native;
  try {
    const req = createRequire(file);
    native = req(file) as Native;
  } catch (e) {
    unavailable = `${file} does not load: ${e instanceof Error ? e.message : String(e)}`;
    return undefined;
  }
  cached = wrap(native);
  return cached;
}

let unavailable: string | undefined;

/** Why {@link loadUdpBatch} returned `undefined`, once it did. */
export function unavailableReason(): string | undefined {
  return unavailable;
}

function wrap(native: Native): UdpBatch {
  return {
    send(socket, datagrams) {
      if (!Array.isArray(datagrams) || datagrams.length === 0) return 0;
      const fd = socketFd(socket);
      if (fd < 0) return 0;
      const r = native.sendBatch(fd, datagrams);
      return Math.max(r, 0);
    },
    receive(socket, area, slot, lengths) {
      if (!(area instanceof Uint8Array) || !(lengths instanceof Int32Array)) return 0;
      if (!Number.isInteger(slot) || slot <= 0 || slot > area.length) return 0;
      const fd = socketFd(socket);
      if (fd < 0) return 0;
      const r = native.recvBatch(fd, area, slot, lengths);
      return Math.max(r, 0);
    },
  };
}

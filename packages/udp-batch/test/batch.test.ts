import { createSocket, type Socket } from "node:dgram";
import {
  loadUdpBatch,
  MAX_BATCH,
  MAX_MESSAGES,
  MAX_SEGMENTS,
  socketFd,
  unavailableReason,
} from "@pxe/udp-batch";
import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";

const batch = loadUdpBatch();
if (!batch)
  console.warn(`@pxe/udp-batch tests skipped: the addon is unavailable (${unavailableReason()})`);
const maybe = batch ? describe : describe.skip;

const open: Socket[] = [];
afterEach(() => {
  for (const s of open.splice(0)) s.close();
});

async function bound(opts: { rcvbuf?: number } = {}): Promise<Socket> {
  const s = createSocket({ type: "udp4", recvBufferSize: opts.rcvbuf ?? 1 << 20 });
  open.push(s);
  await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
  return s;
}

async function pair(): Promise<{ tx: Socket; rx: Socket }> {
  const rx = await bound();
  const tx = await bound();
  await new Promise<void>((r) => tx.connect(rx.address().port, "127.0.0.1", () => r()));
  return { tx, rx };
}

/** Drains `rx` with batched reads once something is queued. */
async function drain(rx: Socket, want: number, slot = 2048): Promise<Uint8Array[]> {
  const got: Uint8Array[] = [];
  const deadline = Date.now() + 3000;
  while (got.length < want && Date.now() < deadline) {
    const area = new Uint8Array(64 * slot);
    const lens = new Int32Array(64);
    const n = batch!.receive(rx, area, slot, lens);
    for (let i = 0; i < n; i++) got.push(area.slice(i * slot, i * slot + lens[i]!));
    if (n === 0) await new Promise((r) => setTimeout(r, 5));
  }
  return got;
}

describe("socketFd", () => {
  it("is -1 before bind and after close, a descriptor while bound", async () => {
    const s = createSocket("udp4");
    expect(socketFd(s)).toBe(-1);
    await new Promise<void>((r) => s.bind(0, "127.0.0.1", () => r()));
    expect(socketFd(s)).toBeGreaterThan(2);
    s.close();
    expect(socketFd(s)).toBe(-1);
  });
});

maybe("sendmmsg / recvmmsg", () => {
  it("sends a window in one call and reads it back in order, byte for byte", async () => {
    const { tx, rx } = await pair();
    const dgrams = Array.from({ length: 64 }, (_, i) => {
      const d = new Uint8Array(1472);
      d.fill(i);
      d[0] = i;
      return d;
    });
    expect(batch!.send(tx, dgrams)).toBe(64);
    const got = await drain(rx, 64);
    expect(got.map((g) => g[0])).toEqual(dgrams.map((_, i) => i));
    for (let i = 0; i < 64; i++) expect(got[i]).toEqual(dgrams[i]);
  });

  it("caps one call at MAX_BATCH datagrams", async () => {
    const { tx, rx } = await pair();
    const d = new Uint8Array(16);
    const many = Array.from({ length: MAX_BATCH + 10 }, () => d);
    expect(batch!.send(tx, many)).toBe(MAX_BATCH);
    expect((await drain(rx, MAX_BATCH, 64)).length).toBe(MAX_BATCH);
  });

  it("cuts a datagram longer than its slot to the slot, so a one-byte-longer slot detects it", async () => {
    const { tx, rx } = await pair();
    expect(batch!.send(tx, [new Uint8Array(600), new Uint8Array(100)])).toBe(2);
    const got = await drain(rx, 2, 513);
    expect(got.map((g) => g.length)).toEqual([513, 100]);
  });

  it("returns 0, never throws, for what it cannot do", async () => {
    const { tx, rx } = await pair();
    const unconnected = await bound();
    // nothing queued
    expect(batch!.receive(rx, new Uint8Array(4096), 2048, new Int32Array(2))).toBe(0);
    // an unconnected socket has no peer to send to (EDESTADDRREQ)
    expect(batch!.send(unconnected, [new Uint8Array(4)])).toBe(0);
    // empty lists and bad arguments
    expect(batch!.send(tx, [])).toBe(0);
    expect(batch!.receive(rx, new Uint8Array(10), 0, new Int32Array(1))).toBe(0);
    expect(batch!.receive(rx, new Uint8Array(10), 11, new Int32Array(1))).toBe(0);
    expect(batch!.receive(rx, new Uint8Array(10), 1.5, new Int32Array(1))).toBe(0);
    expect(
      batch!.send(tx, [new Uint16Array(4) as unknown as Uint8Array, "x" as unknown as Uint8Array]),
    ).toBe(0);
    expect(
      batch!.receive(rx, new Uint8Array(10), 5, new Uint8Array(2) as unknown as Int32Array),
    ).toBe(0);
    // a closed socket has no descriptor
    const closed = await bound();
    open.splice(open.indexOf(closed), 1);
    closed.close();
    expect(batch!.send(closed, [new Uint8Array(4)])).toBe(0);
    expect(batch!.receive(closed, new Uint8Array(10), 5, new Int32Array(2))).toBe(0);
  });

  it("arbitrary arguments never crash the process", async () => {
    const { tx, rx } = await pair();
    const anyValue = fc.oneof(
      fc.constantFrom(undefined, null, 0, -1, 1.5, "s", {}, [], Symbol.iterator),
      fc.uint8Array({ maxLength: 64 }),
      fc.array(fc.oneof(fc.uint8Array({ maxLength: 32 }), fc.integer()), { maxLength: 8 }),
    );
    fc.assert(
      fc.property(anyValue, fc.integer({ min: -5, max: 5000 }), anyValue, (a, slot, b) => {
        const s = batch!.send(tx, a as Uint8Array[]);
        const r = batch!.receive(rx, a as Uint8Array, slot, b as Int32Array);
        return Number.isInteger(s) && s >= 0 && Number.isInteger(r) && r >= 0;
      }),
      { numRuns: 2000 },
    );
  });
});

/** Reads a coalescing socket with receiveSegments and cuts its messages into datagrams. */
async function drainSegments(
  rx: Socket,
  want: number,
): Promise<{ dgrams: Uint8Array[]; messages: number }> {
  const dgrams: Uint8Array[] = [];
  let messages = 0;
  const deadline = Date.now() + 3000;
  while (dgrams.length < want && Date.now() < deadline) {
    const area = new Uint8Array(8 * 65536);
    const out = new Int32Array(16);
    const n = batch!.receiveSegments(rx, area, 65536, out);
    for (let i = 0; i < n; i++) {
      messages++;
      const len = out[2 * i]!;
      const seg = out[2 * i + 1]!;
      expect(seg).toBeGreaterThanOrEqual(0);
      const step = seg > 0 ? seg : Math.max(len, 1);
      for (let off = 0; off < len || (len === 0 && off === 0); off += step) {
        dgrams.push(area.slice(i * 65536 + off, i * 65536 + Math.min(off + step, len)));
        if (len === 0) break;
      }
    }
    if (n === 0) await new Promise((r) => setTimeout(r, 5));
  }
  return { dgrams, messages };
}

/** Datagrams with distinct contents: index and length in the first bytes. */
function window(lengths: number[]): Uint8Array[] {
  return lengths.map((len, i) => {
    const d = new Uint8Array(len);
    for (let j = 0; j < len; j++) d[j] = (i * 31 + j * 7) & 0xff;
    return d;
  });
}

maybe("segmentation (UDP GSO) and coalescing (UDP GRO)", () => {
  it("is on by default and can be turned off", () => {
    expect(batch!.segmentation).toBe(true);
    const plain = loadUdpBatch({ segmentation: false });
    expect(plain?.segmentation).toBe(false);
    expect(loadUdpBatch()).toBe(batch);
  });

  it("a segmented window reaches a plain receiver as separate datagrams, byte for byte", async () => {
    const { tx, rx } = await pair();
    // 64 full blocks and a short last one (a file's end), as a TFTP window
    const dgrams = window([...Array.from({ length: 64 }, () => 1472), 300]);
    expect(batch!.send(tx, dgrams)).toBe(65);
    const got = await drain(rx, 65);
    expect(got.length).toBe(65);
    for (let i = 0; i < 65; i++) expect(got[i]).toEqual(dgrams[i]);
  });

  it("a coalescing receiver gets a segmented window in a few messages and cuts it back", async () => {
    const { tx, rx } = await pair();
    expect(batch!.coalesce(rx)).toBe(true);
    const dgrams = window([...Array.from({ length: 64 }, () => 1472), 300]);
    expect(batch!.send(tx, dgrams)).toBe(65);
    const { dgrams: got, messages } = await drainSegments(rx, 65);
    expect(got.length).toBe(65);
    for (let i = 0; i < 65; i++) expect(got[i]).toEqual(dgrams[i]);
    // 1472-byte segments: at most 43 per message (64000 bytes), so at least 2 messages
    expect(messages).toBeGreaterThanOrEqual(2);
    expect(messages).toBeLessThan(65);
  });

  it("without segmentation a coalescing receiver still gets every datagram", async () => {
    const { tx, rx } = await pair();
    const plain = loadUdpBatch({ segmentation: false })!;
    expect(plain.coalesce(rx)).toBe(true);
    const dgrams = window([512, 512, 100, 1472, 0, 9000]);
    expect(plain.send(tx, dgrams)).toBe(6);
    const { dgrams: got } = await drainSegments(rx, 6);
    expect(got).toEqual(dgrams);
  });

  it("any mix of lengths arrives in order and intact, either way of receiving", async () => {
    const { tx, rx } = await pair();
    const { tx: tx2, rx: rx2 } = await pair();
    expect(batch!.coalesce(rx2)).toBe(true);
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.oneof(fc.constantFrom(0, 1, 516, 1472, 4000), fc.integer({ min: 0, max: 4000 })),
          { minLength: 1, maxLength: 20 },
        ),
        fc.integer({ min: 1, max: 6 }),
        async (lengths, runs) => {
          // runs of equal lengths, as a sender's windows are
          const lens = lengths
            .flatMap((l) => Array.from({ length: runs }, () => l))
            .slice(0, MAX_BATCH);
          const dgrams = window(lens);
          // at most 120 datagrams of at most 4000 bytes: the 1 MiB receive buffers hold them
          expect(batch!.send(tx, dgrams)).toBe(dgrams.length);
          expect(batch!.send(tx2, dgrams)).toBe(dgrams.length);
          const got = await drain(rx, dgrams.length, 4001);
          const { dgrams: got2 } = await drainSegments(rx2, dgrams.length);
          expect(got).toEqual(dgrams);
          expect(got2).toEqual(dgrams);
        },
      ),
      { numRuns: 60 },
    );
  });

  it("receiveSegments and coalesce return 0 / false, never throw, for what they cannot do", async () => {
    const { rx } = await pair();
    expect(batch!.receiveSegments(rx, new Uint8Array(65536), 65536, new Int32Array(2))).toBe(0);
    expect(batch!.receiveSegments(rx, new Uint8Array(10), 0, new Int32Array(2))).toBe(0);
    expect(batch!.receiveSegments(rx, new Uint8Array(10), 11, new Int32Array(2))).toBe(0);
    expect(batch!.receiveSegments(rx, new Uint8Array(10), 5, new Int32Array(1))).toBe(0);
    expect(
      batch!.receiveSegments(rx, new Uint8Array(10), 5, new Uint8Array(4) as unknown as Int32Array),
    ).toBe(0);
    const closed = await bound();
    open.splice(open.indexOf(closed), 1);
    closed.close();
    expect(batch!.coalesce(closed)).toBe(false);
    expect(batch!.receiveSegments(closed, new Uint8Array(10), 5, new Int32Array(4))).toBe(0);
    expect(MAX_SEGMENTS).toBe(64);
    expect(MAX_MESSAGES).toBe(64);
  });
});

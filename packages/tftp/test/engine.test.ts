import {
  adaptiveRto,
  ClientGetTransfer,
  ClientPutTransfer,
  decodePacket,
  encodeAck,
  encodeData,
  encodeError,
  encodeOack,
  type SenderEngine,
  ServerReadTransfer,
  ServerWriteTransfer,
  type TftpEvent,
  type TransferEngine,
  type TransferParams,
} from "@pxe/tftp";
import { describe, expect, it } from "vitest";

const P = (o: Partial<TransferParams> = {}): TransferParams => ({
  blksize: 512,
  windowsize: 1,
  timeoutMs: undefined,
  tsize: undefined,
  rollover: 0,
  ...o,
});

/** Supplies `src` as the window allows (as an adapter does), ending it when all is in. */
function feeder(e: SenderEngine, src: Uint8Array): () => void {
  let at = 0;
  return () => {
    while (e.wantsData()) {
      if (at >= src.length) {
        e.end();
        return;
      }
      const n = e.supply(src.subarray(at));
      at += n;
      if (n === 0) return;
    }
  };
}

function drain(e: TransferEngine, feed?: () => void): ReturnType<typeof decodePacket>[] {
  feed?.();
  const out = [];
  for (let d = e.pollTransmit(); d; d = e.pollTransmit()) out.push(decodePacket(d.slice()));
  return out;
}
function events(e: TransferEngine): TftpEvent[] {
  const out: TftpEvent[] = [];
  for (let ev = e.pollEvent(); ev; ev = e.pollEvent()) out.push(ev);
  return out;
}

describe("server read", () => {
  it("without options: DATA 1 goes out as soon as data is supplied", () => {
    const s = new ServerReadTransfer({ params: P(), oack: undefined }, 0);
    expect(drain(s)).toEqual([]);
    s.supply(new Uint8Array(600));
    s.end();
    expect(drain(s)).toMatchObject([{ op: 3, block: 1 }]);
    s.receive(encodeAck(1), 5);
    expect(drain(s)).toMatchObject([{ op: 3, block: 2 }]);
    expect((drain(s)[0] as unknown) ?? null).toBeNull();
  });

  it("with an OACK: retransmits the OACK until ACK 0, then sends a window", () => {
    const s = new ServerReadTransfer(
      { params: P({ windowsize: 4 }), oack: [{ name: "windowsize", value: "4" }] },
      0,
    );
    const f = feeder(s, new Uint8Array(512 * 6));
    expect(drain(s, f)).toMatchObject([{ op: 6 }]);
    expect(s.nextTimeout()).toBe(1000);
    s.handleTimeout(1000);
    expect(drain(s, f)).toMatchObject([{ op: 6 }]);
    s.receive(encodeAck(0), 1100);
    expect(drain(s, f).map((p) => (p.op === 3 ? p.block : -1))).toEqual([1, 2, 3, 4]);
    // ACK of an earlier block restarts the window after it (RFC 7440).
    s.receive(encodeAck(2), 1200);
    expect(drain(s, f).map((p) => (p.op === 3 ? p.block : -1))).toEqual([3, 4, 5, 6]);
    // A repeated ACK is ignored (no Sorcerer's Apprentice).
    s.receive(encodeAck(2), 1201);
    expect(drain(s, f)).toEqual([]);
    // Timeout: the window restarts from the oldest unacknowledged block.
    s.handleTimeout(s.nextTimeout() as number);
    expect(drain(s, f).map((p) => (p.op === 3 ? p.block : -1))).toEqual([3, 4, 5, 6]);
    s.receive(encodeAck(6), 5000);
    expect(drain(s, f).map((p) => (p.op === 3 ? p.block : -1))).toEqual([7]);
    s.receive(encodeAck(7), 5001);
    expect(s.state).toBe("done");
    expect(events(s).map((e) => e.type)).toEqual(["negotiated", "complete", "closed"]);
  });

  it("an ERROR from the client (EDK2's tsize probe) ends the transfer without a reply", () => {
    const s = new ServerReadTransfer({ params: P(), oack: [{ name: "tsize", value: "9" }] }, 0);
    drain(s);
    s.receive(encodeError(8, "User aborted the transfer"), 1);
    expect(drain(s)).toEqual([]);
    expect(s.failure).toEqual({ kind: "remote", code: 8, message: "User aborted the transfer" });
    expect(s.nextTimeout()).toBeUndefined();
  });

  it("malformed datagrams are reported and dropped", () => {
    const s = new ServerReadTransfer({ params: P(), oack: undefined }, 0);
    s.supply(new Uint8Array(10));
    s.end();
    drain(s);
    s.receive(Uint8Array.of(0, 4, 0), 1);
    s.receive(Uint8Array.of(0, 3, 0, 1), 1);
    expect(events(s).filter((e) => e.type === "malformed")).toHaveLength(2);
    expect(s.state).toBe("transfer");
    s.receive(encodeAck(1), 2);
    expect(s.state).toBe("done");
  });

  it("the final empty block of a file of whole blocks waits for room in the window", () => {
    const s = new ServerReadTransfer({ params: P({ windowsize: 2 }), oack: undefined }, 0);
    s.supply(new Uint8Array(1024));
    s.end();
    expect(drain(s).map((p) => (p.op === 3 ? p.data.length : -1))).toEqual([512, 512]);
    s.receive(encodeAck(2), 1);
    expect(drain(s)).toMatchObject([{ op: 3, block: 3, data: new Uint8Array(0) }]);
  });
});

describe("receivers", () => {
  it("server write: ACK 0, dally re-ACKs a repeated final block, then closes", () => {
    const w = new ServerWriteTransfer({ params: P(), oack: undefined }, 0, { dallyMs: 500 });
    expect(drain(w)).toMatchObject([{ op: 4, block: 0 }]);
    w.receive(encodeData(1, new Uint8Array(512)), 1);
    w.receive(encodeData(2, new Uint8Array(3)), 2);
    expect(drain(w)).toMatchObject([
      { op: 4, block: 1 },
      { op: 4, block: 2 },
    ]);
    expect(w.state).toBe("dally");
    w.receive(encodeData(2, new Uint8Array(3)), 100);
    expect(drain(w)).toMatchObject([{ op: 4, block: 2 }]);
    w.handleTimeout(502);
    expect(w.state).toBe("done");
    expect(events(w).map((e) => e.type)).toEqual([
      "negotiated",
      "data",
      "data",
      "complete",
      "closed",
    ]);
  });

  it("server write beyond maxBytes: ERROR 3", () => {
    const w = new ServerWriteTransfer({ params: P(), oack: undefined, maxBytes: 600 }, 0);
    drain(w);
    w.receive(encodeData(1, new Uint8Array(512)), 1);
    w.receive(encodeData(2, new Uint8Array(512)), 2);
    expect(drain(w).at(-1)).toMatchObject({ op: 5, code: 3 });
    expect(w.state).toBe("failed");
  });

  it("windowed receiver: ACK at window end, holds blocks past a gap, reports it once, re-ACKs a lost ACK", () => {
    const g = new ClientGetTransfer("f", 0, { request: { windowsize: 4 } });
    drain(g);
    g.receive(encodeOack([{ name: "windowsize", value: "4" }]), 1);
    expect(drain(g)).toMatchObject([{ op: 4, block: 0 }]);
    const d = (b: number) => encodeData(b, new Uint8Array(512));
    for (const b of [1, 2, 3]) g.receive(d(b), 2);
    expect(drain(g)).toEqual([]);
    g.receive(d(4), 3);
    expect(drain(g)).toMatchObject([{ op: 4, block: 4 }]);
    g.receive(d(6), 4); // 5 lost (or late): 6 and 7 are held, no report yet (could be reordering)
    g.receive(d(7), 4);
    expect(drain(g)).toEqual([]);
    g.receive(d(8), 4); // the window's last block: report the gap once
    expect(drain(g)).toMatchObject([{ op: 4, block: 4 }]);
    g.receive(d(5), 5); // the gap fills: 5..8 delivered in order, window complete
    expect(drain(g)).toMatchObject([{ op: 4, block: 8 }]);
    expect(
      events(g)
        .filter((e) => e.type === "data")
        .map((e) => (e.type === "data" ? e.block : 0)),
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    g.receive(d(8), 6); // the block we acknowledged comes again: our ACK was lost
    expect(drain(g)).toMatchObject([{ op: 4, block: 8 }]);
    g.receive(d(3), 5); // an older duplicate: ignored
    expect(drain(g)).toEqual([]);
  });
});

describe("clients", () => {
  it("get refuses an OACK with an option it did not ask for: ERROR 8", () => {
    const g = new ClientGetTransfer("f", 0, { request: { blksize: 1468 } });
    expect(drain(g)).toMatchObject([
      { op: 1, filename: "f", mode: "octet", options: [{ name: "blksize", value: "1468" }] },
    ]);
    g.receive(encodeOack([{ name: "tsize", value: "5" }]), 1);
    expect(drain(g)).toMatchObject([{ op: 5, code: 8 }]);
    expect(g.failure?.kind).toBe("local");
  });

  it("get falls back to RFC 1350 when the server answers DATA 1 directly", () => {
    const g = new ClientGetTransfer("f", 0, { request: { blksize: 1468, windowsize: 8 } });
    drain(g);
    g.receive(encodeData(1, new Uint8Array(100)), 1);
    expect(drain(g)).toMatchObject([{ op: 4, block: 1 }]);
    expect(g.transferParams).toMatchObject({ blksize: 512, windowsize: 1 });
    expect(events(g).map((e) => e.type)).toEqual(["negotiated", "data", "complete"]);
  });

  it("get holds a download to the tsize the server announced (octet mode)", () => {
    const oack = encodeOack([{ name: "tsize", value: "600" }]);
    // more data than announced: ERROR 0 at the block that overruns, nothing of it delivered
    const over = new ClientGetTransfer("f", 0, { request: { tsize: 0 } });
    drain(over);
    over.receive(oack, 1);
    drain(over);
    over.receive(encodeData(1, new Uint8Array(512)), 2);
    over.receive(encodeData(2, new Uint8Array(512)), 3);
    expect(drain(over)).toMatchObject([
      { op: 4, block: 1 },
      { op: 5, code: 0 },
    ]);
    expect(over.failure?.message).toMatch(/announced tsize 600/);
    expect(over.bytesTransferred).toBe(512);
    // a shorter file: the last block is acknowledged (the server is done), the transfer failed
    const short = new ClientGetTransfer("f", 0, { request: { tsize: 0 } });
    drain(short);
    short.receive(oack, 1);
    drain(short);
    short.receive(encodeData(1, new Uint8Array(500)), 2);
    expect(drain(short)).toMatchObject([{ op: 4, block: 1 }]);
    const ev = events(short);
    expect(ev.map((e) => e.type)).toEqual(["negotiated", "data", "failed"]);
    expect(ev.at(-1)).toMatchObject({ failure: { code: 0, message: /ended at 500 bytes/ } });
    // exact size: complete; enforceTsize false or netascii: any size
    for (const [opts, len] of [
      [{}, 600],
      [{ enforceTsize: false }, 700],
      [{ mode: "netascii" as const }, 700],
    ] as const) {
      const g = new ClientGetTransfer("f", 0, { request: { tsize: 0 }, ...opts });
      drain(g);
      g.receive(oack, 1);
      drain(g);
      g.receive(encodeData(1, new Uint8Array(512)), 2);
      g.receive(encodeData(2, new Uint8Array(len - 512)), 3);
      expect(events(g).map((e) => e.type)).toEqual(["negotiated", "data", "data", "complete"]);
    }
  });

  it("get retransmits its RRQ with backoff, bounded", () => {
    const g = new ClientGetTransfer("f", 0, { maxRetries: 3 });
    const times: number[] = [];
    drain(g);
    for (let i = 0; i < 10 && !g.isClosed; i++) {
      const t = g.nextTimeout() as number;
      times.push(t);
      g.handleTimeout(t);
      drain(g);
    }
    expect(times).toEqual([1000, 3000, 7000, 15000]);
    expect(g.failure?.kind).toBe("timeout");
  });

  it("put: ACK 0 without OACK means 512-byte lock-step", () => {
    const p = new ClientPutTransfer("f", 0, { request: { blksize: 1024 } });
    expect(p.wantsData()).toBe(false);
    drain(p);
    p.receive(encodeAck(0), 1);
    expect(p.wantsData()).toBe(true);
    const f = feeder(p, new Uint8Array(700));
    expect(drain(p, f).map((x) => (x.op === 3 ? x.data.length : -1))).toEqual([512]);
    p.receive(encodeAck(1), 2);
    expect(drain(p, f).map((x) => (x.op === 3 ? x.data.length : -1))).toEqual([188]);
  });

  it("writableBuffer/commit fill a datagram in place", () => {
    const s = new ServerReadTransfer({ params: P({ blksize: 8 }), oack: undefined }, 0);
    const b = s.writableBuffer() as Uint8Array;
    expect(b.length).toBe(8);
    b.set([1, 2, 3]);
    s.commit(3);
    s.end();
    const out = s.pollTransmit() as Uint8Array;
    expect(Array.from(out)).toEqual([0, 3, 0, 1, 1, 2, 3]);
    expect(out.buffer).toBe(b.buffer);
  });
});

describe("adaptiveRto", () => {
  it("starts at 1 s, follows SRTT + 4 RTTVAR within its bounds, backs off per attempt", () => {
    const r = adaptiveRto();
    expect(r.timeout(0)).toBe(1000);
    expect(r.timeout(1)).toBe(2000);
    r.sample?.(10); // srtt 10, rttvar 5 -> 30
    expect(r.srtt).toBe(10);
    expect(r.timeout(0)).toBe(30);
    expect(r.timeout(2)).toBe(120);
    for (let i = 0; i < 50; i++) r.sample?.(0.2);
    expect(r.timeout(0)).toBe(20); // lower bound
    r.sample?.(100_000);
    expect(r.timeout(0)).toBe(3000); // upper bound
    expect(r.timeout(10)).toBe(8000); // backoff cap
    r.sample?.(Number.NaN);
    r.sample?.(-1);
    expect(r.timeout(0)).toBe(3000);
  });

  it("is the default without a negotiated timeout; a negotiated one keeps the fixed backoff", () => {
    const mk = (timeoutMs: number | undefined) =>
      new ServerReadTransfer({ params: P({ timeoutMs }), oack: undefined }, 0, {});
    const a = mk(undefined);
    a.supply(new Uint8Array(10));
    a.end();
    expect(a.pollTransmit(0)).toBeDefined();
    expect(a.nextTimeout()).toBe(1000);
    a.receive(encodeAck(1), 4); // RTT 4 ms: 4 + 4 × 2 = 12 -> the 20 ms floor
    expect(a.isClosed).toBe(true);
    const b = mk(undefined);
    for (let i = 0; i < 3; i++) {
      b.supply(new Uint8Array(512));
      const t = i * 10;
      expect(b.pollTransmit(t)).toBeDefined();
      b.receive(encodeAck(i + 1), t + 4);
    }
    b.end();
    expect(b.pollTransmit(40)).toBeDefined();
    expect((b.nextTimeout() as number) - 40).toBeLessThan(50);
    const c = mk(2000);
    c.supply(new Uint8Array(512));
    expect(c.pollTransmit(0)).toBeDefined();
    c.receive(encodeAck(1), 4);
    c.supply(new Uint8Array(5));
    c.end();
    expect(c.pollTransmit(10)).toBeDefined();
    expect(c.nextTimeout()).toBe(2010);
  });
});

describe("no ACK circulation against a sender that restarts its window on every ACK", () => {
  it("a block we already acknowledged, resent many times at once, is re-ACKed once per RTO", () => {
    const g = new ClientGetTransfer("f", 0, { request: { windowsize: 4 } });
    drain(g);
    g.receive(encodeOack([{ name: "windowsize", value: "4" }]), 1);
    drain(g);
    const d = (b: number) => encodeData(b, new Uint8Array(512));
    for (const b of [1, 2, 3, 4]) g.receive(d(b), 2);
    expect(drain(g)).toMatchObject([{ op: 4, block: 4 }]);
    // atftpd answers each of a backlog of ACKs with a whole window again: block 4 comes back
    // 20 times within a millisecond. One re-ACK, not 20 (each would start one more window).
    for (let i = 0; i < 20; i++) g.receive(d(4), 3 + i / 20);
    expect(drain(g).filter((p) => p.op === 4)).toHaveLength(1);
    // After one retransmission timeout the next resent copy is answered again.
    const rto = (g.nextTimeout() as number) - 2; // armed at t=2 after block 4
    g.receive(d(4), 3 + rto + 1);
    expect(drain(g)).toMatchObject([{ op: 4, block: 4 }]);
  });
});

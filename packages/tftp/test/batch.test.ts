import { createHash, randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { backoffRto, encodeData, encodeOack } from "@pxe/tftp";
import { createServer, type DatagramBatch, get, put, type TftpServer } from "@pxe/tftp/node";
import { loadUdpBatch, unavailableReason } from "@pxe/udp-batch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const real = loadUdpBatch();
if (!real)
  console.warn(`batched TFTP tests skipped: @pxe/udp-batch unavailable (${unavailableReason()})`);
const maybe = real ? describe : describe.skip;

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** The real batch, counting what went through it (with coalesced reads when `coalesce`). */
function counting(b: DatagramBatch, coalesce = false) {
  const c = { sendCalls: 0, sent: 0, recvCalls: 0, received: 0, messages: 0, segments: 0 };
  const batch: DatagramBatch = {
    send(s: Socket, d: readonly Uint8Array[]) {
      c.sendCalls++;
      const n = b.send(s, d);
      c.sent += n;
      return n;
    },
    receive(s: Socket, area: Uint8Array, slot: number, lengths: Int32Array) {
      c.recvCalls++;
      const n = b.receive(s, area, slot, lengths);
      c.received += n;
      return n;
    },
  };
  if (coalesce && b.coalesce && b.receiveSegments) {
    const co = b.coalesce.bind(b);
    const rs = b.receiveSegments.bind(b);
    batch.coalesce = (s: Socket) => co(s);
    batch.receiveSegments = (s: Socket, area: Uint8Array, bytes: number, out: Int32Array) => {
      c.recvCalls++;
      const n = rs(s, area, bytes, out);
      c.messages += n;
      for (let i = 0; i < n; i++) {
        const len = out[2 * i] ?? 0;
        const seg = out[2 * i + 1] ?? 0;
        c.segments += seg > 0 ? Math.ceil(len / seg) : 1;
      }
      return n;
    };
  }
  return { batch, c };
}

maybe("batched I/O (sendmmsg/recvmmsg through @pxe/udp-batch)", () => {
  let root: string;
  let server: TftpServer;
  let port: number;
  const ac = new AbortController();
  const files: Record<string, Buffer> = {};
  const srv = counting(real as DatagramBatch);

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), "pxe-tftp-batch-"));
    for (const n of [0, 1467, 1468, 1469, 3 << 20]) {
      files[`f${n}`] = randomBytes(n);
      writeFileSync(path.join(root, `f${n}`), files[`f${n}`] as Buffer);
    }
    server = createServer({
      root,
      port: 0,
      write: true,
      signal: ac.signal,
      maxWindowsize: 64,
      maxBlksize: 8192,
      batch: srv.batch,
    });
    port = (await server.listen()).port;
  });

  afterAll(async () => {
    ac.abort();
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  for (const coalesce of [false, true])
    for (const n of [0, 1467, 1468, 1469, 3 << 20])
      for (const o of [
        { blksize: 1468, windowsize: 64 },
        { blksize: 8192, windowsize: 8 },
        { blksize: 512, windowsize: 1 },
      ])
        it(`get f${n} ${o.blksize}/${o.windowsize}${coalesce ? " coalesced" : ""}: every byte, in order`, async () => {
          const cli = counting(real as DatagramBatch, coalesce);
          const chunks: Buffer[] = [];
          for await (const c of get(`tftp://127.0.0.1:${port}/f${n}`, {
            ...o,
            dallyMs: 50,
            batch: cli.batch,
          }))
            chunks.push(c as Buffer);
          expect(sha(Buffer.concat(chunks))).toBe(sha(files[`f${n}`] as Buffer));
        });

  it("windows really go through sendmmsg and recvmmsg", async () => {
    const before = srv.c.sent;
    const cli = counting(real as DatagramBatch);
    const dl = get(`tftp://127.0.0.1:${port}/f${3 << 20}`, {
      blksize: 1468,
      windowsize: 64,
      dallyMs: 50,
      batch: cli.batch,
    });
    let bytes = 0;
    for await (const c of dl) bytes += (c as Buffer).length;
    expect(bytes).toBe(3 << 20);
    const blocks = Math.ceil((3 << 20) / 1468) + 1;
    // the server sent (nearly) every DATA in batches, far fewer calls than datagrams
    expect(srv.c.sent - before).toBeGreaterThan(blocks * 0.9);
    // the client read most blocks in batched reads (the first of each burst comes through dgram)
    expect(cli.c.received).toBeGreaterThan(blocks / 4);
  });

  it("segmented windows arrive coalesced: far fewer messages than blocks, every byte right", async () => {
    const cli = counting(real as DatagramBatch, true);
    const dl = get(`tftp://127.0.0.1:${port}/f${3 << 20}`, {
      blksize: 1468,
      windowsize: 64,
      dallyMs: 50,
      batch: cli.batch,
    });
    const chunks: Buffer[] = [];
    for await (const c of dl) chunks.push(c as Buffer);
    expect(sha(Buffer.concat(chunks))).toBe(sha(files[`f${3 << 20}`] as Buffer));
    const blocks = Math.ceil((3 << 20) / 1468) + 1;
    // the server's sendmmsg carried segmented (GSO) messages, the client's kernel kept them whole
    expect(cli.c.segments).toBeGreaterThan(blocks / 4);
    expect(cli.c.messages).toBeLessThan(cli.c.segments / 4);
  });

  for (const coalesce of [false, true])
    it(`a peer whose DATA are longer than the blksize it granted never gets them accepted${coalesce ? " (coalesced)" : ""}`, async () => {
      // A misbehaving server: OACK blksize 1000, then windows of 1100-byte DATA sent segmented,
      // so a coalescing client sees bursts it cannot cut at blksize + 4.
      const bad = createSocket("udp4");
      await new Promise<void>((r) => bad.bind(0, "127.0.0.1", () => r()));
      let sentWindows = 0;
      bad.on("message", (msg, r) => {
        const op = msg.readUInt16BE(0);
        const send = () => {
          if (sentWindows++ >= 6) return;
          const dgrams = Array.from({ length: 8 }, (_, i) => {
            const payload = new Uint8Array(1096).fill(0x5a);
            return encodeData(i + 1, payload);
          });
          (real as DatagramBatch).send(bad, dgrams);
        };
        if (op === 1) {
          bad.connect(r.port, r.address, () => {
            bad.send(
              encodeOack([
                { name: "blksize", value: "1000" },
                { name: "windowsize", value: "8" },
              ]),
            );
          });
        } else if (op === 4) send();
      });
      const yielded: number[] = [];
      const dl = get(`tftp://127.0.0.1:${bad.address().port}/x`, {
        blksize: 1000,
        windowsize: 8,
        rto: backoffRto(30, 60),
        maxRetries: 3,
        dallyMs: 50,
        batch: counting(real as DatagramBatch, coalesce).batch,
      });
      await expect(
        (async () => {
          for await (const c of dl) yielded.push((c as Buffer).length);
        })(),
      ).rejects.toThrow(/timeout|error/i);
      bad.close();
      expect(yielded).toEqual([]);
    });

  it("a slow consumer still holds the transfer back, then gets every byte", async () => {
    const s = get(`tftp://127.0.0.1:${port}/f${3 << 20}`, {
      blksize: 1468,
      windowsize: 64,
      dallyMs: 50,
      batch: real as DatagramBatch,
    });
    await new Promise((r) => setTimeout(r, 300));
    // the default read-ahead (512 KiB), not the 3 MiB file
    expect(s.readableLength).toBeLessThanOrEqual(2 * 512 * 1024);
    const chunks: Buffer[] = [];
    for await (const c of s) chunks.push(c as Buffer);
    expect(sha(Buffer.concat(chunks))).toBe(sha(files[`f${3 << 20}`] as Buffer));
  });

  it("put: the client sends windows in batches, the server reads them in batches", async () => {
    const data = randomBytes((2 << 20) + 17);
    const cli = counting(real as DatagramBatch);
    const before = srv.c.received;
    const r = await put(`tftp://127.0.0.1:${port}/up.bin`, data, {
      blksize: 1468,
      windowsize: 32,
      batch: cli.batch,
    });
    expect(r.bytes).toBe(data.length);
    // The server renames its temporary file once its write chain finished: wait for it (bounded).
    const file = path.join(root, "up.bin");
    for (let i = 0; i < 100 && !existsSync(file); i++)
      await new Promise((res) => setTimeout(res, 20));
    expect(sha(readFileSync(file))).toBe(sha(data));
    expect(cli.c.sent).toBeGreaterThan(1000);
    expect(srv.c.received - before).toBeGreaterThan(100);
  });
});

import type { Socket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeDhcp } from "../src/serve/dhcp-wire.js";
import type { ServeHandle } from "../src/serve/server.js";
import { type LoopbackServe, startLoopbackServe } from "./loopback-serve.js";

let f: LoopbackServe;
let srv: ServeHandle;
let client: Socket;
let logs: string[] = [];

beforeAll(async () => {
  f = await startLoopbackServe("proxy", { "undionly.kpxe": "kpxe", "ipxe.efi": "efi" }, {});
  ({ srv, client, logs } = f);
});
afterAll(async () => {
  await f?.close();
});

/** A request with ciaddr = 127.0.0.1 (so a reply, if any, comes back by unicast on loopback). */
function request(type: number, mac: number, xid: number, opts: number[]): Buffer {
  const b = Buffer.alloc(300);
  b[0] = 1;
  b[1] = 1;
  b[2] = 6;
  b.writeUInt32BE(xid, 4);
  b.set([127, 0, 0, 1], 12);
  b.set([0x52, 0x54, 0, (mac >> 16) & 255, (mac >> 8) & 255, mac & 255], 28);
  b.writeUInt32BE(0x63825363, 236);
  b.set([53, 1, type, ...opts, 255], 240);
  return b;
}
const str = (code: number, s: string): number[] => [code, s.length, ...Buffer.from(s, "latin1")];
const PXE_BIOS = [...str(60, "PXEClient:Arch:00000:UNDI:002001"), 93, 2, 0, 0];

/** Options of clients that are not network boot clients (or only look a bit like one). */
const NOT_PXE: number[][] = [
  [],
  str(60, "MSFT 5.0"),
  str(60, "android-dhcp-13"),
  str(60, "PXEClien"),
  str(60, "pxeclient:Arch:00000"), // the PXE class is case-sensitive
  str(60, "HTTPClien"),
  [...str(60, "udhcp 1.36.1"), ...str(12, "printer")],
  [55, 4, 1, 3, 6, 15],
];

/** Sends `n` requests, then counts the replies that arrive within `waitMs` (bounded). */
async function countReplies(send: (i: number) => void, n: number, waitMs: number) {
  let replies = 0;
  const count = () => {
    replies++;
  };
  client.on("message", count);
  const t0 = Date.now();
  for (let i = 0; i < n && Date.now() - t0 < 10_000; i++) {
    send(i);
    if (i % 20 === 19) await new Promise((r) => setTimeout(r, 10));
  }
  await new Promise((r) => setTimeout(r, waitMs));
  client.off("message", count);
  return replies;
}

/** One PXE DISCOVER, answered: the server still serves. */
async function stillAnswers(xid: number): Promise<number> {
  const got = new Promise<number>((res, rej) => {
    const t = setTimeout(() => rej(new Error("no reply in 5 s")), 5000);
    const on = (m: Buffer) => {
      if (m.readUInt32BE(4) !== xid) return;
      clearTimeout(t);
      client.off("message", on);
      res(decodeDhcp(new Uint8Array(m)).xid);
    };
    client.on("message", on);
  });
  client.send(request(1, 0xfffff, xid, PXE_BIOS), srv.ports.dhcp ?? 0, "127.0.0.1");
  return got;
}

describe("proxy mode over sockets", () => {
  it("never answers a non-PXE client (DISCOVER, REQUEST, INFORM, on 67 and 4011)", async () => {
    const before = srv.stats.dhcpReplies;
    const kinds = [1, 3, 8];
    const n = NOT_PXE.length * kinds.length * 2 * 10;
    const replies = await countReplies(
      (i) => {
        const opts = NOT_PXE[i % NOT_PXE.length] ?? [];
        const type = kinds[Math.floor(i / NOT_PXE.length) % kinds.length] ?? 1;
        const port = i % 2 === 0 ? srv.ports.dhcp : srv.ports.pxe;
        client.send(request(type, 0x2000 + i, 0x5000 + i, opts), port ?? 0, "127.0.0.1");
      },
      n,
      500,
    );
    expect(replies).toBe(0);
    expect(srv.stats.dhcpReplies - before).toBe(0);
    expect(logs.some((l) => /drop=.*not a PXE client/.test(l))).toBe(true);
    expect(await stillAnswers(0xa1)).toBe(0xa1);
  });
  it("answers a bounded flood of PXE DISCOVERs from 1000 MACs (stateless) and still answers", async () => {
    const replies = await countReplies(
      (i) =>
        client.send(
          request(1, 0x10000 + i, 0x9000 + i, PXE_BIOS),
          srv.ports.dhcp ?? 0,
          "127.0.0.1",
        ),
      1000,
      1000,
    );
    expect(replies).toBeGreaterThanOrEqual(900); // loopback may drop a few under load
    expect(await stillAnswers(0xa2)).toBe(0xa2);
  });
  it("answers no non-PXE client even in the middle of a flood of PXE ones", async () => {
    const nonPxe = new Set<number>();
    let pxe = 0;
    const on = (m: Buffer) => {
      const xid = m.readUInt32BE(4);
      if (xid >= 0x7000 && xid < 0x8000) nonPxe.add(xid);
      else pxe++;
    };
    client.on("message", on);
    for (let i = 0; i < 400; i++) {
      const opts = i % 2 === 0 ? PXE_BIOS : (NOT_PXE[(i >> 1) % NOT_PXE.length] ?? []);
      const xid = i % 2 === 0 ? 0xc000 + i : 0x7000 + i;
      client.send(request(1, 0x30000 + i, xid, opts), srv.ports.dhcp ?? 0, "127.0.0.1");
      if (i % 20 === 19) await new Promise((r) => setTimeout(r, 10));
    }
    await new Promise((r) => setTimeout(r, 800));
    client.off("message", on);
    expect([...nonPxe]).toEqual([]);
    expect(pxe).toBeGreaterThanOrEqual(180);
  });
});

/**
 * `pxe serve` on loopback (unprivileged ports): HTTP, TFTP and DHCP over real sockets, malformed
 * input counted, path traversal refused, a bounded flood of DISCOVERs.
 */
import { createSocket, type Socket } from "node:dgram";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeDhcp } from "../src/serve/dhcp-wire.js";
import type { ServeHandle } from "../src/serve/server.js";
import { type LoopbackServe, startLoopbackServe } from "./loopback-serve.js";

let f: LoopbackServe;
let srv: ServeHandle;
let client: Socket;
let logs: string[] = [];
const kernel = new Uint8Array(60_000).map((_, i) => (i * 7) & 255);

beforeAll(async () => {
  f = await startLoopbackServe(
    "net",
    { vmlinuz: kernel, "initrd.gz": "initrd", "undionly.kpxe": "kpxe" },
    (r) => ({
      dhcp: "full",
      range: ["127.0.1.1", "127.0.4.254"],
      leaseFile: join(r, "leases.json"),
      append: "console=ttyS0",
    }),
  );
  ({ srv, client, logs } = f);
});
afterAll(async () => {
  await f?.close();
});

function get(
  path: string,
  method = "GET",
): Promise<{ status: number; body: Buffer; headers: Record<string, unknown> }> {
  return new Promise((res, rej) => {
    const req = httpRequest({ host: "127.0.0.1", port: srv.ports.http, path, method }, (r) => {
      const chunks: Buffer[] = [];
      r.on("data", (c: Buffer) => chunks.push(c));
      r.on("end", () =>
        res({ status: r.statusCode ?? 0, body: Buffer.concat(chunks), headers: r.headers }),
      );
    });
    req.on("error", rej);
    req.setTimeout(5000, () => req.destroy(new Error("timeout")));
    req.end();
  });
}

describe("HTTP", () => {
  it("serves files and HEAD without a body", async () => {
    const g = await get("/vmlinuz");
    expect(g.status).toBe(200);
    expect(new Uint8Array(g.body)).toEqual(kernel);
    const h = await get("/vmlinuz", "HEAD");
    expect(h.status).toBe(200);
    expect(h.headers["content-length"]).toBe(String(kernel.length));
    expect(h.body.length).toBe(0);
  });
  it("refuses path traversal, encoded or not, and keeps serving", async () => {
    for (const p of [
      "/../../etc/passwd",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/x/..%2F..%2Fetc/passwd",
      "/%00",
    ]) {
      expect((await get(p)).status, p).toBe(403);
    }
    expect((await get("/nope")).status).toBe(404);
    expect((await get("/vmlinuz")).status).toBe(200);
    expect(srv.http?.stats.refused).toBeGreaterThanOrEqual(4);
  });
  it("answers a malformed request with 400 and keeps serving", async () => {
    const net = await import("node:net");
    const reply = await new Promise<string>((res) => {
      const s = net.connect(srv.ports.http ?? 0, "127.0.0.1", () =>
        s.write("\x01\x02 garbage\r\n\r\n"),
      );
      let data = "";
      s.on("data", (d) => {
        data += d.toString();
      });
      s.on("close", () => res(data));
      s.setTimeout(3000, () => s.destroy());
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await get("/initrd.gz")).status).toBe(200);
  });
  it("generates the per-client script from the root", async () => {
    const s = await get("/boot.ipxe?mac=52:54:00:00:00:01&arch=7");
    const text = s.body.toString();
    expect(text).toMatch(/^#!ipxe\n/);
    // root-relative: iPXE resolves them against the script's own URL (works through NAT)
    expect(text).not.toContain("pxe-base");
    expect(text).toContain("kernel /vmlinuz console=ttyS0 initrd=initrd.gz");
    expect(text).toContain("initrd /initrd.gz");
    expect(logs.some((l) => / ev=http .*path=\/boot\.ipxe status=200/.test(l))).toBe(true);
  });
});

/** A minimal TFTP read (lock-step, 512-byte blocks) for the test. */
function tftpGet(name: string, raw?: Uint8Array): Promise<{ data?: Uint8Array; error?: number }> {
  return new Promise((res) => {
    const s = createSocket("udp4");
    const parts: Uint8Array[] = [];
    const timer = setTimeout(() => {
      s.close();
      res({ error: -1 });
    }, 5000);
    const end = (r: { data?: Uint8Array; error?: number }) => {
      clearTimeout(timer);
      s.close();
      res(r);
    };
    s.on("message", (m, ri) => {
      const op = m.readUInt16BE(0);
      if (op === 5) return end({ error: m.readUInt16BE(2) });
      if (op === 3) {
        parts.push(new Uint8Array(m.subarray(4)));
        s.send(Buffer.from([0, 4, m[2] ?? 0, m[3] ?? 0]), ri.port, ri.address);
        if (m.length - 4 < 512) end({ data: new Uint8Array(Buffer.concat(parts)) });
      }
    });
    s.bind(0, "127.0.0.1", () => {
      const pkt = raw ?? Buffer.from([0, 1, ...Buffer.from(name), 0, ...Buffer.from("octet"), 0]);
      s.send(pkt, srv.ports.tftp ?? 0, "127.0.0.1");
    });
  });
}

describe("TFTP (@pxe/tftp's Node server through the served tree)", () => {
  it("sends a file, refuses traversal with error 2, unknown files with error 1", async () => {
    expect((await tftpGet("vmlinuz")).data).toEqual(kernel);
    expect((await tftpGet("/vmlinuz")).data).toEqual(kernel);
    expect((await tftpGet("../../etc/passwd")).error).toBe(2);
    expect((await tftpGet("nope")).error).toBe(1);
  });
  it("counts malformed requests and keeps serving", async () => {
    const before = srv.tftp?.server.stats.malformed ?? 0;
    const s = createSocket("udp4");
    await new Promise<void>((r) => s.bind(0, "127.0.0.1", r));
    for (const junk of [
      Buffer.from([0]),
      Buffer.from([0, 1, 65]),
      Buffer.from([0, 9, 0, 0]),
      Buffer.from([0, 4, 0, 1]),
    ]) {
      s.send(junk, srv.ports.tftp ?? 0, "127.0.0.1");
    }
    await new Promise((r) => setTimeout(r, 200));
    s.close();
    expect((srv.tftp?.server.stats.malformed ?? 0) - before).toBe(4);
    expect((await tftpGet("initrd.gz")).data).toEqual(new TextEncoder().encode("initrd"));
  });
});

/** A DHCPDISCOVER with ciaddr = 127.0.0.1 so the reply comes back by unicast on loopback. */
function discover(macLast: number, xid: number): Buffer {
  const b = Buffer.alloc(300);
  b[0] = 1;
  b[1] = 1;
  b[2] = 6;
  b.writeUInt32BE(xid, 4);
  b.set([127, 0, 0, 1], 12);
  b.set([0x52, 0x54, 0, (macLast >> 16) & 255, (macLast >> 8) & 255, macLast & 255], 28);
  b.writeUInt32BE(0x63825363, 236);
  const o = [53, 1, 1, 60, 9, ...Buffer.from("PXEClient"), 93, 2, 0, 0, 255];
  b.set(o, 240);
  return b;
}

describe("DHCP over sockets", () => {
  it("answers a DISCOVER with an OFFER from the range, logged as one line", async () => {
    const got = new Promise<Buffer>((res) => client.once("message", (m) => res(m)));
    client.send(discover(1, 0x1234), srv.ports.dhcp ?? 0, "127.0.0.1");
    const m = decodeDhcp(new Uint8Array(await got));
    expect(m.xid).toBe(0x1234);
    expect(m.yiaddr).toBe("127.0.1.1");
    expect(m.file).toBe("undionly.kpxe");
    expect(
      logs.some((l) => / ev=dhcp mac=52:54:00:00:00:01 class=pxe-bios-x86 .*reply=OFFER/.test(l)),
    ).toBe(true);
  });
  it("counts garbage, survives a bounded flood of DISCOVERs from 500 MACs, and still answers", async () => {
    const before = srv.stats.dhcpMalformed;
    for (let i = 0; i < 20; i++)
      client.send(Buffer.from([1, 2, 3, i]), srv.ports.dhcp ?? 0, "127.0.0.1");
    let replies = 0;
    const count = () => {
      replies++;
    };
    client.on("message", count);
    const t0 = Date.now();
    for (let i = 0; i < 500 && Date.now() - t0 < 10_000; i++) {
      client.send(discover(0x1000 + i, i), srv.ports.dhcp ?? 0, "127.0.0.1");
      if (i % 20 === 19) await new Promise((r) => setTimeout(r, 10));
    }
    const deadline = Date.now() + 5000;
    while (replies < 450 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    client.off("message", count);
    expect(srv.stats.dhcpMalformed - before).toBe(20);
    expect(replies).toBeGreaterThanOrEqual(450); // loopback may drop a few under load
    // late flood replies may still be in flight: wait for ours by its xid
    const got = new Promise<number>((res) => {
      const on = (m: Buffer) => {
        if (m.readUInt32BE(4) !== 0xabcd) return;
        client.off("message", on);
        res(decodeDhcp(new Uint8Array(m)).xid);
      };
      client.on("message", on);
    });
    client.send(discover(2, 0xabcd), srv.ports.dhcp ?? 0, "127.0.0.1");
    expect(await got).toBe(0xabcd);
  });
});

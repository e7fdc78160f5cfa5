import { createHash, randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { decodePacket, encodeAck, encodeRequest } from "@pxe/tftp";
import {
  createServer,
  get,
  getFile,
  jailRelative,
  parseTftpUrl,
  put,
  type TftpServer,
} from "@pxe/tftp/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** net.core.rmem_max (the kernel caps SO_RCVBUF requests there, then doubles them). */
function readRmemMax(): number {
  try {
    return Number(readFileSync("/proc/sys/net/core/rmem_max", "utf8").trim());
  } catch {
    return 212992;
  }
}

async function collect(s: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const c of s) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

/** Sends one datagram from a fresh socket and returns the first answer (or undefined after `ms`). */
async function ask(
  port: number,
  bytes: Uint8Array,
  ms = 1500,
  host = "127.0.0.1",
): Promise<Uint8Array | undefined> {
  const s = createSocket(host.includes(":") ? "udp6" : "udp4");
  try {
    return await new Promise((resolve) => {
      const t = setTimeout(() => resolve(undefined), ms);
      s.on("message", (m) => {
        clearTimeout(t);
        resolve(m);
      });
      s.send(bytes, port, host);
    });
  } finally {
    s.close();
  }
}

let root: string;
let outside: string;
let server: TftpServer;
let port: number;
const files: Record<string, Buffer> = {};
const ac = new AbortController();

beforeAll(async () => {
  const base = mkdtempSync(path.join(tmpdir(), "pxe-tftp-"));
  root = path.join(base, "root");
  outside = path.join(base, "secret.txt");
  mkdirSync(path.join(root, "sub"), { recursive: true });
  mkdirSync(path.join(root, "up"), { recursive: true });
  writeFileSync(outside, "TOP SECRET");
  for (const n of [0, 1, 511, 512, 513, 1 << 20]) {
    files[`f${n}`] = randomBytes(n);
    writeFileSync(path.join(root, `f${n}`), files[`f${n}`] as Buffer);
  }
  writeFileSync(path.join(root, "sub", "boot.ipxe"), "#!ipxe\nchain x\n");
  symlinkSync(outside, path.join(root, "escape"));
  symlinkSync(path.join(root, "f511"), path.join(root, "inside-link"));
  server = createServer({
    root,
    port: 0,
    write: true,
    signal: ac.signal,
    maxWindowsize: 64,
    maxBlksize: 8192,
  });
  port = (await server.listen()).port;
});

afterAll(async () => {
  ac.abort();
  await server.close();
  rmSync(path.dirname(root), { recursive: true, force: true });
});

describe("our client against our server (loopback)", () => {
  for (const n of [0, 1, 511, 512, 513, 1 << 20]) {
    for (const o of [{}, { blksize: 1468, windowsize: 8 }]) {
      it(`get f${n} ${JSON.stringify(o)}`, async () => {
        const s = get(`tftp://127.0.0.1:${port}/f${n}`, { ...o, dallyMs: 50 });
        const data = await collect(s);
        expect(sha(data)).toBe(sha(files[`f${n}`] as Buffer));
        const p = await s.negotiated;
        if ("blksize" in o) expect(p).toMatchObject({ blksize: 1468, windowsize: 8, tsize: n });
      });
    }
  }

  it("a slow consumer holds the transfer back (bounded buffering), then gets every byte", async () => {
    const s = get(`tftp://127.0.0.1:${port}/f${1 << 20}`, {
      blksize: 1468,
      windowsize: 8,
      dallyMs: 50,
      bufferBytes: 64 * 1024,
    });
    // Nothing reads for 300 ms: the stream must not buffer the whole 1 MiB meanwhile.
    await new Promise((r) => setTimeout(r, 300));
    expect(s.readableLength).toBeLessThanOrEqual(2 * 64 * 1024);
    const data = await collect(s);
    expect(sha(data)).toBe(sha(files[`f${1 << 20}`] as Buffer));
  });

  it("getFile writes the file under its name only once complete, and reports progress", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "pxe-tftp-getfile-"));
    try {
      const dest = path.join(dir, "out.bin");
      const seen: [number, number | undefined][] = [];
      const r = await getFile(`tftp://127.0.0.1:${port}/f${1 << 20}`, dest, {
        blksize: 1468,
        windowsize: 16,
        dallyMs: 50,
        onProgress: (b, t) => seen.push([b, t]),
      });
      expect(r.bytes).toBe(1 << 20);
      expect(r.params).toMatchObject({ blksize: 1468, windowsize: 16, tsize: 1 << 20 });
      expect(sha(readFileSync(dest))).toBe(sha(files[`f${1 << 20}`] as Buffer));
      expect(seen.at(-1)).toEqual([1 << 20, 1 << 20]);
      expect(seen.length).toBeGreaterThan(1);
      // empty files too; nothing else is left in the directory
      await getFile(`tftp://127.0.0.1:${port}/f0`, path.join(dir, "empty"), { dallyMs: 50 });
      expect(readFileSync(path.join(dir, "empty")).length).toBe(0);
      expect(readdirSync(dir).sort()).toEqual(["empty", "out.bin"]);
      // a failed download leaves an existing file untouched and no temporary file behind
      writeFileSync(path.join(dir, "keep"), "old");
      await expect(
        getFile(`tftp://127.0.0.1:${port}/missing`, path.join(dir, "keep"), { dallyMs: 50 }),
      ).rejects.toThrow(/error 1/);
      expect(readFileSync(path.join(dir, "keep"), "utf8")).toBe("old");
      expect(readdirSync(dir).sort()).toEqual(["empty", "keep", "out.bin"]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("asks for a large window with its receive buffer declared (rcvbuf), and gets it", async () => {
    const s = createServer({ root, port: 0, maxWindowsize: 256 });
    const p = (await s.listen()).port;
    const requests: string[][] = [];
    s.on("transferStart", () => {});
    try {
      // what the client puts in its RRQ, seen by a fake server that answers nothing
      const spy = createSocket("udp4");
      await new Promise<void>((r) => spy.bind(0, "127.0.0.1", () => r()));
      spy.on("message", (m) => {
        const pkt = decodePacket(m);
        if (pkt.op === 1) requests.push(pkt.options.map((o) => o.name));
      });
      for (const windowsize of [64, 256]) {
        const ac2 = new AbortController();
        const dl = get(`tftp://127.0.0.1:${spy.address().port}/x`, {
          blksize: 1468,
          windowsize,
          signal: ac2.signal,
        });
        dl.on("error", () => {});
        for (let i = 0; i < 50 && requests.length < (windowsize === 64 ? 1 : 2); i++)
          await new Promise((r) => setTimeout(r, 10));
        ac2.abort();
      }
      spy.close();
      // 64 blocks of 1468 fit a default buffer: no declaration; 256 do not: declared
      expect(requests[0]).toEqual(["blksize", "tsize", "windowsize"]);
      expect(requests[1]).toEqual(["blksize", "tsize", "windowsize", "rcvbuf"]);
      // against our server the window is granted when the buffer really holds it
      const dl = get(`tftp://127.0.0.1:${p}/f${1 << 20}`, {
        blksize: 1468,
        windowsize: 256,
        dallyMs: 50,
      });
      const data = await collect(dl);
      expect(sha(data)).toBe(sha(files[`f${1 << 20}`] as Buffer));
      const neg = await dl.negotiated;
      const buf = 0.9 * 2 * Math.min(4 << 20, readRmemMax());
      expect(neg.windowsize).toBe(Math.min(256, Math.floor(buf / 2944)));
    } finally {
      await s.close();
    }
  });

  it("the stream yields coalesced chunks, not one per block", async () => {
    const s = get(`tftp://127.0.0.1:${port}/f${1 << 20}`, {
      blksize: 512,
      windowsize: 16,
      dallyMs: 50,
    });
    let chunks = 0;
    let bytes = 0;
    for await (const c of s) {
      chunks++;
      bytes += (c as Buffer).length;
    }
    expect(bytes).toBe(1 << 20);
    expect(chunks).toBeLessThan((1 << 20) / 512 / 4);
  });

  it("put then get back (IPv4), file appears only when complete", async () => {
    const data = randomBytes(100_000);
    const r = await put(`tftp://127.0.0.1:${port}/up/new.bin`, data, {
      blksize: 1024,
      windowsize: 4,
    });
    expect(r.bytes).toBe(data.length);
    expect(r.params).toMatchObject({ blksize: 1024, windowsize: 4, tsize: data.length });
    // The server renames the temporary file after its write chain finishes.
    await new Promise((res) => setTimeout(res, 100));
    expect(sha(readFileSync(path.join(root, "up", "new.bin")))).toBe(sha(data));
  });

  it("netascii: LF files arrive as LF after a CR LF trip", async () => {
    const d = await collect(
      get(`tftp://127.0.0.1:${port}/sub/boot.ipxe`, { mode: "netascii", dallyMs: 10 }),
    );
    expect(d.toString()).toBe("#!ipxe\nchain x\n");
  });

  it("a missing file is error 1", async () => {
    await expect(collect(get(`tftp://127.0.0.1:${port}/nope`))).rejects.toThrow(/error 1/);
  });

  it("parses tftp URLs, IPv6 literals included", () => {
    expect(parseTftpUrl("tftp://[::1]:6969/a%20b/c")).toEqual({
      host: "::1",
      port: 6969,
      path: "a b/c",
    });
    expect(parseTftpUrl("tftp://host/x")).toEqual({ host: "host", port: 69, path: "x" });
  });
});

describe("read function, IPv6, limits, events", () => {
  it("per-client content from read(path, ctx) over IPv6", async () => {
    const s6 = createServer({
      address: "::1",
      port: 0,
      read: (p, ctx) => Buffer.from(`hello ${ctx.address} ${p}`),
    });
    const p6 = (await s6.listen()).port;
    const seen: string[] = [];
    s6.on("transferFinish", (i) => seen.push(`${i.kind}:${i.path}:${i.bytes}`));
    const d = await collect(get(`tftp://[::1]:${p6}/x/y`, { dallyMs: 10 }));
    expect(d.toString()).toBe("hello ::1 x/y");
    // The server finishes when our final ACK reaches it.
    for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual(["read:x/y:13"]);
    expect(s6.stats.completed).toBe(1);
    await s6.close();
  });

  it("streams a generated file (async iterable) without knowing its size", async () => {
    const s = createServer({
      port: 0,
      read: () =>
        (async function* () {
          for (let i = 0; i < 100; i++) yield Buffer.alloc(1000, i);
        })(),
    });
    const p = (await s.listen()).port;
    const d = await collect(
      get(`tftp://127.0.0.1:${p}/gen`, { blksize: 1468, windowsize: 16, dallyMs: 10 }),
    );
    expect(d.length).toBe(100_000);
    expect(d[99_999]).toBe(99);
    await s.close();
  });
});

describe("graceful close", () => {
  it("aborting the signal ends running transfers with an ERROR and frees the port", async () => {
    const c = new AbortController();
    const s = createServer({ root, port: 0, signal: c.signal });
    const p = (await s.listen()).port;
    const sock = createSocket("udp4");
    const got: Buffer[] = [];
    sock.on("message", (m) => got.push(m));
    sock.send(encodeRequest(1, "f1048576", "octet"), p, "127.0.0.1");
    for (let i = 0; i < 50 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(decodePacket(got[0] as Buffer)).toMatchObject({ op: 3, block: 1 });
    c.abort();
    for (let i = 0; i < 50 && got.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(decodePacket(got[1] as Buffer)).toMatchObject({
      op: 5,
      code: 0,
      message: "server shutting down",
    });
    expect(s.stats.active).toBe(0);
    // The listening port is released: it can be bound again.
    const again = createServer({ root, port: p });
    await again.listen();
    await again.close();
    sock.close();
  });
});

describe("security", () => {
  const refused = [
    "../secret.txt",
    "/../secret.txt",
    "sub/../../secret.txt",
    "..\\secret.txt",
    "sub\\..\\..\\secret.txt",
    "escape",
    "sub",
    "/dev/null/../../secret.txt",
  ];
  for (const name of refused) {
    it(`refuses ${JSON.stringify(name)} with error 1 or 2 and reads nothing outside`, async () => {
      const r = await ask(port, encodeRequest(1, name, "octet"));
      expect(r).toBeDefined();
      const p = decodePacket(r as Uint8Array);
      expect(p.op).toBe(5);
      if (p.op === 5) expect([1, 2]).toContain(p.code);
    });
  }

  it("WRQ traversal is refused and creates nothing outside the root", async () => {
    for (const name of ["../evil.bin", "..\\evil.bin", "/../evil.bin", "escape", "sub"]) {
      const r = await ask(port, encodeRequest(2, name, "octet"));
      expect(r && decodePacket(r)).toMatchObject({ op: 5, code: 2 });
    }
    expect(existsSync(path.join(path.dirname(root), "evil.bin"))).toBe(false);
    expect(readFileSync(outside, "utf8")).toBe("TOP SECRET");
  });

  it("maps a leading / and \\ separators into the root (GRUB, Windows)", async () => {
    expect(jailRelative("/sub/boot.ipxe")).toBe("sub/boot.ipxe");
    expect(jailRelative("\\sub\\boot.ipxe")).toBe("sub/boot.ipxe");
    const d = await collect(
      get(`tftp://127.0.0.1:${port}/${encodeURIComponent("\\sub\\boot.ipxe")}`, { dallyMs: 10 }),
    );
    expect(d.toString()).toContain("#!ipxe");
    const d2 = await collect(get(`tftp://127.0.0.1:${port}//inside-link`, { dallyMs: 10 }));
    expect(sha(d2)).toBe(sha(files.f511 as Buffer));
  });

  it("refuses device files", async () => {
    const s = createServer({ root: "/dev", port: 0 });
    const p = (await s.listen()).port;
    const r = await ask(p, encodeRequest(1, "null", "octet"));
    expect(r && decodePacket(r)).toMatchObject({ op: 5, code: 2 });
    await s.close();
  });

  it("WRQ is refused unless enabled; mail mode is refused", async () => {
    const s = createServer({ root, port: 0 });
    const p = (await s.listen()).port;
    expect(
      decodePacket((await ask(p, encodeRequest(2, "x", "octet"))) as Uint8Array),
    ).toMatchObject({ op: 5, code: 2 });
    expect(
      decodePacket((await ask(p, encodeRequest(1, "f1", "mail"))) as Uint8Array),
    ).toMatchObject({ op: 5, code: 4 });
    await s.close();
  });

  it("a stray packet from an unknown TID gets error 5 and the transfer goes on", async () => {
    const c = createSocket("udp4");
    const first = await new Promise<{ m: Buffer; port: number }>((resolve) => {
      c.once("message", (m, r) => resolve({ m, port: r.port }));
      c.send(encodeRequest(1, "f513", "octet"), port, "127.0.0.1");
    });
    expect(decodePacket(first.m)).toMatchObject({ op: 3, block: 1 });
    const stray = await ask(first.port, encodeAck(1));
    expect(stray && decodePacket(stray)).toMatchObject({ op: 5, code: 5 });
    const second = await new Promise<Buffer>((resolve) => {
      c.once("message", (m) => resolve(m));
      c.send(encodeAck(1), first.port, "127.0.0.1");
    });
    expect(decodePacket(second)).toMatchObject({ op: 3, block: 2 });
    c.send(encodeAck(2), first.port, "127.0.0.1");
    await new Promise((r) => setTimeout(r, 50));
    c.close();
  });

  it("floods of garbage and RRQs from many ports stay within limits and the server keeps serving", async () => {
    const s = createServer({
      root,
      port: 0,
      maxTransfers: 10,
      maxPerClient: 5,
      engine: { maxRetries: 1, rto: { timeout: () => 200 } },
    });
    const p = (await s.listen()).port;
    const socks = Array.from({ length: 40 }, () => createSocket("udp4"));
    for (const [i, so] of socks.entries()) {
      so.on("message", () => {}); // never ACK: transfers time out
      so.send(
        i % 2 ? randomBytes(1 + (i % 30)) : encodeRequest(1, "f1048576", "octet"),
        p,
        "127.0.0.1",
      );
    }
    await new Promise((r) => setTimeout(r, 150));
    expect(s.stats.active).toBeLessThanOrEqual(5);
    expect(s.stats.malformed + s.stats.refused).toBeGreaterThan(0);
    // After the abandoned transfers time out (bounded retries), a normal client is served.
    await new Promise((r) => setTimeout(r, 700));
    expect(s.stats.active).toBe(0);
    const d = await collect(get(`tftp://127.0.0.1:${p}/f513`, { dallyMs: 10 }));
    expect(sha(d)).toBe(sha(files.f513 as Buffer));
    for (const so of socks) so.close();
    await s.close();
  });

  it("no retransmission storm toward a peer that never answers", async () => {
    const s = createServer({
      root,
      port: 0,
      engine: { maxRetries: 3, rto: { timeout: (a: number) => 50 * 2 ** a } },
    });
    const p = (await s.listen()).port;
    const c = createSocket("udp4");
    let got = 0;
    c.on("message", () => got++);
    c.send(
      encodeRequest(1, "f1048576", "octet", [{ name: "windowsize", value: "8" }]),
      p,
      "127.0.0.1",
    );
    await new Promise((r) => setTimeout(r, 1200));
    // OACK once + 3 retransmissions, then silence.
    expect(got).toBe(4);
    expect(s.stats.failed).toBe(1);
    c.close();
    await s.close();
  });
});

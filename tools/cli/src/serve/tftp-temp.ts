/**
 * TEMPORARY (issue 9): a small read-only TFTP server (RFC 1350 + options 2347/2348/2349 blksize,
 * tsize, timeout) for `pxe serve`, to be replaced by `@pxe/tftp`'s Node server (`createServer`
 * from `@pxe/tftp/node`) once that package exports it. Lock-step transfers, windowsize is not
 * acknowledged (so clients fall back to one block per ACK), bounded retransmissions.
 */
import { createSocket, type Socket } from "node:dgram";
import { open } from "node:fs/promises";
import type { FileTree } from "./files.js";

/** A finished (or failed) transfer, for the server's log. */
export interface TftpTransferLog {
  client: string;
  file: string;
  ok: boolean;
  bytes: number;
  ms: number;
  blksize: number;
  error?: string;
}

/** Options of {@link startTftpTemp}. */
export interface TftpTempOptions {
  tree: FileTree;
  address: string;
  port: number;
  onTransfer?: (t: TftpTransferLog) => void;
  onMalformed?: (from: string, why: string) => void;
  /** Generated files (checked before the tree): the content for a name, or undefined. */
  virtual?: (name: string) => Uint8Array | undefined;
  /** Retransmission timeout in ms (default 1000) and tries (default 5). */
  timeoutMs?: number;
  retries?: number;
}

/** A running server. */
export interface TftpTempServer {
  port: number;
  close(): Promise<void>;
  stats: { requests: number; malformed: number; transfers: number; errors: number };
}

const enc = new TextEncoder();

function errorPacket(code: number, msg: string): Uint8Array {
  const m = enc.encode(msg);
  const b = new Uint8Array(5 + m.length);
  b[1] = 5;
  b[3] = code;
  b.set(m, 4);
  return b;
}

/** Parses an RRQ/WRQ: [opcode, filename, mode, options]; undefined when malformed. */
function parseRequest(
  b: Uint8Array,
): { op: number; file: string; mode: string; opts: Map<string, string> } | undefined {
  if (b.length < 4) return undefined;
  const op = ((b[0] ?? 0) << 8) | (b[1] ?? 0);
  const strs: string[] = [];
  let start = 2;
  for (let i = 2; i < b.length; i++) {
    if (b[i] === 0) {
      strs.push(new TextDecoder("latin1").decode(b.subarray(start, i)));
      start = i + 1;
    }
  }
  if (start !== b.length || strs.length < 2 || strs.length % 2 !== 0) return undefined;
  const opts = new Map<string, string>();
  for (let i = 2; i + 1 < strs.length; i += 2)
    opts.set((strs[i] ?? "").toLowerCase(), strs[i + 1] ?? "");
  return { op, file: strs[0] ?? "", mode: (strs[1] ?? "").toLowerCase(), opts };
}

/** The read/close subset of a FileHandle, over bytes in memory. */
function memoryFile(data: Uint8Array) {
  return {
    read: async (buf: Uint8Array, off: number, len: number, pos: number) => {
      const part = data.subarray(pos, pos + len);
      buf.set(part, off);
      return { bytesRead: part.length };
    },
    close: async () => {},
  };
}

/** Starts the temporary TFTP server on `address:port`. */
export async function startTftpTemp(o: TftpTempOptions): Promise<TftpTempServer> {
  const stats = { requests: 0, malformed: 0, transfers: 0, errors: 0 };
  const active = new Set<Socket>();
  const timeoutMs = o.timeoutMs ?? 1000;
  const retries = o.retries ?? 5;
  const sock = createSocket({ type: "udp4", reuseAddr: true });
  sock.on("error", () => {});
  sock.on("message", (msg, rinfo) => {
    const from = `${rinfo.address}:${rinfo.port}`;
    const req = parseRequest(new Uint8Array(msg.buffer, msg.byteOffset, msg.byteLength));
    if (!req || (req.op !== 1 && req.op !== 2)) {
      stats.malformed++;
      o.onMalformed?.(from, req ? `opcode ${req.op} on the listening port` : "not a TFTP request");
      return;
    }
    stats.requests++;
    void transfer(req, rinfo.address, rinfo.port).catch(() => {
      stats.errors++;
    });
  });

  async function transfer(
    req: { op: number; file: string; mode: string; opts: Map<string, string> },
    host: string,
    port: number,
  ): Promise<void> {
    const t0 = Date.now();
    const s = createSocket("udp4");
    active.add(s);
    s.on("error", () => {});
    await new Promise<void>((res) =>
      s.bind(0, o.address === "0.0.0.0" ? undefined : o.address, res),
    );
    const send = (b: Uint8Array) => s.send(b, port, host);
    // An error is the last packet: close the socket only once it has left.
    const sendLast = (b: Uint8Array) =>
      new Promise<void>((res) => s.send(b, port, host, () => res()));
    const log = (ok: boolean, bytes: number, blksize: number, error?: string) => {
      if (ok) stats.transfers++;
      else stats.errors++;
      o.onTransfer?.({
        client: `${host}:${port}`,
        file: req.file,
        ok,
        bytes,
        ms: Date.now() - t0,
        blksize,
        ...(error === undefined ? {} : { error }),
      });
    };
    const finish = () => {
      active.delete(s);
      s.close();
    };
    if (req.op === 2) {
      await sendLast(errorPacket(2, "read-only server"));
      log(false, 0, 512, "write refused");
      return finish();
    }
    if (req.mode !== "octet" && req.mode !== "netascii") {
      await sendLast(errorPacket(4, "unsupported mode"));
      log(false, 0, 512, `mode ${req.mode}`);
      return finish();
    }
    const v = o.virtual?.(req.file);
    const r = v ? ({ ok: true, path: "", size: v.length } as const) : o.tree.resolve(req.file);
    if (!r.ok) {
      await sendLast(
        errorPacket(
          r.reason === "not-found" ? 1 : 2,
          r.reason === "not-found" ? "File not found" : "Access violation",
        ),
      );
      log(false, 0, 512, r.reason);
      return finish();
    }
    const fh = v ? memoryFile(v) : await open(r.path, "r").catch(() => undefined);
    if (!fh) {
      await sendLast(errorPacket(2, "Access violation"));
      log(false, 0, 512, "open failed");
      return finish();
    }
    const size = r.size;
    let blksize = 512;
    const oack: string[] = [];
    const bs = req.opts.get("blksize");
    if (bs !== undefined && /^\d+$/.test(bs)) {
      blksize = Math.max(8, Math.min(65464, Number(bs), 1468));
      oack.push("blksize", String(blksize));
    }
    if (req.opts.has("tsize")) oack.push("tsize", String(size));
    const to = req.opts.get("timeout");
    let tmo = timeoutMs;
    if (to !== undefined && /^\d+$/.test(to) && Number(to) >= 1 && Number(to) <= 255) {
      tmo = Number(to) * 1000;
      oack.push("timeout", to);
    }
    // Sends `pkt` and waits for the ACK of `block` (retransmitting); resolves false on give-up.
    const exchange = (pkt: Uint8Array, block: number): Promise<"ack" | "error" | "timeout"> =>
      new Promise((res) => {
        let tries = 0;
        let timer: NodeJS.Timeout | undefined;
        const onMsg = (m: Buffer, ri: { address: string; port: number }) => {
          if (ri.port !== port || ri.address !== host) {
            s.send(errorPacket(5, "Unknown transfer ID"), ri.port, ri.address);
            return;
          }
          const op = m.length >= 4 ? m.readUInt16BE(0) : 0;
          if (op === 5) return done("error");
          if (op === 4 && m.readUInt16BE(2) === (block & 0xffff)) return done("ack");
          // duplicate or stale ACK: ignore (no Sorcerer's Apprentice resend)
        };
        const fire = () => {
          if (tries++ >= retries) return done("timeout");
          send(pkt);
          timer = setTimeout(fire, tmo);
        };
        const done = (v: "ack" | "error" | "timeout") => {
          if (timer) clearTimeout(timer);
          s.off("message", onMsg);
          res(v);
        };
        s.on("message", onMsg);
        fire();
      });
    try {
      if (oack.length > 0) {
        const body = enc.encode(`${oack.join("\0")}\0`);
        const p = new Uint8Array(2 + body.length);
        p[1] = 6;
        p.set(body, 2);
        const a = await exchange(p, 0);
        if (a !== "ack") {
          // EDK2 probes the size with tsize and then aborts (error 8): not a failure of ours.
          log(
            a === "error",
            0,
            blksize,
            a === "error" ? "client ended after OACK" : "no ACK to OACK",
          );
          return;
        }
      }
      let block = 1;
      let sent = 0;
      // Read ahead 128 blocks at a time: one file-system round trip per 128 DATA packets.
      const chunk = new Uint8Array(blksize * 128);
      let chunkStart = 0;
      let chunkLen = 0;
      const pkt = new Uint8Array(4 + blksize);
      for (;;) {
        if (sent >= chunkStart + chunkLen) {
          chunkStart = sent;
          chunkLen = (await fh.read(chunk, 0, chunk.length, sent)).bytesRead;
        }
        const off = sent - chunkStart;
        const n = Math.min(blksize, chunkLen - off);
        pkt[0] = 0;
        pkt[1] = 3;
        pkt[2] = (block >> 8) & 255;
        pkt[3] = block & 255;
        pkt.set(chunk.subarray(off, off + n), 4);
        const a = await exchange(pkt.subarray(0, 4 + n), block);
        if (a !== "ack") {
          log(false, sent, blksize, a === "error" ? "client sent an error" : "timeout");
          return;
        }
        sent += n;
        if (n < blksize) break;
        block = (block + 1) & 0xffff;
      }
      log(true, sent, blksize);
    } finally {
      await fh.close();
      finish();
    }
  }

  await new Promise<void>((res, rej) => {
    sock.once("error", rej);
    sock.bind(o.port, o.address, () => {
      sock.off("error", rej);
      res();
    });
  });
  return {
    port: sock.address().port,
    stats,
    close: async () => {
      for (const s of active) s.close();
      active.clear();
      await new Promise<void>((res) => sock.close(() => res()));
    },
  };
}

/**
 * Asks a server once what it grants: sends an RRQ with blksize/windowsize/tsize, reads the
 * first reply (OACK, DATA = no options accepted, or ERROR) and aborts the transfer with an
 * ERROR packet. Self-contained on purpose (the benchmark must not depend on the codec it
 * measures).
 */
import { createSocket } from "node:dgram";

/** What the server answered. */
export interface ProbeResult {
  /** "oack" | "data" | "error" | "timeout" */
  kind: string;
  /** Granted options (OACK), e.g. { blksize: "1468", windowsize: "16" }. */
  options: Record<string, string>;
  /** Short human summary, e.g. "blksize=1468 windowsize=16 tsize=67108864". */
  summary: string;
}

function rrq(file: string, opts: Record<string, string>): Buffer {
  const parts: Buffer[] = [Buffer.from([0, 1]), Buffer.from(`${file}\0octet\0`, "latin1")];
  for (const [k, v] of Object.entries(opts)) parts.push(Buffer.from(`${k}\0${v}\0`, "latin1"));
  return Buffer.concat(parts);
}

function parseOack(msg: Buffer): Record<string, string> {
  const fields = msg.subarray(2).toString("latin1").split("\0");
  const out: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i]) out[fields[i]!.toLowerCase()] = fields[i + 1] ?? "";
  }
  return out;
}

/** Probes `host:port` for `file` with the given options; tries `tries` times, 1 s each. */
export async function probe(
  host: string,
  port: number,
  file: string,
  blksize: number,
  windowsize: number,
  tries = 3,
): Promise<ProbeResult> {
  const opts: Record<string, string> = { blksize: String(blksize), tsize: "0" };
  if (windowsize > 1) opts.windowsize = String(windowsize);
  for (let attempt = 0; attempt < tries; attempt++) {
    const sock = createSocket("udp4");
    try {
      const res = await new Promise<ProbeResult | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), 1000);
        sock.on("message", (msg, rinfo) => {
          clearTimeout(timer);
          const op = msg.readUInt16BE(0);
          // abort politely: ERROR 0 "probe done" to the server's transfer port
          const abort = Buffer.concat([Buffer.from([0, 5, 0, 0]), Buffer.from("probe done\0")]);
          if (op !== 5) sock.send(abort, rinfo.port, rinfo.address);
          if (op === 6) {
            const o = parseOack(msg);
            const summary = Object.entries(o)
              .map(([k, v]) => `${k}=${v}`)
              .join(" ");
            resolve({ kind: "oack", options: o, summary });
          } else if (op === 3) {
            resolve({ kind: "data", options: {}, summary: "no OACK (options ignored)" });
          } else if (op === 5) {
            const text = msg.subarray(4).toString("latin1").replace(/\0.*$/, "");
            resolve({
              kind: "error",
              options: {},
              summary: `ERROR ${msg.readUInt16BE(2)} ${text}`,
            });
          } else resolve({ kind: "other", options: {}, summary: `opcode ${op}` });
        });
        sock.send(rrq(file, opts), port, host);
      });
      if (res) {
        await new Promise((r) => setTimeout(r, 50)); // let the abort leave
        return res;
      }
    } finally {
      sock.close();
    }
  }
  return { kind: "timeout", options: {}, summary: "no answer" };
}

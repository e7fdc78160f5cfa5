import { createReadStream, promises as fsp } from "node:fs";
import path from "node:path";
import { pipeline } from "node:stream/promises";
import {
  createServer,
  get,
  getFile,
  parseTftpUrl,
  put,
  type TftpClientOptions,
} from "@pxe/tftp/node";
import { loadUdpBatch } from "@pxe/udp-batch";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";

function int(name: string, min: number, max: number): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^[0-9]+$/.test(v) || n < min || n > max)
      throw new Error(`--${name} must be an integer in ${min}..${max}`);
    return n;
  };
}

interface ClientFlags {
  blksize?: number;
  windowsize?: number;
  timeout?: number;
  netascii?: boolean;
  tsize?: boolean;
  batch?: boolean;
}

function clientOptions(f: ClientFlags): TftpClientOptions {
  const o: TftpClientOptions = {};
  if (f.blksize !== undefined) o.blksize = f.blksize;
  if (f.windowsize !== undefined) o.windowsize = f.windowsize;
  if (f.timeout !== undefined) o.timeout = f.timeout;
  if (f.netascii) o.mode = "netascii";
  if (f.tsize === false) o.tsize = false;
  if (f.batch !== false) o.batch = loadUdpBatch();
  return o;
}

function addClientFlags(c: Command): Command {
  return c
    .option("--blksize <n>", "block size to ask for (8..65464)", int("blksize", 8, 65464))
    .option(
      "--windowsize <n>",
      "window size to ask for (RFC 7440, 1..65535)",
      int("windowsize", 1, 65535),
    )
    .option("--timeout <s>", "timeout option in seconds (1..255)", int("timeout", 1, 255))
    .option("--netascii", "netascii mode (CR LF line ends on the wire)")
    .option("--no-tsize", "do not ask for / send the transfer size")
    .option("--no-batch", "plain dgram I/O even where @pxe/udp-batch (sendmmsg/recvmmsg) is built");
}

function fail(cmd: string, e: unknown): void {
  process.stderr.write(`pxe tftp ${cmd}: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}

/**
 * `pxe tftp serve|get|put`: a TFTP server on a folder and a client. Exit 0 on success, 1 when a
 * transfer fails, 2 on bad flags (commander).
 */
export function registerTftp(program: Command): void {
  const tftp = program
    .command("tftp")
    .description("TFTP server and client (RFC 1350/2347/2348/2349/7440)");

  tftp
    .command("serve")
    .description("serve a folder by TFTP until interrupted")
    .requiredOption("--root <dir>", "folder to serve (requests are jailed into it)")
    .option("--address <ip>", "address to listen on", "127.0.0.1")
    .option("--port <n>", "UDP port", int("port", 0, 65535), 69)
    .option("--allow-write", "accept WRQ (uploads into the root)")
    .option("--max-blksize <n>", "largest blksize granted", int("max-blksize", 8, 65464), 1468)
    .option(
      "--max-windowsize <n>",
      "largest windowsize granted",
      int("max-windowsize", 1, 65535),
      64,
    )
    .option("--quiet", "do not log transfers")
    .option("--no-batch", "plain dgram I/O even where @pxe/udp-batch (sendmmsg/recvmmsg) is built")
    .action(
      async (f: {
        root: string;
        address: string;
        port: number;
        allowWrite?: boolean;
        maxBlksize: number;
        maxWindowsize: number;
        quiet?: boolean;
        batch?: boolean;
      }) => {
        const ac = new AbortController();
        const server = createServer({
          root: f.root,
          address: f.address,
          port: f.port,
          write: f.allowWrite === true,
          maxBlksize: f.maxBlksize,
          maxWindowsize: f.maxWindowsize,
          signal: ac.signal,
          batch: f.batch === false ? undefined : loadUdpBatch(),
        });
        if (!f.quiet) {
          server.on("transferFinish", (i) =>
            process.stderr.write(
              `${i.kind} ${i.path} ${i.address}:${i.port} ${i.bytes} bytes in ${i.durationMs.toFixed(0)} ms (blksize ${i.params?.blksize}, windowsize ${i.params?.windowsize})\n`,
            ),
          );
          server.on("transferFail", (i) =>
            process.stderr.write(
              `${i.kind} ${i.path} ${i.address}:${i.port} failed: ${i.error?.kind} ${i.error?.code} ${i.error?.message}\n`,
            ),
          );
        }
        try {
          const a = await server.listen();
          process.stderr.write(
            `pxe tftp: serving ${path.resolve(f.root)} on ${a.address}:${a.port}${f.allowWrite ? " (writes allowed)" : ""}\n`,
          );
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          fail(
            "serve",
            `cannot listen: ${err.message}${err.code === "EACCES" ? " (port 69 needs root; try --port 6969)" : ""}`,
          );
          process.exitCode = 2;
          return;
        }
        await new Promise<void>((resolve) => {
          const stop = () => resolve();
          process.once("SIGINT", stop);
          process.once("SIGTERM", stop);
        });
        ac.abort();
        await server.close();
        process.stderr.write(`pxe tftp: stopped (${JSON.stringify(server.stats)})\n`);
      },
    );

  addClientFlags(
    tftp
      .command("get")
      .description("download tftp://HOST[:PORT]/PATH")
      .argument("<url>", "tftp://host[:port]/path")
      .option(
        "-o, --output <file>",
        "where to write ('-' for stdout; default: the file's base name)",
      ),
  ).action(async (url: string, f: ClientFlags & { output?: string }) => {
    let target: ReturnType<typeof parseTftpUrl>;
    try {
      target = parseTftpUrl(url);
    } catch (e) {
      fail("get", e);
      process.exitCode = 2;
      return;
    }
    const out = f.output ?? path.basename(target.path.replace(/\\/g, "/"));
    if (out === "-") {
      try {
        await pipeline(get(url, clientOptions(f)), process.stdout);
      } catch (e) {
        fail("get", e);
      }
      return;
    }
    // getFile writes beside `out` under a temporary name and renames it once complete.
    let bar: SingleBar | undefined;
    if (process.stderr.isTTY)
      bar = new SingleBar({
        format: "{bar} {percentage}% {value}/{total} bytes",
        stream: process.stderr,
      });
    let started = false;
    try {
      await getFile(url, out, {
        ...clientOptions(f),
        onProgress: (bytes, tsize) => {
          if (!bar || !tsize) return;
          if (!started) bar.start(tsize, bytes);
          else bar.update(bytes);
          started = true;
        },
      });
      if (started) bar?.stop();
    } catch (e) {
      if (started) bar?.stop();
      fail("get", e);
    }
  });

  addClientFlags(
    tftp
      .command("put")
      .description("upload FILE as tftp://HOST[:PORT]/PATH")
      .argument("<file>", "local file")
      .argument("<url>", "tftp://host[:port]/path"),
  ).action(async (file: string, url: string, f: ClientFlags) => {
    try {
      const st = await fsp.stat(file);
      const r = await put(url, createReadStream(file, { highWaterMark: 256 * 1024 }), {
        ...clientOptions(f),
        size: st.size,
      });
      process.stderr.write(
        `pxe tftp put: ${r.bytes} bytes sent (blksize ${r.params.blksize}, windowsize ${r.params.windowsize})\n`,
      );
    } catch (e) {
      fail("put", e);
    }
  });
}

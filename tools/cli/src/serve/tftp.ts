/**
 * The TFTP side of `pxe serve`: `@pxe/tftp`'s Node server (`createServer` from `@pxe/tftp/node`)
 * reading through the same {@link FileTree} as HTTP (root, then Debian's iPXE binaries), plus the
 * generated per-client scripts when HTTP is off. One log line per finished or failed transfer.
 */
import { createReadStream } from "node:fs";
import { createServer, TftpRefusal, type TftpServer, type TransferInfo } from "@pxe/tftp/node";
import { loadUdpBatch } from "@pxe/udp-batch";
import type { FileTree } from "./files.js";

/** A finished (or failed) transfer, for the server's log. */
export interface TftpTransferLog {
  client: string;
  file: string;
  ok: boolean;
  bytes: number;
  ms: number;
  blksize: number | undefined;
  error?: string;
}

/** Options of {@link startTftp}. */
export interface TftpOptions {
  tree: FileTree;
  address: string;
  port: number;
  onTransfer?: (t: TftpTransferLog) => void;
  /** Generated files (checked before the tree): the content for a name, or undefined. */
  virtual?: (name: string) => Uint8Array | undefined;
}

/** A running TFTP server. */
export interface TftpHandle {
  port: number;
  server: TftpServer;
  close(): Promise<void>;
}

/** Starts the TFTP server on `address:port` (port 0: any free port). */
export async function startTftp(o: TftpOptions): Promise<TftpHandle> {
  const server = createServer({
    address: o.address,
    port: o.port,
    // Windows (EDK2 asks for one) go out in one sendmmsg where @pxe/udp-batch is built.
    batch: loadUdpBatch(),
    read: (name) => {
      const v = o.virtual?.(name);
      if (v) return v;
      const r = o.tree.resolve(name);
      if (!r.ok) {
        if (r.reason === "not-found") return undefined;
        throw new TftpRefusal(2, "Access violation");
      }
      return { size: r.size, data: createReadStream(r.path) };
    },
  });
  const log = (t: TransferInfo, ok: boolean) =>
    o.onTransfer?.({
      client: `${t.address}:${t.port}`,
      file: t.path,
      ok,
      bytes: t.bytes,
      ms: Math.round(t.durationMs),
      blksize: t.params?.blksize,
      ...(t.error ? { error: `${t.error.kind} ${t.error.code} ${t.error.message}` } : {}),
    });
  server.on("transferFinish", (t) => log(t, true));
  server.on("transferFail", (t) => log(t, false));
  server.on("error", () => {});
  const a = await server.listen();
  return { port: a.port, server, close: () => server.close() };
}

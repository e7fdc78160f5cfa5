/**
 * The HTTP side of `pxe serve` (node:http): GET and HEAD of the served tree, and `/boot.ipxe`,
 * the per-client iPXE script. Paths that would leave the root are refused (403) like over TFTP;
 * a HEAD answer carries no body (EDK2's HTTP boot sends HEAD before GET).
 */
import { createReadStream } from "node:fs";
import { createServer, type Server } from "node:http";
import type { FileTree } from "./files.js";

/** One answered request, for the log. */
export interface HttpLog {
  client: string;
  method: string;
  path: string;
  status: number;
  bytes: number;
  ms: number;
}

/** Options of {@link startHttp}. */
export interface HttpOptions {
  tree: FileTree;
  address: string;
  port: number;
  /** Generates the script for `/boot.ipxe` from its query parameters. */
  script: (query: URLSearchParams) => string;
  onRequest?: (l: HttpLog) => void;
}

/** A running HTTP server. */
export interface HttpServerHandle {
  port: number;
  server: Server;
  stats: { requests: number; refused: number; notFound: number; malformed: number };
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  ipxe: "text/plain; charset=utf-8",
  txt: "text/plain; charset=utf-8",
  cfg: "text/plain; charset=utf-8",
  efi: "application/efi",
  iso: "application/octet-stream",
};

/** Starts the HTTP server on `address:port` (port 0: any free port). */
export async function startHttp(o: HttpOptions): Promise<HttpServerHandle> {
  const stats = { requests: 0, refused: 0, notFound: 0, malformed: 0 };
  const server = createServer((req, res) => {
    const t0 = Date.now();
    stats.requests++;
    const client = `${req.socket.remoteAddress ?? "?"}:${req.socket.remotePort ?? 0}`;
    const method = req.method ?? "?";
    let path = req.url ?? "";
    const done = (status: number, bytes: number) =>
      o.onRequest?.({ client, method, path, status, bytes, ms: Date.now() - t0 });
    const fail = (status: number, text: string) => {
      const body = `${text}\n`;
      res.writeHead(status, {
        "content-type": "text/plain; charset=utf-8",
        "content-length": Buffer.byteLength(body),
      });
      res.end(method === "HEAD" ? undefined : body);
      done(status, 0);
    };
    if (method !== "GET" && method !== "HEAD") return fail(405, "method not allowed");
    let url: URL;
    let decoded: string;
    try {
      // Check the raw path before URL normalisation folds `..` away: refuse, do not reinterpret.
      const raw = decodeURIComponent(path.split("?")[0] ?? "");
      if (raw.split("/").includes("..") || raw.includes("\\") || raw.includes("\0")) {
        stats.refused++;
        path = raw;
        return fail(403, "forbidden");
      }
      url = new URL(path, "http://x");
      decoded = decodeURIComponent(url.pathname);
      path = decoded;
    } catch {
      stats.malformed++;
      return fail(400, "bad request");
    }
    if (decoded === "/boot.ipxe") {
      const body = Buffer.from(o.script(url.searchParams));
      res.writeHead(200, {
        "content-type": TYPES.ipxe,
        "content-length": body.length,
        "cache-control": "no-store",
      });
      res.end(method === "HEAD" ? undefined : body);
      return done(200, method === "HEAD" ? 0 : body.length);
    }
    const r = o.tree.resolve(decoded);
    if (!r.ok) {
      if (r.reason === "not-found") {
        stats.notFound++;
        return fail(404, "not found");
      }
      stats.refused++;
      return fail(403, "forbidden");
    }
    const ext = r.path.split(".").pop() ?? "";
    res.writeHead(200, {
      "content-type": TYPES[ext] ?? "application/octet-stream",
      "content-length": r.size,
    });
    if (method === "HEAD") {
      res.end();
      return done(200, 0);
    }
    const stream = createReadStream(r.path);
    stream.on("error", () => res.destroy());
    res.on("close", () =>
      done(res.writableFinished ? 200 : 499, res.writableFinished ? r.size : 0),
    );
    stream.pipe(res);
  });
  server.on("clientError", (_err, socket) => {
    stats.malformed++;
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
    else socket.destroy();
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((res, rej) => {
    server.once("error", rej);
    server.listen(o.port, o.address, () => {
      server.off("error", rej);
      res();
    });
  });
  const addr = server.address();
  return {
    port: typeof addr === "object" && addr ? addr.port : o.port,
    server,
    stats,
    close: () =>
      new Promise<void>((res) => {
        server.closeAllConnections();
        server.close(() => res());
      }),
  };
}

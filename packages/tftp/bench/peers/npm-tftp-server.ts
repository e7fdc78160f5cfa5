/**
 * Runs the npm package `tftp` 0.1.2 (node-tftp) as a read-only server for the benchmark.
 * Its own CLI cannot be scripted (exit code 0 on errors, "host:port" parsed as a host), and
 * it clamps blksize/windowsize to its configured values (defaults 1468 / 4), so the limits
 * are raised here to let the client's request decide, like the C servers do.
 *
 *   npm-tftp-server.ts <host> <port> <root>
 */
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface NodeTftpServer {
  on(ev: "error", cb: (e: Error) => void): void;
  on(ev: "listening", cb: () => void): void;
  listen(): void;
  close(): void;
}
interface NodeTftp {
  createServer(o: Record<string, unknown>): NodeTftpServer;
}

const [host, port, root] = process.argv.slice(2);
if (!host || !port || !root) {
  console.error("usage: npm-tftp-server.ts <host> <port> <root>");
  process.exit(2);
}
const here = path.dirname(fileURLToPath(import.meta.url));
const tftp = createRequire(path.join(here, "../../package.json"))("tftp") as NodeTftp;
const server = tftp.createServer({
  host,
  port: Number(port),
  root,
  blockSize: 65464,
  windowSize: 65535,
  denyPUT: true,
});
server.on("error", (e) => {
  console.error(`npm-tftp server error: ${e.message}`);
  process.exit(1);
});
server.on("listening", () => console.error(`npm-tftp listening on ${host}:${port}`));
server.listen();
for (const sig of ["SIGTERM", "SIGINT"] as const) {
  process.on(sig, () => {
    server.close();
    process.exit(0);
  });
}

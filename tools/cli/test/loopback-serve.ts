/**
 * `pxe serve` on loopback for the network tests: a temporary root holding the given files,
 * ephemeral ports, and a UDP client socket (4 MiB receive buffer) that DHCP replies are sent to.
 */
import { createSocket, type Socket } from "node:dgram";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ServeHandle, type ServeOptions, startServe } from "../src/serve/server.js";

export interface LoopbackServe {
  readonly root: string;
  readonly srv: ServeHandle;
  readonly client: Socket;
  /** Every line the server logged. */
  readonly logs: string[];
  /** Stops the server, closes the client and removes the root. */
  close(): Promise<void>;
}

/**
 * Starts it. `options` adds to (or overrides) the loopback settings: address 127.0.0.1/8, all
 * ports ephemeral, no wildcard binding; `root` is set, the log collected.
 */
export async function startLoopbackServe(
  name: string,
  files: Record<string, string | Uint8Array>,
  options: Partial<ServeOptions> | ((root: string) => Partial<ServeOptions>),
): Promise<LoopbackServe> {
  const root = mkdtempSync(join(tmpdir(), `pxe-serve-${name}-`));
  for (const [f, data] of Object.entries(files)) writeFileSync(join(root, f), data);
  const client = createSocket("udp4");
  await new Promise<void>((r) => client.bind(0, "127.0.0.1", r));
  client.setRecvBufferSize(4 * 1024 * 1024);
  const logs: string[] = [];
  const srv = await startServe({
    root,
    address: "127.0.0.1",
    prefix: 8,
    netmask: "255.0.0.0",
    dhcp: "proxy",
    dhcpPort: 0,
    dhcpClientPort: client.address().port,
    pxePort: 0,
    tftpPort: 0,
    httpPort: 0,
    bindAny: false,
    log: (l) => logs.push(l),
    ...(typeof options === "function" ? options(root) : options),
  });
  return {
    root,
    srv,
    client,
    logs,
    async close() {
      await srv.close();
      client.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

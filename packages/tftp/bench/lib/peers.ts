/**
 * The servers and clients the TFTP benchmarks run, as argv templates. Each server runs in
 * the foreground and is stopped by PID; each client exits 0 only on success.
 */
import path from "node:path";
import { BENCH_DIR, batchAvailable, have, nodeTftpDir, oursAvailable } from "./setup.js";

/** A TFTP server under test. */
export interface ServerDef {
  name: string;
  /** Fixed port (dnsmasq's TFTP port cannot be changed), else the harness picks one. */
  fixedPort?: number;
  /** Why it cannot run here, or undefined when it can. */
  unavailable(): string | undefined;
  /** argv to start it in the foreground serving `root` read-only on udp host:port. */
  argv(host: string, port: number, root: string, work: string): string[];
}

/** A TFTP client under test. */
export interface ClientDef {
  name: string;
  /** Whether it can ask for a windowsize (rows with windowsize > 1 are skipped if not). */
  windows: boolean;
  unavailable(): string | undefined;
  /** argv to download `file` into `out`. */
  argv(o: {
    host: string;
    port: number;
    file: string;
    out: string;
    blksize: number;
    windowsize: number;
    timeoutS?: number;
    /** A small file on the same server for clients that warm up first. */
    warmFile?: string;
  }): string[];
}

/** argv prefix to run a TypeScript file of this package from source (tsx + @pxe/source). */
export function tsNode(): string[] {
  const tsx = import.meta.resolve("tsx");
  return [process.execPath, "--conditions=@pxe/source", "--import", tsx];
}

/** Every server the harness knows, keyed by name. */
export function serverDefs(atftpdBin: string | undefined): Map<string, ServerDef> {
  const defs: ServerDef[] = [
    {
      name: "tftpd-hpa",
      unavailable: () => (have("in.tftpd") ? undefined : "in.tftpd not installed"),
      // -L: stay in the foreground, fork per transfer; -s: chroot to root; read-only.
      argv: (host, port, root) => [
        "in.tftpd",
        "-L",
        "-a",
        `${host}:${port}`,
        "-s",
        root,
        "-u",
        "nobody",
      ],
    },
    {
      name: "atftpd",
      unavailable: () => (atftpdBin ? undefined : "atftpd not available (apt-get download failed)"),
      argv: (host, port, root) => [
        atftpdBin ?? "atftpd",
        "--daemon",
        "--no-fork",
        "--port",
        String(port),
        "--bind-address",
        host,
        "--user",
        "nobody",
        "--group",
        "nogroup",
        "--logfile",
        "/dev/null",
        root,
      ],
    },
    {
      name: "dnsmasq",
      fixedPort: 69,
      unavailable: () =>
        !have("dnsmasq")
          ? "dnsmasq not installed"
          : process.getuid?.() !== 0
            ? "dnsmasq needs root (fixed port 69)"
            : undefined,
      argv: (host, _port, root, work) => [
        "dnsmasq",
        "--keep-in-foreground",
        "--conf-file=/dev/null",
        "--port=0",
        "--enable-tftp",
        `--tftp-root=${root}`,
        `--listen-address=${host}`,
        "--bind-interfaces",
        `--pid-file=${path.join(work, "dnsmasq.pid")}`,
        "--log-facility=/dev/null",
      ],
    },
    {
      name: "npm-tftp",
      unavailable: () => (nodeTftpDir() ? undefined : "npm tftp 0.1.2 not installed"),
      argv: (host, port, root) => [
        ...tsNode(),
        path.join(BENCH_DIR, "peers/npm-tftp-server.ts"),
        host,
        String(port),
        root,
      ],
    },
    oursServer("ours", false),
    // the same server with batch: @pxe/udp-batch (one sendmmsg per window)
    oursServer("ours-batch", true),
  ];
  return new Map(defs.map((d) => [d.name, d]));
}

/** Every client the harness knows, keyed by name. */
export function clientDefs(): Map<string, ClientDef> {
  const defs: ClientDef[] = [
    {
      name: "atftp",
      windows: true,
      unavailable: () => (have("atftp") ? undefined : "atftp not installed"),
      argv: ({ host, port, file, out, blksize, windowsize, timeoutS }) => [
        "atftp",
        ...(timeoutS
          ? ["--tftp-timeout", String(timeoutS), "--option", `timeout ${timeoutS}`]
          : []),
        "--option",
        `blksize ${blksize}`,
        ...(windowsize > 1 ? ["--option", `windowsize ${windowsize}`] : []),
        // RFC 2349: an RRQ carries "tsize 0". atftp's "tsize enable" sends a value the npm
        // tftp server rejects (ERROR 8 "The request has been denied").
        "--option",
        "tsize 0",
        "-g",
        "-r",
        file,
        "-l",
        out,
        host,
        String(port),
      ],
    },
    {
      name: "curl",
      windows: false,
      unavailable: () => (have("curl") ? undefined : "curl not installed"),
      argv: ({ host, port, file, out, blksize }) => [
        "curl",
        "-sS",
        "--tftp-blksize",
        String(blksize),
        "-o",
        out,
        `tftp://${host}:${port}/${file}`,
      ],
    },
    // first transfer of a fresh process (cold JIT, as `pxe tftp get` runs)
    oursClient("ours", "cold"),
    // timed on a second download in the same process (JIT-compiled, as when embedded)
    oursClient("ours-warm", "warm"),
    // warm, and reading/sending through @pxe/udp-batch (recvmmsg)
    oursClient("ours-batch", "batch"),
  ];
  return new Map(defs.map((d) => [d.name, d]));
}

const unavailableOurs = (batch: boolean) => (): string | undefined =>
  !oursAvailable()
    ? "@pxe/tftp/node does not exist yet"
    : batch && !batchAvailable()
      ? "@pxe/udp-batch addon not built"
      : undefined;

/** Our server (bench/peers/ours-server.ts), with or without @pxe/udp-batch. */
function oursServer(name: string, batch: boolean): ServerDef {
  return {
    name,
    unavailable: unavailableOurs(batch),
    argv: (host, port, root) => [
      ...tsNode(),
      path.join(BENCH_DIR, "peers/ours-server.ts"),
      host,
      String(port),
      root,
      ...(batch ? ["batch"] : []),
    ],
  };
}

/** Our client (bench/peers/ours-client.ts): cold, warm, or warm with @pxe/udp-batch. */
function oursClient(name: string, mode: "cold" | "warm" | "batch"): ClientDef {
  return {
    name,
    windows: true,
    unavailable: unavailableOurs(mode === "batch"),
    argv: ({ host, port, file, out, blksize, windowsize, warmFile }) => [
      ...tsNode(),
      path.join(BENCH_DIR, "peers/ours-client.ts"),
      host,
      String(port),
      file,
      out,
      String(blksize),
      String(windowsize),
      ...(mode === "cold" ? [] : [warmFile ?? ""]),
      ...(mode === "batch" ? ["batch"] : []),
    ],
  };
}

/**
 * The loopback UDP ceiling for one datagram size: bench/c/udp-ceiling.c run as one
 * receiver (recvmmsg) and one sender (sendto, or sendmmsg with 64 per call); and the same
 * with one side replaced by Node's `node:dgram` (bench/peers/node-udp.mjs), which is the
 * ceiling of any TFTP implementation that sends or receives one datagram per dgram call.
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median, type Prefix, runBounded } from "./proc.js";

const NODE_UDP = path.join(path.dirname(fileURLToPath(import.meta.url)), "../peers/node-udp.mjs");

/** One ceiling measurement (median over repeats). */
export interface Ceiling {
  /** Datagram payload size (TFTP blksize + 4 header bytes). */
  size: number;
  /** Delivered MiB/s (payload bytes received / (last datagram - sender start)). */
  sendtoMiBs: number;
  sendmmsgMiBs: number;
  /** Share of sent datagrams the receiver never got (sender outran it), last run. */
  sendtoLoss: number;
  sendmmsgLoss: number;
  /** Node `dgram` sender (one `send` per datagram, 64 per event-loop turn) -> C receiver. */
  nodeSendMiBs: number;
  /** C sender (sendto) -> Node `dgram` receiver (one 'message' event per datagram). */
  nodeRecvMiBs: number;
  /** The same two through @pxe/udp-batch (sendmmsg of 64 / recvmmsg); NaN without the addon. */
  nodeBatchSendMiBs: number;
  nodeBatchRecvMiBs: number;
  /**
   * C sender with segmented sends (UDP GSO, 64 datagrams or 64000 bytes per sendmsg) -> C
   * receiver with coalesced reads (UDP GRO): what the kernel moves when neither side pays per
   * datagram. Not the ceiling (that is sendto / sendmmsg); shown because our batched
   * server and client use both.
   */
  gsoGroMiBs: number;
  gsoGroLoss: number;
  /** How many such datagrams a default-sized receive buffer holds (`fit` mode), and its size. */
  fitDefault: number;
  defaultRcvbuf: number;
}

type Side = "c" | "node" | "node-batch" | "c-gso";

async function once(
  bin: string,
  prefix: Prefix,
  port: number,
  size: number,
  totalBytes: number,
  batch: number,
  bufBytes: number,
  sender: Side = "c",
  receiver: Side = "c",
): Promise<{ mibs: number; loss: number }> {
  const count = Math.max(1, Math.ceil(totalBytes / size));
  const recvCmd =
    receiver === "c" || receiver === "c-gso"
      ? [
          bin,
          "recv",
          String(port),
          String(count),
          "300",
          String(bufBytes),
          ...(receiver === "c-gso" ? ["gro"] : []),
        ]
      : [
          process.execPath,
          NODE_UDP,
          receiver === "node" ? "recv" : "recv-batch",
          String(port),
          String(count),
          "300",
        ];
  const sendCmd =
    sender === "c" || sender === "c-gso"
      ? [
          bin,
          sender === "c" ? "send" : "sendgso",
          String(port),
          String(size),
          String(count),
          String(batch),
          String(bufBytes),
        ]
      : [
          process.execPath,
          NODE_UDP,
          sender === "node" ? "send" : "send-batch",
          String(port),
          String(size),
          String(count),
          "64",
        ];
  const full = [...prefix, "timeout", "30", ...recvCmd];
  const recv = spawn(full[0]!, full.slice(1), { stdio: ["ignore", "pipe", "ignore"] });
  let out = "";
  const ready = new Promise<void>((resolve) => {
    recv.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (out.includes('"ready"')) resolve();
    });
    setTimeout(resolve, 2000);
  });
  const done = new Promise<void>((resolve) => recv.on("close", () => resolve()));
  await ready;
  const s = await runBounded(sendCmd, 30, { prefix });
  await done;
  try {
    const snd = JSON.parse(s.stdout.trim().split("\n").pop() ?? "{}") as { start?: number };
    const rcv = JSON.parse(out.trim().split("\n").pop() ?? "{}") as {
      datagrams?: number;
      bytes?: number;
      last?: number;
    };
    if (!snd.start || !rcv.last || !rcv.bytes) return { mibs: Number.NaN, loss: 1 };
    return {
      mibs: rcv.bytes / (rcv.last - snd.start) / 1048576,
      loss: 1 - (rcv.datagrams ?? 0) / count,
    };
  } catch {
    return { mibs: Number.NaN, loss: 1 };
  }
}

/** Measures the ceiling for TFTP DATA of `blksize` (datagram blksize + 4). */
export async function measureCeiling(
  bin: string,
  prefix: Prefix,
  port: number,
  blksize: number,
  totalBytes: number,
  repeat: number,
  bufBytes = 4 << 20,
  /** The @pxe/udp-batch addon file (PXE_BENCH_BATCH_ADDON is set for node-udp.mjs). */
  batchAddon?: string,
): Promise<Ceiling> {
  const size = blksize + 4;
  const a: { mibs: number; loss: number }[] = [];
  const b: { mibs: number; loss: number }[] = [];
  const ns: number[] = [];
  const nr: number[] = [];
  const bs: number[] = [];
  const br: number[] = [];
  const g: { mibs: number; loss: number }[] = [];
  if (batchAddon) process.env.PXE_BENCH_BATCH_ADDON = batchAddon;
  for (let i = 0; i < repeat; i++) {
    a.push(await once(bin, prefix, port, size, totalBytes, 1, bufBytes));
    b.push(await once(bin, prefix, port, size, totalBytes, 64, bufBytes));
    g.push(await once(bin, prefix, port, size, totalBytes, 64, bufBytes, "c-gso", "c-gso"));
    ns.push((await once(bin, prefix, port, size, totalBytes, 1, bufBytes, "node", "c")).mibs);
    nr.push((await once(bin, prefix, port, size, totalBytes, 1, bufBytes, "c", "node")).mibs);
    if (batchAddon) {
      bs.push((await once(bin, prefix, port, size, totalBytes, 1, bufBytes, "node-batch")).mibs);
      br.push(
        (await once(bin, prefix, port, size, totalBytes, 64, bufBytes, "c", "node-batch")).mibs,
      );
    }
  }
  const fit = await runBounded([bin, "fit", String(size), "0"], 10, { prefix });
  let fitDefault = Number.NaN;
  let defaultRcvbuf = Number.NaN;
  try {
    const f = JSON.parse(fit.stdout.trim()) as { fit: number; rcvbuf: number };
    fitDefault = f.fit;
    defaultRcvbuf = f.rcvbuf;
  } catch {
    /* leave NaN */
  }
  return {
    size,
    fitDefault,
    defaultRcvbuf,
    sendtoMiBs: median(a.map((x) => x.mibs)),
    sendmmsgMiBs: median(b.map((x) => x.mibs)),
    sendtoLoss: a.at(-1)?.loss ?? 1,
    sendmmsgLoss: b.at(-1)?.loss ?? 1,
    nodeSendMiBs: median(ns),
    nodeRecvMiBs: median(nr),
    nodeBatchSendMiBs: bs.length ? median(bs) : Number.NaN,
    nodeBatchRecvMiBs: br.length ? median(br) : Number.NaN,
    gsoGroMiBs: median(g.map((x) => x.mibs)),
    gsoGroLoss: g.at(-1)?.loss ?? 1,
  };
}

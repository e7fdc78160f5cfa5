/**
 * The loopback UDP ceiling for one datagram size: bench/c/udp-ceiling.c run as one
 * receiver (recvmmsg) and one sender (sendto, or sendmmsg with 64 per call).
 */
import { spawn } from "node:child_process";
import { median, type Prefix, runBounded } from "./proc.js";

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
  /** How many such datagrams a default-sized receive buffer holds (`fit` mode), and its size. */
  fitDefault: number;
  defaultRcvbuf: number;
}

async function once(
  bin: string,
  prefix: Prefix,
  port: number,
  size: number,
  totalBytes: number,
  batch: number,
  bufBytes: number,
): Promise<{ mibs: number; loss: number }> {
  const count = Math.max(1, Math.ceil(totalBytes / size));
  const full = [
    ...prefix,
    "timeout",
    "30",
    bin,
    "recv",
    String(port),
    String(count),
    "300",
    String(bufBytes),
  ];
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
  const s = await runBounded(
    [bin, "send", String(port), String(size), String(count), String(batch), String(bufBytes)],
    30,
    { prefix },
  );
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
): Promise<Ceiling> {
  const size = blksize + 4;
  const a: { mibs: number; loss: number }[] = [];
  const b: { mibs: number; loss: number }[] = [];
  for (let i = 0; i < repeat; i++) {
    a.push(await once(bin, prefix, port, size, totalBytes, 1, bufBytes));
    b.push(await once(bin, prefix, port, size, totalBytes, 64, bufBytes));
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
  };
}

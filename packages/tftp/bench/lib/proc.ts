/**
 * Process helpers for the TFTP benchmarks: bounded child processes, /proc sampling of a
 * server's CPU time and resident memory, and small statistics. Linux only (reads /proc).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";

/** Result of a finished, time-bounded command. */
export interface RunResult {
  /** Exit code; 124 means `timeout` killed it, null means it died by a signal. */
  code: number | null;
  stdout: string;
  stderr: string;
  /** Wall-clock milliseconds from spawn to exit. */
  ms: number;
  /** True when the `timeout` bound fired (exit code 124 or 137). */
  timedOut: boolean;
}

/** Optional wrapper, e.g. `["ip", "netns", "exec", "ns1"]`. */
export type Prefix = readonly string[];

/**
 * Runs `argv` under coreutils `timeout -k 3 <seconds>` (so every transfer is bounded even
 * if this process dies), optionally inside a namespace prefix, and collects its output
 * (the last 64 KiB of each stream).
 */
export function runBounded(
  argv: readonly string[],
  seconds: number,
  opts: { prefix?: Prefix; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> {
  const full = [
    ...(opts.prefix ?? []),
    "timeout",
    "-k",
    "3",
    String(Math.max(1, Math.ceil(seconds))),
    ...argv,
  ];
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(full[0]!, full.slice(1), {
      stdio: ["ignore", "pipe", "pipe"],
      cwd: opts.cwd,
      env: opts.env ?? process.env,
    });
    let stdout = "";
    let stderr = "";
    const keep = (s: string, d: Buffer): string => (s + d.toString("latin1")).slice(-65536);
    child.stdout?.on("data", (d: Buffer) => {
      stdout = keep(stdout, d);
    });
    child.stderr?.on("data", (d: Buffer) => {
      stderr = keep(stderr, d);
    });
    child.on("error", (e) => {
      resolve({ code: 127, stdout, stderr: `${stderr}${e.message}`, ms: 0, timedOut: false });
    });
    child.on("close", (code) => {
      const ms = performance.now() - t0;
      resolve({ code, stdout, stderr, ms, timedOut: code === 124 || code === 137 });
    });
  });
}

/** A long-running child (a server) that is stopped by PID. */
export interface Daemon {
  child: ChildProcess;
  pid: number;
  /** Output collected so far (last 64 KiB). */
  log(): string;
  /** SIGTERM, then SIGKILL after 2 s; resolves when it exited. */
  stop(): Promise<void>;
}

/** Starts a long-running process in the background (foreground mode, stopped by PID). */
export function startDaemon(
  argv: readonly string[],
  opts: { prefix?: Prefix; env?: NodeJS.ProcessEnv } = {},
): Daemon {
  const full = [...(opts.prefix ?? []), ...argv];
  const child = spawn(full[0]!, full.slice(1), {
    stdio: ["ignore", "pipe", "pipe"],
    env: opts.env ?? process.env,
  });
  let out = "";
  const keep = (d: Buffer): void => {
    out = (out + d.toString("latin1")).slice(-65536);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  child.on("error", (e) => {
    out += `\nspawn error: ${e.message}`;
  });
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.on("exit", () => resolve());
  });
  return {
    child,
    pid: child.pid ?? -1,
    log: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const t = setTimeout(() => child.kill("SIGKILL"), 2000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Sleeps `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const CLK_TCK = 100; // sysconf(_SC_CLK_TCK) on Linux/x86-64 and arm64

/** CPU seconds of one process: its own (user+system) and its reaped children's; 0 if gone. */
export function cpuParts(pid: number): { own: number; reaped: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "latin1");
    // fields after the ")" of comm: state is field 3; utime 14, stime 15, cutime 16, cstime 17
    const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const f = (n: number): number => Number(rest[n - 3] ?? 0);
    return { own: (f(14) + f(15)) / CLK_TCK, reaped: (f(16) + f(17)) / CLK_TCK };
  } catch {
    return { own: 0, reaped: 0 };
  }
}

/** CPU seconds (user+system, including reaped children) of one process, or 0 if gone. */
export function cpuSeconds(pid: number): number {
  const p = cpuParts(pid);
  return p.own + p.reaped;
}

/** VmRSS and VmHWM (peak RSS) of one process in KiB, or zeros if gone. */
export function memKiB(pid: number): { rss: number; hwm: number } {
  try {
    const s = readFileSync(`/proc/${pid}/status`, "latin1");
    const get = (k: string): number =>
      Number(new RegExp(`^${k}:\\s+(\\d+)`, "m").exec(s)?.[1] ?? 0);
    return { rss: get("VmRSS"), hwm: get("VmHWM") };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/** Resets a process's VmHWM to its current RSS (`echo 5 > /proc/PID/clear_refs`, needs root). */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, "5");
    return true;
  } catch {
    return false;
  }
}

/**
 * PIDs of every live descendant of `root` (scans /proc once), leaving out tsx's esbuild
 * service process (a tool of the TypeScript loader the Node servers run under, not part
 * of the server).
 */
export function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "latin1");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const rest = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parent.set(Number(d), comm === "esbuild" ? -1 : Number(rest[1]));
    } catch {
      /* exited meanwhile */
    }
  }
  const out: number[] = [];
  const want = new Set([root]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (want.has(ppid) && !want.has(pid)) {
        want.add(pid);
        out.push(pid);
        grew = true;
      }
    }
  }
  return out;
}

/**
 * Measures one server process tree during a transfer: peak RSS (VmHWM of the root after a
 * reset, and the sampled sum over the tree, for servers that fork or exec per transfer)
 * and CPU seconds spent (root incl. reaped children, plus live children at the end).
 */
export class TreeMeter {
  private cpu0 = { own: 0, reaped: 0 };
  private childCpu0 = new Map<number, number>();
  private childCpuLast = new Map<number, number>();
  private peakSampledKiB = 0;
  private timer: NodeJS.Timeout | undefined;
  private hwmReset = false;

  constructor(
    readonly pid: number,
    private readonly sampleMs = 50,
  ) {}

  /** Starts measuring (call right before the transfer). */
  start(): void {
    this.hwmReset = resetPeak(this.pid);
    this.cpu0 = cpuParts(this.pid);
    this.childCpu0.clear();
    this.childCpuLast.clear();
    for (const c of descendants(this.pid)) this.childCpu0.set(c, cpuSeconds(c));
    this.peakSampledKiB = memKiB(this.pid).rss;
    this.timer = setInterval(() => this.sample(), this.sampleMs);
    this.timer.unref();
  }

  private sample(): void {
    let sum = memKiB(this.pid).rss;
    for (const c of descendants(this.pid)) {
      sum += memKiB(c).rss;
      const cpu = cpuSeconds(c);
      if (cpu > 0) this.childCpuLast.set(c, cpu);
    }
    if (sum > this.peakSampledKiB) this.peakSampledKiB = sum;
  }

  /** Stops measuring; returns CPU seconds used and the peak RSS in MiB. */
  stop(): { cpuS: number; peakRssMiB: number } {
    if (this.timer) clearInterval(this.timer);
    this.sample();
    // Root (including children it reaped) plus children seen alive during the transfer, at
    // their last sample (a child that exits unreaped between samples loses < sampleMs of CPU).
    // A reaped child shows in both, so take the larger of the two for the children.
    const now = cpuParts(this.pid);
    let sampled = 0;
    for (const [c, last] of this.childCpuLast) sampled += last - (this.childCpu0.get(c) ?? 0);
    const cpu = now.own - this.cpu0.own + Math.max(now.reaped - this.cpu0.reaped, sampled);
    const hwm = this.hwmReset ? memKiB(this.pid).hwm : 0;
    return { cpuS: Math.max(0, cpu), peakRssMiB: Math.max(hwm, this.peakSampledKiB) / 1024 };
  }
}

/** Median of a non-empty list (NaN for an empty one). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Real TFTP peers for the interop tests: which are installed, their versions, how to start the
 * servers on loopback and how to run the clients. atftpd conflicts with tftpd-hpa as a Debian
 * package, so it is unpacked with `apt-get download` + `dpkg -x` into a cache folder.
 */
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

export function which(cmd: string): string | undefined {
  try {
    return (
      execFileSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" }).trim() || undefined
    );
  } catch {
    return undefined;
  }
}

export function debVersion(pkg: string): string {
  try {
    return (
      execFileSync("dpkg-query", ["-W", `-f=${"$"}{Version}`, pkg], { encoding: "utf8" }).trim() ||
      "?"
    );
  } catch {
    return "?";
  }
}

/** Unpacks atftpd into a cache folder (once); returns the binary or a reason it is missing. */
export function atftpdBinary(): { bin?: string; reason?: string } {
  const dir = path.join(tmpdir(), "pxe-kit-atftpd");
  const bin = path.join(dir, "x", "usr", "sbin", "atftpd");
  if (existsSync(bin)) return { bin };
  try {
    mkdirSync(dir, { recursive: true });
    if (!readdirSync(dir).some((f) => f.endsWith(".deb"))) {
      execFileSync("apt-get", ["download", "atftpd"], {
        cwd: dir,
        stdio: "ignore",
        timeout: 120_000,
      });
    }
    const deb = readdirSync(dir).find((f) => f.startsWith("atftpd_") && f.endsWith(".deb"));
    if (!deb) return { reason: "apt-get download atftpd produced no .deb" };
    execFileSync("dpkg", ["-x", deb, "x"], { cwd: dir, stdio: "ignore" });
    return existsSync(bin) ? { bin } : { reason: "atftpd not found in the .deb" };
  } catch (e) {
    return { reason: `cannot fetch atftpd (${(e as Error).message.split("\n")[0]})` };
  }
}

export function atftpdVersion(): string {
  const dir = path.join(tmpdir(), "pxe-kit-atftpd");
  try {
    const deb = readdirSync(dir).find((f) => f.startsWith("atftpd_"));
    return deb?.split("_")[1] ?? "?";
  } catch {
    return "?";
  }
}

/** Runs a command; resolves with its exit code and output (never rejects). Async so in-process servers keep running. */
export function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; timeoutMs?: number } = {},
): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      cmd,
      args,
      { cwd: opts.cwd, timeout: opts.timeoutMs ?? 60_000, encoding: "utf8" },
      (err, stdout, stderr) => {
        const code = err
          ? typeof (err as { code?: unknown }).code === "number"
            ? (err as { code: number }).code
            : 1
          : 0;
        resolve({ code, out: `${stdout}${stderr}` });
      },
    );
  });
}

/** Starts a server process and waits until it answers (a probe RRQ gets any reply) or fails. */
export async function startServer(cmd: string, args: string[]): Promise<ChildProcess> {
  const p = spawn(cmd, args, { stdio: ["ignore", "ignore", "pipe"], detached: false });
  let err = "";
  p.stderr?.on("data", (d) => {
    err += String(d);
  });
  await new Promise((r) => setTimeout(r, 400));
  if (p.exitCode !== null) throw new Error(`${cmd} exited ${p.exitCode}: ${err.slice(0, 300)}`);
  return p;
}

export async function stop(p: ChildProcess | undefined): Promise<void> {
  if (!p || p.exitCode !== null) return;
  const done = new Promise((r) => p.once("exit", r));
  p.kill("SIGTERM");
  await Promise.race([done, new Promise((r) => setTimeout(r, 2000))]);
  if (p.exitCode === null) p.kill("SIGKILL");
}

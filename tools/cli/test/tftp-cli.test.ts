import { execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createServer, get } from "@pxe/tftp/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const repo = path.resolve(__dirname, "../../..");
const pxe = ["--conditions=@pxe/source", "--import", "tsx", "tools/cli/src/main.ts"];

function runPxe(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [...pxe, ...args],
      { cwd: repo, timeout: 60_000 },
      (err, stdout, stderr) => {
        resolve({
          code: err ? Number((err as { code?: number }).code ?? 1) : 0,
          out: `${stdout}${stderr}`,
        });
      },
    );
  });
}

let dir: string;
const data = randomBytes(200_000);
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "pxe-cli-tftp-"));
  writeFileSync(path.join(dir, "a.bin"), data);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("pxe tftp get / put against an in-process server", () => {
  it("get with --blksize/--windowsize writes the file; put uploads it; a missing file exits 1", async () => {
    const server = createServer({ root: dir, port: 0, write: true });
    const { port } = await server.listen();
    const out = path.join(dir, "got.bin");
    const g = await runPxe([
      "tftp",
      "get",
      `tftp://127.0.0.1:${port}/a.bin`,
      "-o",
      out,
      "--blksize",
      "1468",
      "--windowsize",
      "8",
    ]);
    expect(g.code, g.out).toBe(0);
    expect(Buffer.compare(readFileSync(out), data)).toBe(0);
    const p = await runPxe([
      "tftp",
      "put",
      out,
      `tftp://127.0.0.1:${port}/put.bin`,
      "--blksize",
      "1024",
    ]);
    expect(p.code, p.out).toBe(0);
    expect(p.out).toMatch(/200000 bytes sent \(blksize 1024/);
    await new Promise((r) => setTimeout(r, 100));
    expect(Buffer.compare(readFileSync(path.join(dir, "put.bin")), data)).toBe(0);
    const m = await runPxe([
      "tftp",
      "get",
      `tftp://127.0.0.1:${port}/missing`,
      "-o",
      path.join(dir, "m"),
    ]);
    expect(m.code).toBe(1);
    expect(m.out).toMatch(/error 1: File not found/);
    const bad = await runPxe(["tftp", "get", `tftp://127.0.0.1:${port}/a.bin`, "--blksize", "7"]);
    expect(bad.code).not.toBe(0);
    await server.close();
  });

  it("serve answers our client and stops on SIGTERM with its stats", async () => {
    const port = 20000 + (process.pid % 20000);
    const child = spawn(
      process.execPath,
      [...pxe, "tftp", "serve", "--root", dir, "--port", String(port)],
      { cwd: repo },
    );
    let err = "";
    child.stderr.on("data", (d) => {
      err += String(d);
    });
    for (let i = 0; i < 100 && !err.includes("serving"); i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(err).toContain(`127.0.0.1:${port}`);
    const parts: Buffer[] = [];
    for await (const c of get(`tftp://127.0.0.1:${port}/a.bin`, { blksize: 1468, dallyMs: 10 }))
      parts.push(c as Buffer);
    expect(Buffer.compare(Buffer.concat(parts), data)).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
    expect(err).toMatch(/read a\.bin 127\.0\.0\.1:\d+ 200000 bytes/);
    expect(err).toMatch(/"completed":1/);
  });
});

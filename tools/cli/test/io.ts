/** What the command tests share: captured output, and a scratch folder for their input files. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/** An `io` for a command's `run…` function that keeps what it prints. */
export function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s) },
    out,
    err,
  };
}

/** A new temporary folder, and `put(name, text)` writing a file there (folders made as needed). */
export function scratch(prefix: string): {
  dir: string;
  put(name: string, text: string | Uint8Array): string;
} {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  return {
    dir,
    put(name, text) {
      const p = path.join(dir, name);
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, text);
      return p;
    },
  };
}

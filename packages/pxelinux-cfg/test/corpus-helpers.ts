import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { IncludeResolver } from "@pxe/pxelinux-cfg";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const corpusDir = path.resolve(repoRoot, "../shared/corpus/pxelinux");
export const haveCorpus = existsSync(path.join(corpusDir, "MANIFEST.tsv"));

export interface CorpusRow {
  file: string;
  repo: string;
  path: string;
  kind: string;
  bytes: number;
  sha256: string;
}

export function manifest(): CorpusRow[] {
  const text = readFileSync(path.join(corpusDir, "MANIFEST.tsv"), "utf8");
  const [, ...rows] = text.split("\n").filter((l) => l.trim() !== "");
  return rows.map((r) => {
    const c = r.split("\t");
    return {
      file: c[0] ?? "",
      repo: c[1] ?? "",
      path: c[2] ?? "",
      kind: c[5] ?? "",
      bytes: Number(c[6]),
      sha256: c[7] ?? "",
    };
  });
}

/** Reads a corpus file byte for byte (latin1: one code unit per byte). */
export function readCorpus(file: string): string {
  return readFileSync(path.join(corpusDir, file), "latin1");
}

/**
 * The corpus is flattened (`owner__repo__path`), so an INCLUDE is looked up among the files of
 * the same repository: first in the including config's directory, then anywhere by path suffix.
 */
export function corpusResolver(entry: CorpusRow, rows: CorpusRow[]): IncludeResolver {
  const dir = path.posix.dirname(entry.path);
  return async (p) => {
    if (p.kind !== "tftp") return undefined;
    const want = p.path.replace(/^\/+/, "");
    const same = rows.filter((r) => r.repo === entry.repo);
    const hit =
      same.find((r) => r.path === path.posix.join(dir, want)) ??
      same.find((r) => r.path === want || r.path.endsWith(`/${want}`));
    return hit ? readCorpus(hit.file) : undefined;
  };
}

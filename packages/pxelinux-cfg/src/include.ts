/**
 * INCLUDE resolution through a caller-supplied async resolver (file system, HTTP, TFTP...).
 * Every file reachable through INCLUDE / MENU INCLUDE lines is fetched once; the model then
 * replays them with syslinux's rules (depth limit, cycles skipped, missing files skipped).
 */
import { afterFirstWord, firstWord } from "./chars.js";
import { type ConfigFile, parse } from "./cst.js";
import { type ResolvedPath, resolvePath } from "./lookup.js";
import type { LoadedConfig } from "./model.js";

/**
 * Fetches one file. Return its text, or `undefined` when it does not exist. A thrown error is
 * recorded and the file treated as missing (syslinux skips unreadable includes).
 */
export type IncludeResolver = (path: ResolvedPath, name: string) => Promise<string | undefined>;

/** Options of {@link loadConfig}. */
export interface LoadOptions {
  /** Working directory for names (`::` = TFTP root; `::/tftpboot/`; `http://host/dir/`). */
  readonly cwd?: string;
  /** Upper bound on distinct files fetched (default 1000), so a hostile resolver cannot make this run forever. */
  readonly maxFiles?: number;
}

/** Names INCLUDE and MENU INCLUDE lines of `cfg` refer to (first word of the value), in order. */
export function includeNames(cfg: ConfigFile): string[] {
  const out: string[] = [];
  const lines = cfg.lines;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l?.kind !== "directive") continue;
    if (l.textEnd !== null) {
      i = l.textEnd < 0 ? lines.length : l.textEnd;
      continue;
    }
    if (l.name === "include" || l.name === "menu include") {
      const w = firstWord(l.value);
      if (w !== "" || afterFirstWord(l.value) !== "") out.push(w);
    }
  }
  return out;
}

/**
 * Fetches `entry` and, recursively, every file it INCLUDEs, resolving names against `cwd` as
 * PXELINUX does (relative to the path prefix, never to the including file's directory).
 * Never throws for missing or unreadable files; those are reported by {@link buildModel}.
 */
export async function loadConfig(
  entry: string,
  resolver: IncludeResolver,
  opts: LoadOptions = {},
): Promise<LoadedConfig> {
  const cwd = opts.cwd ?? "::";
  const maxFiles = opts.maxFiles ?? 1000;
  const files = new Map<string, ConfigFile | undefined>();
  const errors = new Map<string, string>();
  const entryPath = resolvePath(entry, cwd);
  const queue: { word: string; path: ResolvedPath }[] = [{ word: entry, path: entryPath }];
  while (queue.length > 0 && files.size < maxFiles) {
    const next = queue.shift();
    if (!next || files.has(next.path.name)) continue;
    let text: string | undefined;
    try {
      text = await resolver(next.path, next.word);
    } catch (e) {
      errors.set(next.path.name, e instanceof Error ? e.message : String(e));
    }
    const cfg = text === undefined ? undefined : parse(text);
    files.set(next.path.name, cfg);
    if (!cfg) continue;
    for (const w of includeNames(cfg)) {
      const p = resolvePath(w, cwd);
      if (!files.has(p.name)) queue.push({ word: w, path: p });
    }
  }
  return { entry: entryPath.name, files, errors, cwd };
}

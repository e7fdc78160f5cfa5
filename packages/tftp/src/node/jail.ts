/// <reference types="node" />
/**
 * Maps a requested TFTP file name into a root folder the way tftpd-hpa does: names are taken
 * relative to the root (a leading `/`, as GRUB sends it, and `\` separators, as Windows clients
 * send them, map into the root), while `..` components, NUL, symlinks that lead out of the root,
 * device files, FIFOs and directories are refused.
 */
import { constants, promises as fsp } from "node:fs";
import path from "node:path";
import { ErrorCode } from "../index.js";

/** A refusal with the TFTP error code to answer. */
export class JailError extends Error {
  constructor(
    readonly tftpCode: number,
    message: string,
  ) {
    super(message);
    this.name = "JailError";
  }
}

/**
 * Normalises a requested name to a relative path inside the root, or throws {@link JailError}
 * (code 2, access violation) for traversal and NUL.
 */
export function jailRelative(requested: string): string {
  if (requested.includes("\0")) throw new JailError(ErrorCode.AccessViolation, "NUL in file name");
  const parts = requested.replace(/\\/g, "/").split("/");
  const out: string[] = [];
  for (const p of parts) {
    if (p === "" || p === ".") continue;
    if (p === "..") throw new JailError(ErrorCode.AccessViolation, "'..' in file name");
    out.push(p);
  }
  if (out.length === 0) throw new JailError(ErrorCode.AccessViolation, "empty file name");
  return out.join("/");
}

function inside(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/** An opened file to read. */
export interface JailedFile {
  handle: fsp.FileHandle;
  size: number;
  path: string;
}

function mapFsError(e: unknown): JailError {
  const code = (e as { code?: string }).code;
  if (code === "ENOENT" || code === "ENOTDIR")
    return new JailError(ErrorCode.FileNotFound, "File not found");
  if (code === "EACCES" || code === "EPERM" || code === "ELOOP")
    return new JailError(ErrorCode.AccessViolation, "Access violation");
  return new JailError(ErrorCode.NotDefined, (e as Error).message ?? String(e));
}

/** Resolves the root once (its real path). */
export async function realRoot(root: string): Promise<string> {
  return fsp.realpath(path.resolve(root));
}

/** Opens a file for reading inside `root` (a real path), refusing everything the rules refuse. */
export async function openJailed(root: string, requested: string): Promise<JailedFile> {
  const rel = jailRelative(requested);
  let real: string;
  try {
    real = await fsp.realpath(path.join(root, rel));
  } catch (e) {
    throw mapFsError(e);
  }
  if (!inside(root, real)) throw new JailError(ErrorCode.AccessViolation, "outside the root");
  let handle: fsp.FileHandle;
  try {
    handle = await fsp.open(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    throw mapFsError(e);
  }
  const st = await handle.stat();
  if (!st.isFile()) {
    await handle.close();
    throw new JailError(ErrorCode.AccessViolation, "not a regular file");
  }
  return { handle, size: st.size, path: real };
}

/** Checks a WRQ target inside `root`: the parent must be inside, the target absent or a regular file. */
export async function jailedWriteTarget(root: string, requested: string): Promise<string> {
  const rel = jailRelative(requested);
  const target = path.join(root, rel);
  let parent: string;
  try {
    parent = await fsp.realpath(path.dirname(target));
  } catch (e) {
    throw mapFsError(e);
  }
  if (!inside(root, parent)) throw new JailError(ErrorCode.AccessViolation, "outside the root");
  const final = path.join(parent, path.basename(target));
  try {
    const st = await fsp.lstat(final);
    if (!st.isFile()) throw new JailError(ErrorCode.AccessViolation, "not a regular file");
  } catch (e) {
    if (e instanceof JailError) throw e;
    if ((e as { code?: string }).code !== "ENOENT") throw mapFsError(e);
  }
  return final;
}

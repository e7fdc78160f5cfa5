/**
 * The served file tree: a root folder, plus Debian's iPXE binaries (package `ipxe`) for the boot
 * programs the root does not hold. One resolver for TFTP and HTTP, so both refuse the same paths.
 */
import { existsSync, statSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";

/** Where Debian's `ipxe` package installs its binaries. */
export const DEBIAN_IPXE_DIR = "/usr/lib/ipxe";

/** Boot program names looked up in {@link DEBIAN_IPXE_DIR} when the root does not have them. */
export const IPXE_PROGRAMS = ["undionly.kpxe", "ipxe.pxe", "ipxe.efi", "snponly.efi"] as const;

/** Why a request path was refused. */
export type RefusedReason = "traversal" | "bad-char" | "not-found";

/** A resolved file, or why not. */
export type Resolved =
  | {
      ok: true;
      path: string;
      size: number;
      /** True when the file comes from the root, false when from the fallback (Debian's) folder. */
      inRoot: boolean;
    }
  | { ok: false; reason: RefusedReason };

/** Resolves request paths against a root, refusing anything that would leave it. */
export class FileTree {
  readonly root: string | undefined;
  constructor(
    root: string | undefined,
    private readonly fallbackDir: string = DEBIAN_IPXE_DIR,
  ) {
    this.root = root === undefined ? undefined : resolve(root);
  }

  /**
   * Maps a client's path (TFTP file name or decoded URL path) to a file. Leading slashes are
   * dropped (`/vmlinuz` and `vmlinuz` are the same file); `..` segments, backslashes and NUL are
   * refused before touching the file system; the result must still lie inside the root.
   */
  resolve(name: string): Resolved {
    if (name.includes("\0") || name.includes("\\")) return { ok: false, reason: "bad-char" };
    const rel = name.replace(/^\/+/, "");
    const segs = rel.split("/");
    if (segs.some((s) => s === "..")) return { ok: false, reason: "traversal" };
    if (rel === "" || segs.some((s) => s === "")) return { ok: false, reason: "not-found" };
    if (this.root !== undefined) {
      const p = resolve(this.root, rel);
      const r = relative(this.root, p);
      if (r.startsWith("..") || isAbsolute(r) || r.split(sep).includes(".."))
        return { ok: false, reason: "traversal" };
      const st = statFile(p);
      if (st !== undefined) return { ok: true, path: p, size: st, inRoot: true };
    }
    if (segs.length === 1 && (IPXE_PROGRAMS as readonly string[]).includes(rel)) {
      const p = join(this.fallbackDir, rel);
      const st = statFile(p);
      if (st !== undefined) return { ok: true, path: p, size: st, inRoot: false };
    }
    return { ok: false, reason: "not-found" };
  }

  /** True when a boot program of this name can be served. */
  has(name: string): boolean {
    return this.resolve(name).ok;
  }

  /** True when a file of this name is in the root itself (not only in the fallback folder). */
  hasInRoot(name: string): boolean {
    const r = this.resolve(name);
    return r.ok && r.inRoot;
  }
}

function statFile(p: string): number | undefined {
  try {
    if (!existsSync(p)) return undefined;
    const st = statSync(p);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}

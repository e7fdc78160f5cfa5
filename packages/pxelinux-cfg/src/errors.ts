/**
 * Base class of every error that @pxe/pxelinux-cfg throws on purpose.
 *
 * It carries a stable machine-readable `code` and, where the error is about input bytes or text,
 * the absolute `offset` into the caller's input where the problem was found. Checks should use
 * {@link isPxelinuxCfgError} rather than `instanceof`, which fails when both the ESM and the CJS build of
 * the package are loaded in one process.
 */
export class PxelinuxCfgError extends Error {
  /** Stable, machine-readable reason, e.g. `"truncated"` or `"bad-value"`. */
  readonly code: string;
  /** Absolute offset into the input where the problem was found, when there is one. */
  readonly offset: number | undefined;

  constructor(code: string, message: string, offset?: number, options?: { cause?: unknown }) {
    super(offset === undefined ? message : `${message} (at offset ${offset})`, options);
    this.name = "PxelinuxCfgError";
    this.code = code;
    this.offset = offset;
  }
}

/** True when `e` is a {@link PxelinuxCfgError} from any copy (ESM or CJS) of @pxe/pxelinux-cfg. */
export function isPxelinuxCfgError(e: unknown): e is PxelinuxCfgError {
  return (
    e instanceof Error &&
    e.name === "PxelinuxCfgError" &&
    typeof (e as { code?: unknown }).code === "string"
  );
}

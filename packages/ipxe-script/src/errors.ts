/**
 * Base class of every error that @pxe/ipxe-script throws on purpose.
 *
 * It carries a stable machine-readable `code` and, where the error is about input bytes or text,
 * the absolute `offset` into the caller's input where the problem was found. Checks should use
 * {@link isIpxeScriptError} rather than `instanceof`, which fails when both the ESM and the CJS build of
 * the package are loaded in one process.
 */
export class IpxeScriptError extends Error {
  /** Stable, machine-readable reason, e.g. `"truncated"` or `"bad-value"`. */
  readonly code: string;
  /** Absolute offset into the input where the problem was found, when there is one. */
  readonly offset: number | undefined;

  constructor(code: string, message: string, offset?: number, options?: { cause?: unknown }) {
    super(offset === undefined ? message : `${message} (at offset ${offset})`, options);
    this.name = "IpxeScriptError";
    this.code = code;
    this.offset = offset;
  }
}

/** True when `e` is a {@link IpxeScriptError} from any copy (ESM or CJS) of @pxe/ipxe-script. */
export function isIpxeScriptError(e: unknown): e is IpxeScriptError {
  return (
    e instanceof Error &&
    e.name === "IpxeScriptError" &&
    typeof (e as { code?: unknown }).code === "string"
  );
}

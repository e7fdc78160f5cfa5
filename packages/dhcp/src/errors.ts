/**
 * Stable machine-readable reasons carried by {@link DhcpError} and {@link DhcpWarning}.
 *
 * Decoding: `truncated` (input ends inside the fixed header or the cookie), `bad-cookie`,
 * `missing-end`, `trailing-bytes` (non-zero bytes after END), `truncated-option`, `bad-overload`
 * (option 52 with a value other than 1-3, or found inside `sname`/`file`), `bad-length` (a value
 * whose length does not fit its option), `bad-value`, `repeated-fixed` (a fixed-size option whose
 * length is k times its size, as when a server duplicates option 54), `list-junk` (a Pad or END
 * code inside a parameter request list). Encoding: `buffer-too-small`, `too-big` (the options do not
 * fit the size limit even with overload), `bad-value` (a value the codec cannot encode).
 */
export type DhcpErrorCode =
  | "truncated"
  | "bad-cookie"
  | "missing-end"
  | "trailing-bytes"
  | "truncated-option"
  | "bad-overload"
  | "bad-length"
  | "bad-value"
  | "repeated-fixed"
  | "list-junk"
  | "buffer-too-small"
  | "too-big"
  | "locked"
  | (string & {});

/**
 * Base class of every error that @pxe/dhcp throws on purpose.
 *
 * It carries a stable machine-readable `code` and, where the error is about input bytes, the
 * absolute `offset` into the caller's input where the problem was found and the DHCP `optionCode`
 * concerned (when there is one). Checks should use {@link isDhcpError} rather than `instanceof`,
 * which fails when both the ESM and the CJS build of the package are loaded in one process.
 */
export class DhcpError extends Error {
  /** Stable, machine-readable reason, e.g. `"truncated"` or `"bad-value"`. */
  readonly code: DhcpErrorCode;
  /** Absolute offset into the input where the problem was found, when there is one. */
  readonly offset: number | undefined;
  /** The DHCP option code the problem is about, when there is one. */
  readonly optionCode: number | undefined;

  constructor(
    code: DhcpErrorCode,
    message: string,
    offset?: number,
    options?: { cause?: unknown; optionCode?: number },
  ) {
    const where = [
      options?.optionCode === undefined ? undefined : `option ${options.optionCode}`,
      offset === undefined ? undefined : `at offset ${offset}`,
    ].filter((s) => s !== undefined);
    super(where.length === 0 ? message : `${message} (${where.join(", ")})`, options);
    this.name = "DhcpError";
    this.code = code;
    this.offset = offset;
    this.optionCode = options?.optionCode;
  }
}

/** True when `e` is a {@link DhcpError} from any copy (ESM or CJS) of @pxe/dhcp. */
export function isDhcpError(e: unknown): e is DhcpError {
  return (
    e instanceof Error &&
    e.name === "DhcpError" &&
    typeof (e as { code?: unknown }).code === "string"
  );
}

/**
 * An irregularity found while decoding in lenient mode (the default). Strict mode throws a
 * {@link DhcpError} with the same `code`, `offset` and `optionCode` instead.
 */
export interface DhcpWarning {
  /** Same vocabulary as {@link DhcpError.code}. */
  readonly code: DhcpErrorCode;
  /** Human-readable description. */
  readonly message: string;
  /** Absolute offset into the decoded input. */
  readonly offset: number;
  /** The option concerned, when there is one. */
  readonly optionCode: number | undefined;
}

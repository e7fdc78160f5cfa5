import { checkLatin1, latin1, putLatin1 } from "../bytes.js";
import { defineCodec, type OptionCodec } from "../codec.js";
import { PxeOptionsError } from "../errors.js";

/** What a vendor class identifier (option 60) says about the client. */
export type VendorClassKind = "PXEClient" | "HTTPClient" | "other";

/** A decoded option 60. `raw` is authoritative: encoding writes exactly `raw`. */
export interface VendorClass {
  /** The whole value as a binary string (one character per byte). */
  readonly raw: string;
  /** `PXEClient` (or a configured PXE prefix), `HTTPClient`, or anything else. */
  readonly kind: VendorClassKind;
  /** The matched prefix (`"PXEClient"`, `"HTTPClient"`, `"HW-Client"`...), when kind is not other. */
  readonly prefix?: string;
  /** Architecture type from the `:Arch:xxxxx` field, when present and numeric. */
  readonly arch?: number;
  /** UNDI version from the `:UNDI:yyyzzz` field, when present and numeric. */
  readonly undi?: { readonly major: number; readonly minor: number };
  /** Deviations from `Prefix:Arch:xxxxx:UNDI:yyyzzz` found while parsing (never thrown). */
  readonly oddities: readonly string[];
}

/** Options for {@link parseVendorClass}. */
export interface VendorClassOptions {
  /**
   * Prefixes accepted as PXE clients. Default `["PXEClient"]`; add vendors' own prefixes such as
   * `"HW-Client"` (dnsmasq's `--dhcp-pxe-vendor`). `HTTPClient` is always recognised.
   */
  readonly pxePrefixes?: readonly string[];
}

/** The prefixes a PXE client's option 60 starts with, unless configured otherwise. */
export const DEFAULT_PXE_PREFIXES: readonly string[] = ["PXEClient"];

/**
 * Parses an option 60 string. Never throws: fields that are missing or garbled are reported in
 * `oddities`. PXE 2.1 format: `PXEClient:Arch:xxxxx:UNDI:yyyzzz` (5 decimal digits of arch,
 * 3+3 decimal digits of UNDI major/minor); UEFI HTTP boot uses the same layout with `HTTPClient`.
 */
export function parseVendorClass(raw: string, options: VendorClassOptions = {}): VendorClass {
  const prefixes = options.pxePrefixes ?? DEFAULT_PXE_PREFIXES;
  let kind: VendorClassKind = "other";
  let prefix: string | undefined;
  if (raw.startsWith("HTTPClient")) {
    kind = "HTTPClient";
    prefix = "HTTPClient";
  } else {
    for (const p of prefixes) {
      if (p.length > 0 && raw.startsWith(p)) {
        kind = "PXEClient";
        prefix = p;
        break;
      }
    }
  }
  if (prefix !== undefined) {
    const fast = canonical(raw, prefix.length);
    if (fast) return { raw, kind, prefix, arch: fast.arch, undi: fast.undi, oddities: [] };
  }
  const oddities: string[] = [];
  let arch: number | undefined;
  let undi: { major: number; minor: number } | undefined;
  if (prefix !== undefined) {
    const rest = raw.slice(prefix.length);
    if (rest.length > 0) {
      const fields = rest.split(":");
      if (fields[0] !== "")
        oddities.push(`unexpected text ${JSON.stringify(fields[0])} after prefix`);
      for (let i = 1; i < fields.length; i++) {
        const f = fields[i];
        const v = fields[i + 1];
        if (f === "Arch") {
          if (v !== undefined && /^\d{1,5}$/.test(v)) {
            arch = Number(v);
            if (v.length !== 5) oddities.push(`Arch field ${JSON.stringify(v)} is not 5 digits`);
            if (arch > 0xffff) {
              oddities.push(`Arch ${arch} does not fit in 16 bits`);
              arch = undefined;
            }
          } else oddities.push(`Arch field ${JSON.stringify(v ?? "")} is not numeric`);
          i++;
        } else if (f === "UNDI") {
          if (v !== undefined && /^\d{6}$/.test(v)) {
            undi = { major: Number(v.slice(0, 3)), minor: Number(v.slice(3)) };
          } else oddities.push(`UNDI field ${JSON.stringify(v ?? "")} is not 6 digits`);
          i++;
        } else if (f !== undefined && f !== "") {
          oddities.push(`unknown field ${JSON.stringify(f)}`);
        }
      }
      if (/[\0]/.test(raw)) oddities.push("contains NUL bytes");
    }
  }
  const out: {
    raw: string;
    kind: VendorClassKind;
    prefix?: string;
    arch?: number;
    undi?: { major: number; minor: number };
    oddities: string[];
  } = { raw, kind, oddities };
  if (prefix !== undefined) out.prefix = prefix;
  if (arch !== undefined) out.arch = arch;
  if (undi !== undefined) out.undi = undi;
  return out;
}

function digits(s: string, start: number, n: number): number {
  let v = 0;
  for (let i = start; i < start + n; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Fast path for the exact `Prefix:Arch:xxxxx:UNDI:yyyzzz` layout; undefined otherwise. */
function canonical(
  raw: string,
  p: number,
): { arch: number; undi: { major: number; minor: number } } | undefined {
  if (raw.length !== p + 23 || !raw.startsWith(":Arch:", p) || !raw.startsWith(":UNDI:", p + 11)) {
    return undefined;
  }
  const arch = digits(raw, p + 6, 5);
  const major = digits(raw, p + 17, 3);
  const minor = digits(raw, p + 20, 3);
  if (arch < 0 || arch > 0xffff || major < 0 || minor < 0) return undefined;
  return { arch, undi: { major, minor } };
}

/**
 * Formats a client-style option 60: `PXEClient:Arch:00007:UNDI:003016`. With no arch it is just
 * the prefix, which is what servers send back (`PXEClient` / `HTTPClient`).
 */
export function formatVendorClass(
  prefix: string,
  fields: { arch?: number; undi?: { major: number; minor: number } } = {},
): string {
  let s = prefix;
  if (fields.arch !== undefined) {
    if (!Number.isInteger(fields.arch) || fields.arch < 0 || fields.arch > 0xffff) {
      throw new PxeOptionsError("bad-value", `arch ${fields.arch} must be an integer in 0..65535`);
    }
    s += `:Arch:${String(fields.arch).padStart(5, "0")}`;
  }
  if (fields.undi !== undefined) {
    const { major, minor } = fields.undi;
    for (const v of [major, minor]) {
      if (!Number.isInteger(v) || v < 0 || v > 999) {
        throw new PxeOptionsError(
          "bad-value",
          `UNDI version part ${v} must be an integer in 0..999`,
        );
      }
    }
    s += `:UNDI:${String(major).padStart(3, "0")}${String(minor).padStart(3, "0")}`;
  }
  return s;
}

/** Option 60, vendor class identifier (RFC 2132 §9.13; PXE 2.1 specification). */
export const vendorClassCodec: OptionCodec<VendorClass> = defineCodec<VendorClass>({
  code: 60,
  name: "vendor-class-identifier",
  decode: (view, start, end) => parseVendorClass(latin1(view, start, end)),
  encodingLength: (v) => v.raw.length,
  write: (v, out, at) => {
    checkLatin1(v.raw, "option 60");
    putLatin1(out, at, v.raw, "option 60");
  },
});

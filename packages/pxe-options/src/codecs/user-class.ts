import { checkLatin1, latin1, putLatin1 } from "../bytes.js";
import { defineCodec, type OptionCodec } from "../codec.js";
import { PxeOptionsError } from "../errors.js";

/**
 * A decoded option 77. RFC 3004 defines a list of length-prefixed class strings, but iPXE and
 * many other clients send one plain string (`iPXE`). Decoding picks `rfc3004` when the lengths add
 * up exactly (the heuristic dnsmasq and Wireshark use), else `plain`.
 */
export interface UserClass {
  /** Which wire form the value uses. */
  readonly format: "rfc3004" | "plain";
  /** The classes as binary strings; exactly one for `plain`. */
  readonly classes: readonly string[];
}

/** True when bytes [start, end) parse exactly as an RFC 3004 list of non-empty classes. */
function isRfc3004(view: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end) {
    const n = view[i] ?? 0;
    if (n === 0) return false;
    i += 1 + n;
  }
  return i === end;
}

/** Option 77, user class (RFC 3004 §4, with the plain-string form clients send in practice). */
export const userClassCodec: OptionCodec<UserClass> = defineCodec<UserClass>({
  code: 77,
  name: "user-class",
  decode: (view, start, end) => {
    if (end === start) throw new PxeOptionsError("empty", "option 77 is empty", start);
    if (isRfc3004(view, start, end)) {
      const classes: string[] = [];
      for (let i = start; i < end; ) {
        const n = view[i] ?? 0;
        classes.push(latin1(view, i + 1, i + 1 + n));
        i += 1 + n;
      }
      return { format: "rfc3004", classes };
    }
    return { format: "plain", classes: [latin1(view, start, end)] };
  },
  encodingLength: (v) =>
    v.format === "plain"
      ? (v.classes[0]?.length ?? 0)
      : v.classes.reduce((n, c) => n + 1 + c.length, 0),
  write: (v, out, at) => {
    if (v.format === "plain") {
      const s = v.classes[0];
      if (v.classes.length !== 1 || s === undefined || s.length === 0) {
        throw new PxeOptionsError(
          "bad-value",
          "a plain user class is exactly one non-empty string",
        );
      }
      checkLatin1(s, "option 77");
      putLatin1(out, at, s, "option 77");
      return;
    }
    if (v.classes.length === 0) throw new PxeOptionsError("empty", "option 77 needs a class");
    let i = at;
    for (const c of v.classes) {
      if (c.length === 0 || c.length > 255) {
        throw new PxeOptionsError("bad-value", `RFC 3004 class length ${c.length} not in 1..255`);
      }
      checkLatin1(c, "option 77");
      out[i] = c.length;
      putLatin1(out, i + 1, c, "option 77");
      i += 1 + c.length;
    }
  },
});

/** A user class value as iPXE sends it: the plain string `iPXE`. */
export const IPXE_USER_CLASS: UserClass = { format: "plain", classes: ["iPXE"] };

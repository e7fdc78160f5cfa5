import { checkLatin1, checkUint, latin1, putLatin1, putU32, u32 } from "../bytes.js";
import { defineCodec, type OptionCodec } from "../codec.js";
import { PxeOptionsError } from "../errors.js";

/** The 4-byte value of PXELINUX option 208 (RFC 5071 §3). */
export const PXELINUX_MAGIC: Uint8Array = Uint8Array.of(0xf1, 0x00, 0x74, 0x7e);

/** PXELINUX's default reboot time in seconds when option 211 is absent (RFC 5071 §6). */
export const PXELINUX_DEFAULT_REBOOT_TIME = 300;

/**
 * Option 208, pxelinux.magic (RFC 5071 §3; deprecated, unnecessary since PXELINUX 3.55). Decodes
 * to `true` when the value is exactly F1 00 74 7E; other 4-byte values throw.
 */
export const pxelinuxMagicCodec: OptionCodec<true> = defineCodec<true>({
  code: 208,
  name: "pxelinux-magic",
  decode: (view, start, end) => {
    if (end - start !== 4) {
      throw new PxeOptionsError(
        "bad-length",
        `option 208 must be 4 bytes, got ${end - start}`,
        start,
      );
    }
    for (let k = 0; k < 4; k++) {
      if (view[start + k] !== PXELINUX_MAGIC[k]) {
        throw new PxeOptionsError("bad-value", "option 208 is not F1 00 74 7E", start + k);
      }
    }
    return true;
  },
  encodingLength: () => 4,
  write: (_v, out, at) => out.set(PXELINUX_MAGIC, at),
});

function textCodec(code: number, name: string): OptionCodec<string> {
  return defineCodec<string>({
    code,
    name,
    decode: (view, start, end) => {
      if (end === start) throw new PxeOptionsError("empty", `option ${code} is empty`, start);
      return latin1(view, start, end);
    },
    encodingLength: (v) => v.length,
    write: (v, out, at) => {
      if (v.length === 0) throw new PxeOptionsError("empty", `option ${code} needs a value`);
      checkLatin1(v, `option ${code}`);
      putLatin1(out, at, v, `option ${code}`);
    },
  });
}

/**
 * Option 209, pxelinux.configfile (RFC 5071 §4): configuration file name, used instead of the
 * `pxelinux.cfg/<uuid|mac|ip>` search. Not NUL-terminated on the wire.
 */
export const pxelinuxConfigFileCodec: OptionCodec<string> = textCodec(209, "pxelinux-config-file");

/**
 * Option 210, pxelinux.pathprefix (RFC 5071 §5): prefix prepended to relative file names; by
 * default PXELINUX uses the directory of its own boot file. Not NUL-terminated.
 */
export const pxelinuxPathPrefixCodec: OptionCodec<string> = textCodec(210, "pxelinux-path-prefix");

/**
 * Option 211, pxelinux.reboottime (RFC 5071 §6): seconds PXELINUX waits, when it cannot get its
 * configuration, before rebooting; u32 network order. Absent means 300 s.
 */
export const pxelinuxRebootTimeCodec: OptionCodec<number> = defineCodec<number>({
  code: 211,
  name: "pxelinux-reboot-time",
  decode: (view, start, end) => {
    if (end - start !== 4) {
      throw new PxeOptionsError(
        "bad-length",
        `option 211 must be 4 bytes, got ${end - start}`,
        start,
      );
    }
    return u32(view, start);
  },
  encodingLength: () => 4,
  write: (v, out, at) => {
    checkUint(v, 0xffffffff, "option 211");
    putU32(out, at, v);
  },
});

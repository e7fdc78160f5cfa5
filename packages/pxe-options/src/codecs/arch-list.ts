import { checkUint, putU16, u16 } from "../bytes.js";
import { defineCodec, type OptionCodec } from "../codec.js";
import { PxeOptionsError } from "../errors.js";

/** Option 93, client system architecture (RFC 4578 §2.1): a list of u16 type numbers. */
export const clientArchCodec: OptionCodec<number[]> = defineCodec<number[]>({
  code: 93,
  name: "client-system-architecture",
  decode: (view, start, end) => {
    const len = end - start;
    if (len === 0)
      throw new PxeOptionsError("empty", "option 93 carries no architecture type", start);
    if (len % 2 !== 0) {
      throw new PxeOptionsError(
        "bad-length",
        `option 93 length ${len} is not a multiple of 2`,
        end - 1,
      );
    }
    const out: number[] = [];
    for (let i = start; i < end; i += 2) out.push(u16(view, i));
    return out;
  },
  encodingLength: (v) => v.length * 2,
  write: (v, out, at) => {
    if (v.length === 0) throw new PxeOptionsError("empty", "option 93 needs at least one type");
    v.forEach((t, k) => {
      checkUint(t, 0xffff, "architecture type");
      putU16(out, at + 2 * k, t);
    });
  },
});

/** A decoded option 94: the client's network interface identifier. */
export interface ClientNdi {
  /** Interface type; 1 = UNDI. */
  readonly type: number;
  /** Major version (2 for PXE 2.1 BIOS ROMs, 3 for UEFI). */
  readonly major: number;
  /** Minor version. */
  readonly minor: number;
}

/** Option 94, client network interface identifier (RFC 4578 §2.2): type, major, minor. */
export const clientNdiCodec: OptionCodec<ClientNdi> = defineCodec<ClientNdi>({
  code: 94,
  name: "client-network-interface-identifier",
  decode: (view, start, end) => {
    if (end - start !== 3) {
      throw new PxeOptionsError(
        "bad-length",
        `option 94 must be 3 bytes (type, major, minor), got ${end - start}`,
        start,
      );
    }
    return { type: view[start] ?? 0, major: view[start + 1] ?? 0, minor: view[start + 2] ?? 0 };
  },
  encodingLength: () => 3,
  write: (v, out, at) => {
    checkUint(v.type, 255, "NDI type");
    checkUint(v.major, 255, "NDI major");
    checkUint(v.minor, 255, "NDI minor");
    out[at] = v.type;
    out[at + 1] = v.major;
    out[at + 2] = v.minor;
  },
});

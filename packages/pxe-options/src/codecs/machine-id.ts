import { checkUint, hexByte } from "../bytes.js";
import { defineCodec, type OptionCodec } from "../codec.js";
import { PxeOptionsError } from "../errors.js";

/**
 * A decoded option 97. `id` is a zero-copy view of the identifier bytes exactly as on the wire
 * (16 bytes for type 0); echo it verbatim, never normalised.
 */
export interface ClientMachineId {
  /** Identifier type; 0 = 16-byte GUID (RFC 4578 §2.3). */
  readonly type: number;
  /** The identifier bytes after the type octet, as they appear on the wire. */
  readonly id: Uint8Array;
}

/**
 * How the 16 GUID bytes of option 97 are turned into the familiar
 * `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` text.
 *
 * - `"smbios"`: the first three fields (u32, u16, u16) are little-endian on the wire. This is what
 *   EFI, SMBIOS >= 2.6 and iPXE (`uuid_mangle`) do, and what Wireshark shows by default, so it
 *   gives the UUID that `dmidecode` prints on the client.
 * - `"rfc4122"`: every byte in wire order (RFC 4122 network byte order).
 *
 * The PXE specification does not say which; real clients use the SMBIOS order.
 */
export type GuidByteOrder = "smbios" | "rfc4122";

const SMBIOS_ORDER = [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15] as const;

/** Formats 16 GUID bytes as text in the given byte order. */
export function guidToString(id: Uint8Array, order: GuidByteOrder = "smbios"): string {
  if (id.length !== 16) {
    throw new PxeOptionsError("bad-length", `a GUID is 16 bytes, got ${id.length}`);
  }
  let s = "";
  for (let i = 0; i < 16; i++) {
    if (i === 4 || i === 6 || i === 8 || i === 10) s += "-";
    s += hexByte(id[order === "smbios" ? SMBIOS_ORDER[i]! : i]!);
  }
  return s;
}

/** Parses GUID text into the 16 wire bytes for the given byte order. */
export function guidFromString(text: string, order: GuidByteOrder = "smbios"): Uint8Array {
  const m = /^([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})$/i.exec(
    text.trim(),
  );
  if (!m) throw new PxeOptionsError("bad-value", `${JSON.stringify(text)} is not a GUID`);
  const h = m.slice(1).join("");
  const b = new Uint8Array(16);
  for (let i = 0; i < 16; i++) b[i] = Number.parseInt(h.slice(2 * i, 2 * i + 2), 16);
  if (order === "rfc4122") return b;
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = b[SMBIOS_ORDER[i]!]!;
  return out;
}

/**
 * True when 16 GUID bytes look like an RFC 4122 UUID (variant bits `10`) and are not all zero or
 * all ones. Raspberry Pi firmware, for example, sends a structured non-UUID identifier.
 */
export function looksLikeUuid(id: Uint8Array): boolean {
  if (id.length !== 16) return false;
  let zero = true;
  let ones = true;
  for (let i = 0; i < 16; i++) {
    const x = id[i]!;
    if (x !== 0) zero = false;
    if (x !== 0xff) ones = false;
  }
  if (zero || ones) return false;
  return ((id[8] ?? 0) & 0xc0) === 0x80;
}

/** Option 97, client machine identifier (RFC 4578 §2.3): type octet + identifier. */
export const clientMachineIdCodec: OptionCodec<ClientMachineId> = defineCodec<ClientMachineId>({
  code: 97,
  name: "client-machine-identifier",
  decode: (view, start, end) => {
    if (end - start < 1) throw new PxeOptionsError("empty", "option 97 is empty", start);
    const type = view[start] ?? 0;
    if (type === 0 && end - start !== 17) {
      throw new PxeOptionsError(
        "bad-length",
        `option 97 type 0 must carry a 16-byte GUID, got ${end - start - 1} bytes`,
        start,
      );
    }
    return { type, id: view.subarray(start + 1, end) };
  },
  encodingLength: (v) => 1 + v.id.length,
  write: (v, out, at) => {
    checkUint(v.type, 255, "option 97 type");
    if (v.type === 0 && v.id.length !== 16) {
      throw new PxeOptionsError(
        "bad-length",
        `option 97 type 0 needs 16 bytes, got ${v.id.length}`,
      );
    }
    out[at] = v.type;
    out.set(v.id, at + 1);
  },
});

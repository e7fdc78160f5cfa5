/**
 * netascii translation (RFC 1350 mode `netascii`, RFC 764 NVT rules): on the wire a line end is
 * CR LF and a lone CR is CR NUL. Both directions are streaming: chunks may split a CR pair.
 */

const CR = 13;
const LF = 10;
const NUL = 0;

/** Local text (LF line ends) to netascii, chunk by chunk. */
export class NetasciiEncoder {
  /** Translates one chunk; the output may be up to twice as long. */
  encode(chunk: Uint8Array): Uint8Array {
    let extra = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b === LF || b === CR) extra++;
    }
    if (extra === 0) return chunk;
    const out = new Uint8Array(chunk.length + extra);
    let o = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (b === LF) {
        out[o++] = CR;
        out[o++] = LF;
      } else if (b === CR) {
        out[o++] = CR;
        out[o++] = NUL;
      } else out[o++] = b;
    }
    return out;
  }
}

/** netascii to local text (LF line ends), chunk by chunk; call {@link NetasciiDecoder.end} last. */
export class NetasciiDecoder {
  private pendingCr = false;

  /** Translates one chunk. A CR at the end of a chunk is held until the next byte is known. */
  decode(chunk: Uint8Array): Uint8Array {
    const out = new Uint8Array(chunk.length + 1);
    let o = 0;
    let i = 0;
    if (this.pendingCr && chunk.length > 0) {
      this.pendingCr = false;
      const b = chunk[0] as number;
      if (b === LF) {
        out[o++] = LF;
        i = 1;
      } else if (b === NUL) {
        out[o++] = CR;
        i = 1;
      } else out[o++] = CR; // bare CR: keep it
    }
    for (; i < chunk.length; i++) {
      const b = chunk[i] as number;
      if (b !== CR) {
        out[o++] = b;
        continue;
      }
      if (i + 1 >= chunk.length) {
        this.pendingCr = true;
        break;
      }
      const n = chunk[i + 1] as number;
      if (n === LF) {
        out[o++] = LF;
        i++;
      } else if (n === NUL) {
        out[o++] = CR;
        i++;
      } else out[o++] = CR;
    }
    return out.subarray(0, o);
  }

  /** Flushes a CR held at the very end of the stream. */
  end(): Uint8Array {
    if (!this.pendingCr) return new Uint8Array(0);
    this.pendingCr = false;
    return Uint8Array.of(CR);
  }
}

/** Whole-buffer conversion to netascii. */
export function toNetascii(bytes: Uint8Array): Uint8Array {
  return new NetasciiEncoder().encode(bytes);
}

/** Whole-buffer conversion from netascii. */
export function fromNetascii(bytes: Uint8Array): Uint8Array {
  const d = new NetasciiDecoder();
  const a = d.decode(bytes);
  const b = d.end();
  if (b.length === 0) return a;
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

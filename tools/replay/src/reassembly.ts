/** Limits of IP fragment reassembly. Memory use is bounded by `maxPending * maxDatagram`. */
export interface ReassemblyLimits {
  /** Datagrams being reassembled at once; the oldest is dropped beyond this (default 1024). */
  readonly maxPending?: number;
  /** Largest reassembled datagram payload in bytes (default 65535). */
  readonly maxDatagram?: number;
  /** Fragments per datagram (default 1024). */
  readonly maxFragments?: number;
}

interface Pending {
  parts: { offset: number; data: Uint8Array }[];
  /** Payload length, known once the last fragment (more-fragments clear) arrived. */
  total: number | undefined;
}

/** Outcome of adding one fragment. */
export type FragmentResult =
  | { readonly status: "pending" }
  | { readonly status: "complete"; readonly payload: Uint8Array }
  | { readonly status: "dropped"; readonly reason: string };

const PENDING: FragmentResult = { status: "pending" };

/**
 * IP fragment reassembly with bounded memory: fragments are kept as views until the datagram is
 * complete, then copied once into a fresh buffer. Keys are opaque strings built by the caller
 * (source, destination, protocol, identification).
 */
export class Reassembler {
  readonly #pending = new Map<string, Pending>();
  readonly #maxPending: number;
  readonly #maxDatagram: number;
  readonly #maxFragments: number;

  constructor(limits: ReassemblyLimits = {}) {
    this.#maxPending = limits.maxPending ?? 1024;
    this.#maxDatagram = limits.maxDatagram ?? 65535;
    this.#maxFragments = limits.maxFragments ?? 1024;
  }

  /** Number of datagrams waiting for fragments. */
  get pending(): number {
    return this.#pending.size;
  }

  /** Adds the fragment `data` found at byte `offset` of the datagram's payload. */
  add(key: string, offset: number, more: boolean, data: Uint8Array): FragmentResult {
    let p = this.#pending.get(key);
    if (p === undefined) {
      if (this.#pending.size >= this.#maxPending) {
        const oldest = this.#pending.keys().next().value;
        if (oldest !== undefined) this.#pending.delete(oldest);
      }
      p = { parts: [], total: undefined };
      this.#pending.set(key, p);
    }
    const end = offset + data.length;
    if (end > this.#maxDatagram) {
      this.#pending.delete(key);
      return {
        status: "dropped",
        reason: `fragment ends at ${end}, beyond ${this.#maxDatagram} bytes`,
      };
    }
    if (p.parts.length >= this.#maxFragments) {
      this.#pending.delete(key);
      return { status: "dropped", reason: `more than ${this.#maxFragments} fragments` };
    }
    if (!more) {
      if (p.total !== undefined && p.total !== end) {
        this.#pending.delete(key);
        return { status: "dropped", reason: "two last fragments disagree on the datagram length" };
      }
      p.total = end;
    }
    p.parts.push({ offset, data });
    if (p.total === undefined) return PENDING;
    // Complete when the parts cover [0, total) without a hole.
    const parts = [...p.parts].sort((a, b) => a.offset - b.offset);
    let covered = 0;
    for (const part of parts) {
      if (part.offset > covered) return PENDING;
      covered = Math.max(covered, part.offset + part.data.length);
    }
    if (covered < p.total) return PENDING;
    if (covered > p.total) {
      this.#pending.delete(key);
      return { status: "dropped", reason: "a fragment extends past the last fragment" };
    }
    const out = new Uint8Array(p.total);
    // Earlier-arrived data wins on overlap: write in reverse arrival order.
    for (let i = p.parts.length - 1; i >= 0; i--) {
      const part = p.parts[i] as { offset: number; data: Uint8Array };
      out.set(part.data, part.offset);
    }
    this.#pending.delete(key);
    return { status: "complete", payload: out };
  }
}

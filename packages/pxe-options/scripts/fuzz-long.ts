// Long fuzz campaign for every @pxe/pxe-options decoder and the classifier (not part of `test`).
// Run: pnpm --filter @pxe/pxe-options run fuzz:long [runs-per-target, default 200000]
// Each target: arbitrary bytes -> a value or a PxeOptionsError, never anything else; decoded
// values re-encode to bytes that decode equal. Bounded by run count and 10 minutes overall.
import fc from "fast-check";
import {
  classify,
  clientArchCodec,
  clientMachineIdCodec,
  clientNdiCodec,
  type DhcpMessageLike,
  ipxeCodec,
  isPxeOptionsError,
  type OptionCodec,
  pxelinuxConfigFileCodec,
  pxelinuxMagicCodec,
  pxelinuxPathPrefixCodec,
  pxelinuxRebootTimeCodec,
  pxeVendorCodec,
  userClassCodec,
  vendorClassCodec,
} from "../src/index.js";

const runs = Number(process.argv[2] ?? 200_000);
const deadline = Date.now() + 10 * 60_000;
const codecs = [
  vendorClassCodec,
  pxeVendorCodec,
  userClassCodec,
  clientArchCodec,
  clientNdiCodec,
  clientMachineIdCodec,
  ipxeCodec,
  pxelinuxMagicCodec,
  pxelinuxConfigFileCodec,
  pxelinuxPathPrefixCodec,
  pxelinuxRebootTimeCodec,
] as OptionCodec<unknown>[];

function equal(a: unknown, b: unknown): boolean {
  return (
    JSON.stringify(a, (_k, v) => (v instanceof Uint8Array ? Array.from(v) : v)) ===
    JSON.stringify(b, (_k, v) => (v instanceof Uint8Array ? Array.from(v) : v))
  );
}

for (const codec of codecs) {
  for (const lenient of [false, true]) {
    if (Date.now() > deadline) break;
    const t0 = Date.now();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        let v: unknown;
        try {
          v = codec.decode(bytes, 0, bytes.length, { lenient });
        } catch (e) {
          if (!isPxeOptionsError(e)) throw e;
          return;
        }
        let enc: Uint8Array;
        try {
          enc = codec.encode(v);
        } catch (e) {
          if (!isPxeOptionsError(e)) throw e;
          return;
        }
        if (!equal(codec.decode(enc, 0, enc.length, { lenient }), v))
          throw new Error("re-decode differs");
      }),
      { numRuns: runs, interruptAfterTimeLimit: Math.max(1, deadline - Date.now()) },
    );
    console.log(
      `option ${codec.code} (${codec.name})${lenient ? " lenient" : ""}: ${runs} runs in ${Date.now() - t0} ms`,
    );
  }
}

const t0 = Date.now();
fc.assert(
  fc.property(
    fc.array(
      fc.tuple(fc.constantFrom(43, 60, 77, 93, 94, 97, 175), fc.uint8Array({ maxLength: 64 })),
      {
        maxLength: 8,
      },
    ),
    fc.uint8Array({ minLength: 0, maxLength: 16 }),
    (opts, chaddr) => {
      const map = new Map<number, Uint8Array>(opts);
      const m: DhcpMessageLike = {
        op: 1,
        htype: 1,
        hlen: chaddr.length,
        xid: 1,
        flags: 0,
        ciaddr: "0.0.0.0",
        giaddr: "0.0.0.0",
        chaddr,
        get: (c) => map.get(c),
      };
      classify(m);
    },
  ),
  { numRuns: runs, interruptAfterTimeLimit: Math.max(1, deadline - Date.now()) },
);
console.log(`classify: ${runs} runs in ${Date.now() - t0} ms`);

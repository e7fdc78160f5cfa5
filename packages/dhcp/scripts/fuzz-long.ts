// Long fuzz campaign for @pxe/dhcp (not part of the default test run).
//
//   pnpm --filter @pxe/dhcp run fuzz:long [-- --inputs 10000000 --minutes 30 --seed 1]
//
// Feeds >= 10 M generated and mutated inputs to the view and the decoder (lenient and strict)
// and checks: only DhcpError is ever thrown, and every message that decodes re-encodes to the
// same bytes. A share of the inputs are typed messages from fast-check (decode(encode(x)) = x).
// Seeds for mutation are every DHCP payload in ../shared/captures when it exists. Bounded by the
// input count and by wall time, whichever comes first; prints the figures at the end.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import {
  bytesEqual,
  DhcpMessage,
  DhcpView,
  decodeMessage,
  encodeMessage,
  isDhcpError,
  optionsToJSON,
} from "../src/index.js";
import { typedMessage } from "../test/arbitraries.js";
import { DHCP_PORTS, readUdp } from "../test/pcap.js";

const args = process.argv.slice(2);
const arg = (name: string, def: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : def;
};
const target = arg("inputs", 10_000_000);
const minutes = arg("minutes", 30);
let seed = arg("seed", Date.now() % 2 ** 31) >>> 0 || 1;
const deadline = Date.now() + minutes * 60_000;

// xorshift32: fast deterministic randomness for the mutation loop
const rnd = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
};
const int = (n: number): number => Math.floor(rnd() * n);

const here = path.dirname(fileURLToPath(import.meta.url));
const captures = path.resolve(here, "../../../../shared/captures");
const seeds: Uint8Array[] = [];
for (const sub of ["public", "lab"]) {
  const dir = path.join(captures, sub);
  if (!existsSync(dir)) continue;
  for (const f of readdirSync(dir)) {
    if (!/\.pcap(ng)?(\.gz)?$/.test(f)) continue;
    const seen = new Set<string>();
    for (const d of readUdp(path.join(dir, f))) {
      if (!DHCP_PORTS.has(d.srcPort) && !DHCP_PORTS.has(d.dstPort)) continue;
      const key = Buffer.from(d.payload).toString("base64");
      if (seen.has(key) || seen.size > 50) continue;
      seen.add(key);
      seeds.push(d.payload.slice());
    }
  }
}
if (seeds.length === 0) {
  console.warn(`no captures at ${captures}; mutating synthesised messages only`);
}
for (const x of fc.sample(typedMessage, { numRuns: 200, seed })) {
  seeds.push(encodeMessage(new DhcpMessage({ ...x, options: [[53, x.type], ...x.options] })));
}

const stats = { inputs: 0, decoded: 0, roundTrips: 0, typedErrors: 0, typed: 0, strictErrors: 0 };
const buf = new Uint8Array(4096);

function check(b: Uint8Array): void {
  stats.inputs++;
  try {
    const v = new DhcpView(b);
    for (const o of v.options()) v.get(o.code);
    const m = decodeMessage(b);
    stats.decoded++;
    if (stats.inputs % 64 === 0) optionsToJSON(m.options);
    let again: Uint8Array;
    try {
      again = encodeMessage(m);
    } catch (e) {
      throw new Error(
        `re-encoding a decoded message threw ${String(e)}: ${Buffer.from(b).toString("hex")}`,
      );
    }
    if (!bytesEqual(again, b)) {
      throw new Error(`round trip differs for ${Buffer.from(b).toString("hex")}`);
    }
    stats.roundTrips++;
  } catch (e) {
    if (!isDhcpError(e)) {
      console.error("NON-TYPED FAILURE on input", Buffer.from(b).toString("hex"));
      throw e;
    }
    stats.typedErrors++;
  }
  try {
    decodeMessage(b, { strict: true });
  } catch (e) {
    if (!isDhcpError(e)) {
      console.error("NON-TYPED FAILURE (strict) on input", Buffer.from(b).toString("hex"));
      throw e;
    }
    stats.strictErrors++;
  }
}

function mutate(): Uint8Array {
  const base = seeds[int(seeds.length)]!;
  let len = base.length;
  buf.set(base.subarray(0, Math.min(len, buf.length - 64)));
  const n = 1 + int(4);
  for (let k = 0; k < n; k++) {
    const r = int(7);
    const i = len === 0 ? 0 : int(len);
    if (r === 0) buf[i] = buf[i]! ^ (1 << int(8));
    else if (r === 1) buf[i] = int(256);
    else if (r === 2)
      len = i; // truncate
    else if (r === 3 && len < buf.length - 8) {
      buf.copyWithin(i + 1, i, len); // insert
      buf[i] = int(256);
      len++;
    } else if (r === 4 && len > 0) {
      buf.copyWithin(i, i + 1, len); // delete
      len--;
    } else if (r === 5)
      buf[i] = [0, 255, 52, 53, 1, 2, 3][int(7)]!; // interesting bytes
    else if (r === 6 && i > 240) buf[i] = int(4) === 0 ? 255 : int(12); // plausible lengths
  }
  return buf.slice(0, len);
}

function random(): Uint8Array {
  const len = 236 + int(400);
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = int(256);
  if (int(4) !== 0 && len >= 240) b.set([0x63, 0x82, 0x53, 0x63], 236);
  // TLV-shaped tail half the time
  if (int(2) === 0) {
    let p = 240;
    while (p + 2 < len) {
      b[p] = 1 + int(254);
      const l = int(Math.min(40, len - p - 2 + 3));
      b[p + 1] = l;
      p += 2 + l;
    }
  }
  return b;
}

const started = Date.now();
let lastReport = started;
while (stats.inputs < target && Date.now() < deadline) {
  for (let k = 0; k < 1000; k++) {
    const r = int(100);
    if (r < 70) check(mutate());
    else if (r < 99) check(random());
    else {
      const [x] = fc.sample(typedMessage, { numRuns: 1, seed: int(2 ** 31) });
      const m = new DhcpMessage({ ...x!, options: [[53, x!.type], ...x!.options] });
      const bytes = encodeMessage(m);
      const back = decodeMessage(bytes, { strict: true });
      for (const [c, v] of x!.options) {
        const got = back.options.get(c);
        if (
          JSON.stringify(got, (_k, val) => (val instanceof Uint8Array ? [...val] : val)) !==
          JSON.stringify(v, (_k, val) => (val instanceof Uint8Array ? [...val] : val))
        ) {
          throw new Error(`typed round trip differs for option ${c}`);
        }
      }
      stats.typed++;
      check(bytes);
    }
  }
  if (Date.now() - lastReport > 30_000) {
    lastReport = Date.now();
    console.log(`${((lastReport - started) / 1000).toFixed(0)} s: ${JSON.stringify(stats)}`);
  }
}
const secs = (Date.now() - started) / 1000;
console.log(
  `fuzz:long done: ${stats.inputs} inputs in ${secs.toFixed(0)} s (${(stats.inputs / secs).toFixed(0)}/s), ` +
    `${stats.decoded} decoded and ${stats.roundTrips} re-encoded byte-identical, ` +
    `${stats.typedErrors} typed errors (lenient), ${stats.strictErrors} typed errors (strict), ` +
    `${stats.typed} typed-message round trips, ${seeds.length} seeds; no non-DhcpError exception.`,
);
if (stats.inputs < target) {
  console.log(`stopped by the ${minutes}-minute bound before ${target} inputs`);
}

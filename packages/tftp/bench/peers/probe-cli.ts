/**
 * CLI around lib/probe.ts for namespaces other than the harness's own:
 *   probe-cli.ts <host> <port> <file> <blksize> <windowsize>   -> one JSON line
 */
import { probe } from "../lib/probe.js";

const [host, port, file, blksize, windowsize] = process.argv.slice(2);
if (!host || !port || !file) {
  console.error("usage: probe-cli.ts <host> <port> <file> <blksize> <windowsize>");
  process.exit(2);
}
const r = await probe(host, Number(port), file, Number(blksize ?? 512), Number(windowsize ?? 1));
console.log(JSON.stringify(r));

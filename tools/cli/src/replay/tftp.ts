import { createHash, type Hash } from "node:crypto";
import type { UdpDatagram } from "@pxe/replay";
import {
  blockDistance,
  encodePacket,
  NetasciiDecoder,
  type TftpPacket,
  tryDecodePacket,
} from "@pxe/tftp";

/** One transfer reassembled from a capture. */
export interface TftpTransferJson {
  file: string;
  direction: "read" | "write";
  mode: string;
  /** Options the client asked for, and those the server's OACK acknowledged (null: no OACK). */
  options: { requested: Record<string, string>; acknowledged: Record<string, string> | null };
  client: string;
  server: string;
  /** In-order blocks received (absolute count, so rollover is included). */
  blocks: number;
  bytes: number;
  /** sha256 of the reassembled file (netascii translated to LF line ends). */
  sha256: string;
  /** True when the final (short) block was seen. */
  complete: boolean;
  /** DATA packets that repeated a block already taken (retransmissions and duplicates). */
  repeatedData: number;
  /** Wire block number after 65535 as seen in the capture (null: no wrap happened). */
  rollover: 0 | 1 | null;
  error?: { code: number; message: string; frame: number };
}

/** The `tftp` section of one file in `pxe replay --json` (schema 1). */
export interface TftpSection {
  count: number;
  /** Datagrams that decoded as TFTP packets. */
  decoded: number;
  /** Of those, how many re-encode to exactly the captured bytes. */
  roundTripIdentical: number;
  /** Datagrams that did not decode (at most 100 listed). */
  errors: { frame: number; offset: number | null; code: string; message: string }[];
  transfers: TftpTransferJson[];
  [key: string]: unknown;
}

interface Tx {
  json: TftpTransferJson;
  clientAddr: string;
  clientPort: number;
  serverAddr: string;
  serverPort: number | undefined;
  blksize: number;
  rolloverOpt: 0 | 1;
  expected: number;
  hash: Hash;
  netascii: NetasciiDecoder | undefined;
  done: boolean;
}

function record(options: readonly { name: string; value: string }[]): Record<string, string> {
  const r: Record<string, string> = {};
  for (const o of options) r[o.name.toLowerCase()] ??= o.value;
  return r;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function finish(t: Tx): void {
  if (t.done) return;
  t.done = true;
  const tail = t.netascii?.end();
  if (tail?.length) t.hash.update(tail);
  t.json.sha256 = t.hash.digest("hex");
}

/**
 * Builds the `tftp` section from the datagrams classified as TFTP, in capture order: decodes
 * every datagram (and checks that it re-encodes to the same bytes), then reassembles each
 * transfer by following DATA in block order: retransmissions, duplicates and windowed ACKs need
 * no special case, and blocks are counted absolutely so a rollover (to 0 or to 1) is followed.
 */
export function tftpSection(
  datagrams: readonly UdpDatagram[],
  _opts: { verbose: boolean },
): TftpSection {
  const section: TftpSection = {
    count: datagrams.length,
    decoded: 0,
    roundTripIdentical: 0,
    errors: [],
    transfers: [],
  };
  const byClient = new Map<string, Tx>();
  const all: Tx[] = [];
  let errorCount = 0;
  for (const d of datagrams) {
    if (d.truncated) {
      // Cut by the snap length: its bytes cannot be trusted for reassembly.
      errorCount++;
      if (section.errors.length < 100) {
        section.errors.push({
          frame: d.frame,
          offset: d.payload.length,
          code: "truncated-capture",
          message: "datagram cut short in the capture",
        });
      }
      continue;
    }
    const r = tryDecodePacket(d.payload);
    if (!r.ok) {
      errorCount++;
      if (section.errors.length < 100) {
        section.errors.push({
          frame: d.frame,
          offset: r.error.offset ?? null,
          code: r.error.code,
          message: r.error.message,
        });
      }
      continue;
    }
    section.decoded++;
    const p: TftpPacket = r.value;
    try {
      if (sameBytes(encodePacket(p), d.payload)) section.roundTripIdentical++;
    } catch {
      // not re-encodable as decoded (e.g. a latin-1 message): not identical
    }
    if (p.op === 1 || p.op === 2) {
      const key = `${d.srcAddr}|${d.srcPort}`;
      const prev = byClient.get(key);
      // A repeated request from the same TID before any answer is a retransmission.
      if (prev && prev.serverPort === undefined && !prev.done && prev.json.file === p.filename)
        continue;
      if (prev) finish(prev);
      const mode = p.mode.toLowerCase();
      const requested = record(p.options);
      const t: Tx = {
        json: {
          file: p.filename,
          direction: p.op === 1 ? "read" : "write",
          mode,
          options: { requested, acknowledged: null },
          client: `${d.srcAddr}:${d.srcPort}`,
          server: d.dstAddr,
          blocks: 0,
          bytes: 0,
          sha256: "",
          complete: false,
          repeatedData: 0,
          rollover: null,
        },
        clientAddr: d.srcAddr,
        clientPort: d.srcPort,
        serverAddr: d.dstAddr,
        serverPort: undefined,
        blksize: 512,
        rolloverOpt: requested.rollover === "1" ? 1 : 0,
        expected: 1,
        hash: createHash("sha256"),
        netascii: mode === "netascii" ? new NetasciiDecoder() : undefined,
        done: false,
      };
      byClient.set(key, t);
      all.push(t);
      continue;
    }
    // Which transfer: the client is one end, the server (address, TID port once known) the other.
    const fromClient = byClient.get(`${d.srcAddr}|${d.srcPort}`);
    const toClient = byClient.get(`${d.dstAddr}|${d.dstPort}`);
    const t =
      fromClient && fromClient.serverAddr === d.dstAddr
        ? fromClient
        : toClient && toClient.serverAddr === d.srcAddr
          ? toClient
          : undefined;
    if (!t) continue;
    const serverSide = t === toClient;
    if (serverSide) {
      if (t.serverPort === undefined) t.serverPort = d.srcPort;
      else if (t.serverPort !== d.srcPort) continue; // another TID: not this transfer
    } else if (t.serverPort !== undefined && d.dstPort !== t.serverPort) continue;
    if (t.done) {
      // A final block sent again (its ACK was lost) after the transfer ended.
      if (p.op === 3 && serverSide === (t.json.direction === "read")) t.json.repeatedData++;
      continue;
    }
    switch (p.op) {
      case 6: {
        if (!serverSide) break;
        const ack = record(p.options);
        t.json.options.acknowledged = ack;
        const b = Number(ack.blksize);
        if (Number.isInteger(b) && b >= 8) t.blksize = b;
        if (ack.rollover === "1") t.rolloverOpt = 1;
        break;
      }
      case 3: {
        const dataFromServer = t.json.direction === "read";
        if (serverSide !== dataFromServer) break;
        // A wrap to 1 shows itself as wire 1 where wire 0 was expected after 65535.
        let rollover = t.json.rollover ?? t.rolloverOpt;
        if (t.json.rollover === null && t.expected > 65535 && t.expected % 65536 === 0) {
          if (p.block === 1) rollover = 1;
          else if (p.block === 0) rollover = 0;
        }
        if (blockDistance(t.expected, p.block, rollover) !== 0) {
          t.json.repeatedData++;
          break;
        }
        if (t.expected > 65535 && t.json.rollover === null) t.json.rollover = rollover;
        t.expected++;
        t.json.blocks++;
        t.json.bytes += p.data.length;
        t.hash.update(t.netascii ? t.netascii.decode(p.data) : p.data);
        if (p.data.length < t.blksize) {
          t.json.complete = true;
          finish(t);
        }
        break;
      }
      case 5:
        if (!t.json.error) t.json.error = { code: p.code, message: p.message, frame: d.frame };
        finish(t);
        break;
      default:
        break;
    }
  }
  for (const t of all) {
    finish(t);
    section.transfers.push(t.json);
  }
  if (errorCount > section.errors.length) section.errorCount = errorCount;
  return section;
}

/**
 * Deterministic simulated network joining a client engine and a server engine (quinn's `Pair`,
 * h11's `ConnectionPair`): seeded loss, duplication, reordering, delay and header corruption;
 * virtual time advanced to the earliest event; every loop bounded.
 *
 * Corruption mangles headers (opcode, length) only: real payload corruption is caught by the UDP
 * checksum and never reaches TFTP, which has no checksum of its own.
 */
import {
  ClientGetTransfer,
  ClientPutTransfer,
  type ClientRequestOptions,
  decodePacket,
  type EngineOptions,
  negotiateServer,
  type RequestPacket,
  type SenderEngine,
  type ServerNegotiation,
  ServerReadTransfer,
  ServerWriteTransfer,
  type TransferEngine,
} from "@pxe/tftp";

/** mulberry32: small seeded PRNG. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface LinkFaults {
  loss: number;
  dup: number;
  /** Probability of an extra delay that reorders a packet. */
  reorder: number;
  corrupt: number;
  /** Base one-way delay and jitter, ms. */
  delayMs: number;
  jitterMs: number;
}

export interface SimSession {
  seed: number;
  direction: "get" | "put";
  data: Uint8Array;
  request: ClientRequestOptions;
  server?: ServerNegotiation;
  engine?: EngineOptions;
  faults: LinkFaults;
  rollover?: 0 | 1;
  /** Max chunk the application supplies at once. */
  chunk?: number;
}

export interface SimResult {
  seed: number;
  /** Receiver's reassembled bytes (when it completed). */
  received: Uint8Array | undefined;
  clientState: string;
  serverState: string;
  clientFailure: string | undefined;
  serverFailure: string | undefined;
  hung: boolean;
  steps: number;
  virtualMs: number;
  senderStats: { sent: number; retransmitted: number };
  receiverStats: { sent: number; retransmitted: number };
  blocks: number;
}

interface InFlight {
  at: number;
  to: "client" | "server";
  bytes: Uint8Array;
  seq: number;
}

function mangle(rand: () => number, b: Uint8Array): Uint8Array {
  const r = rand();
  if (r < 0.3) return b.slice(0, Math.floor(rand() * Math.min(4, b.length)));
  const c = b.slice();
  if (r < 0.6) {
    c[0] = 0xff;
    return c;
  }
  if (r < 0.8 && c.length >= 2) {
    c[1] = 7 + Math.floor(rand() * 200);
    return c;
  }
  // Extend an ACK (bad length) or glue garbage to a DATA beyond any blksize.
  const ext = new Uint8Array(c.length + 70000);
  ext.set(c);
  return ext;
}

/** Runs one session to its end (or to the step/time bound). */
export function runSession(s: SimSession): SimResult {
  const rand = prng(s.seed);
  const f = s.faults;
  let now = 0;
  let seq = 0;
  const flight: InFlight[] = [];
  const chunkMax = s.chunk ?? 4096;
  const engineOpts: EngineOptions = { maxRetries: 8, ...s.engine };
  const clientOpts = { ...engineOpts, request: s.request, rollover: s.rollover ?? 0 };
  const client: TransferEngine =
    s.direction === "get"
      ? new ClientGetTransfer("file.bin", now, clientOpts)
      : new ClientPutTransfer("file.bin", now, clientOpts);
  let server: TransferEngine | undefined;
  let srcPos = 0;
  const chunks: Uint8Array[] = [];
  let received: Uint8Array | undefined;

  const send = (to: "client" | "server", bytes: Uint8Array) => {
    if (rand() < f.loss) return;
    const copies = rand() < f.dup ? 2 : 1;
    for (let k = 0; k < copies; k++) {
      let b: Uint8Array = bytes.slice();
      if (rand() < f.corrupt) b = mangle(rand, b);
      let delay = f.delayMs + rand() * f.jitterMs;
      if (rand() < f.reorder) delay += rand() * 4 * (f.delayMs + f.jitterMs + 1);
      flight.push({ at: now + delay, to, bytes: b, seq: seq++ });
    }
  };

  const feedSender = (e: SenderEngine) => {
    while (e.wantsData()) {
      if (srcPos >= s.data.length) {
        e.end(now);
        break;
      }
      const n = 1 + Math.floor(rand() * chunkMax);
      const used = e.supply(s.data.subarray(srcPos, Math.min(s.data.length, srcPos + n)), now);
      srcPos += used;
      if (used === 0) break;
    }
  };

  const drainEvents = (e: TransferEngine) => {
    for (let ev = e.pollEvent(); ev; ev = e.pollEvent()) {
      if (ev.type === "data") chunks.push(ev.data.slice());
      if (
        ev.type === "complete" &&
        (e instanceof ClientGetTransfer || e instanceof ServerWriteTransfer)
      ) {
        const out = new Uint8Array(chunks.reduce((a, c) => a + c.length, 0));
        let at = 0;
        for (const c of chunks) {
          out.set(c, at);
          at += c.length;
        }
        received = out;
      }
    }
  };

  const pump = () => {
    const sender = s.direction === "get" ? server : client;
    if (sender && "wantsData" in sender) feedSender(sender as SenderEngine);
    for (let p = client.pollTransmit(now); p; p = client.pollTransmit(now)) send("server", p);
    if (server)
      for (let p = server.pollTransmit(now); p; p = server.pollTransmit(now)) send("client", p);
    drainEvents(client);
    if (server) drainEvents(server);
  };

  const onServerDatagram = (bytes: Uint8Array) => {
    if (server) {
      server.receive(bytes, now);
      return;
    }
    // Port 69: only a well-formed request starts the transfer; garbage is dropped.
    let req: RequestPacket;
    try {
      const p = decodePacket(bytes);
      if (p.op !== 1 && p.op !== 2) return;
      req = p;
    } catch {
      return;
    }
    const kind = req.op === 1 ? "read" : "write";
    const neg = negotiateServer(
      { kind, mode: req.mode.toLowerCase(), options: req.options, size: s.data.length },
      { ...s.server, rollover: s.rollover ?? 0 },
    );
    if (!neg.ok) throw new Error(`negotiation refused: ${neg.message}`);
    server =
      kind === "read"
        ? new ServerReadTransfer({ params: neg.params, oack: neg.oack }, now, engineOpts)
        : new ServerWriteTransfer({ params: neg.params, oack: neg.oack }, now, engineOpts);
  };

  pump();
  let steps = 0;
  const maxSteps = 2_000_000;
  const maxMs = 30 * 60_000;
  while (steps++ < maxSteps) {
    if (client.isClosed && (server === undefined || server.isClosed) && flight.length === 0) break;
    // Earliest thing that happens next.
    let t = Number.POSITIVE_INFINITY;
    let fi = -1;
    for (let i = 0; i < flight.length; i++) {
      const fl = flight[i] as InFlight;
      if (fl.at < t || (fl.at === t && fi >= 0 && fl.seq < (flight[fi] as InFlight).seq)) {
        t = fl.at;
        fi = i;
      }
    }
    const ct = client.nextTimeout();
    const stt = server?.nextTimeout();
    const tmin = Math.min(t, ct ?? Number.POSITIVE_INFINITY, stt ?? Number.POSITIVE_INFINITY);
    if (!Number.isFinite(tmin) || tmin > maxMs) break;
    now = Math.max(now, tmin);
    if (fi >= 0 && t === tmin) {
      const fl = flight.splice(fi, 1)[0] as InFlight;
      if (process.env.SIMTRACE)
        console.log(
          now.toFixed(1),
          fl.to,
          Array.from(fl.bytes.subarray(0, 12)).join(","),
          fl.bytes.length,
        );
      if (fl.to === "server") onServerDatagram(fl.bytes);
      else client.receive(fl.bytes, now);
    } else {
      client.handleTimeout(now);
      server?.handleTimeout(now);
    }
    pump();
  }
  const hung = !client.isClosed || (server !== undefined && !server.isClosed);
  const sender = s.direction === "get" ? server : client;
  const receiver = s.direction === "get" ? client : server;
  return {
    seed: s.seed,
    received,
    clientState: client.state,
    serverState: server?.state ?? "none",
    clientFailure: client.failure ? `${client.failure.kind}: ${client.failure.message}` : undefined,
    serverFailure: server?.failure
      ? `${server.failure.kind}: ${server.failure.message}`
      : undefined,
    hung,
    steps,
    virtualMs: now,
    senderStats: { sent: sender?.stats.sent ?? 0, retransmitted: sender?.stats.retransmitted ?? 0 },
    receiverStats: {
      sent: receiver?.stats.sent ?? 0,
      retransmitted: receiver?.stats.retransmitted ?? 0,
    },
    blocks: sender ? Math.floor(s.data.length / (sender.transferParams.blksize || 512)) + 1 : 0,
  };
}

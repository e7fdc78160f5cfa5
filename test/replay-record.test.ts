/**
 * Re-records the repo's own capture (tftp-hpa client <-> in.tftpd on loopback, under tcpdump) into
 * a temp dir with test/scripts/record-tftp-hpa.sh and checks what @pxe/replay reads from it; also
 * checks the committed test/captures/tftp-hpa-get.pcap.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCapture, type UdpDatagram } from "@pxe/replay/node";
import { describe, expect, it } from "vitest";
import { hasCommand, isRoot, repoRoot, tsharkCounts } from "./helpers/peers.js";

/** The file the script serves: `seq 1 2000 | head -c 3000`. */
const HELLO = new TextEncoder().encode(
  Array.from({ length: 2000 }, (_, i) => `${i + 1}\n`)
    .join("")
    .slice(0, 3000),
);

const be16 = (b: Uint8Array, o: number) => ((b[o] as number) << 8) | (b[o + 1] as number);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** Checks the exchange the script records: RRQ hello.bin, 6 DATA/ACK, RRQ missing.bin, ERROR 1. */
function checkExchange(datagrams: readonly UdpDatagram[], tftpPort: number): void {
  expect(datagrams.length).toBeGreaterThanOrEqual(15);
  expect(datagrams.every((d) => d.kind === "tftp")).toBe(true);
  expect(datagrams.every((d) => d.srcAddr === "127.0.0.1" && d.dstAddr === "127.0.0.1")).toBe(true);
  // Under heavy load a peer may retransmit, so duplicates are allowed; content must be exact.
  const requests = datagrams.filter((d) => d.dstPort === tftpPort);
  const names = requests.map(
    (d) => `${be16(d.payload, 0)} ${text(d.payload.subarray(2)).split("\0")[0]}`,
  );
  expect([...new Set(names)]).toEqual(["1 hello.bin", "1 missing.bin"]);
  const blocks = new Map<number, Uint8Array>();
  for (const d of datagrams)
    if (be16(d.payload, 0) === 3) blocks.set(be16(d.payload, 2), d.payload.subarray(4));
  expect([...blocks.keys()]).toEqual([1, 2, 3, 4, 5, 6]);
  const body = new Uint8Array([...blocks.values()].reduce((n, b) => n + b.length, 0));
  let o = 0;
  for (const b of blocks.values()) {
    body.set(b, o);
    o += b.length;
  }
  expect(body).toEqual(HELLO);
  const errors = datagrams.filter((d) => be16(d.payload, 0) === 5);
  expect([...new Set(errors.map((d) => be16(d.payload, 2)))]).toEqual([1]);
  // Timestamps never go backwards.
  for (let i = 1; i < datagrams.length; i++) {
    expect(
      (datagrams[i] as UdpDatagram).timestampNs >= (datagrams[i - 1] as UdpDatagram).timestampNs,
    ).toBe(true);
  }
}

describe("the repo's own tftp-hpa capture", () => {
  it("test/captures/tftp-hpa-get.pcap holds the transfer and a file-not-found, all TFTP", () => {
    const s = readCapture(join(repoRoot, "test/captures/tftp-hpa-get.pcap"));
    expect(s).toMatchObject({ format: "pcap", linkTypes: [1], errors: [] });
    expect(s.frames).toBe(s.datagrams.length);
    checkExchange(s.datagrams, 69);
  });

  const missing = [
    isRoot() ? undefined : "root",
    hasCommand("tcpdump") ? undefined : "tcpdump",
    hasCommand("in.tftpd") ? undefined : "in.tftpd (tftpd-hpa)",
    hasCommand("tftp") ? undefined : "tftp (tftp-hpa)",
  ].filter((m) => m !== undefined);
  if (missing.length > 0)
    console.warn(
      `replay-record: re-recording skipped, missing: ${missing.join(", ")} (pnpm setup:peers)`,
    );

  it.skipIf(missing.length > 0)(
    "re-records with tcpdump on a non-standard port and reads it back",
    { timeout: 60_000 },
    async () => {
      const dir = mkdtempSync(join(tmpdir(), "pxe-record-"));
      try {
        const out = join(dir, "again.pcap");
        // A port of our own, so this never collides with a TFTP server another test runs on 69.
        const port = 20_000 + (process.pid % 10_000);
        // and a transfer port range of our own, so concurrent runs never share the capture filter
        const dataLo = 42_000 + (process.pid % 200) * 100;
        const stdout = await new Promise<string>((res, rej) => {
          execFile(
            "bash",
            [join(repoRoot, "test/scripts/record-tftp-hpa.sh"), out],
            {
              env: {
                ...process.env,
                TFTP_PORT: String(port),
                DATA_PORTS: `${dataLo}:${dataLo + 99}`,
              },
              timeout: 50_000,
            },
            (err, so, se) => (err ? rej(new Error(`${err.message}\n${se}`)) : res(so)),
          );
        });
        expect(stdout).toContain("wrote");
        expect(readFileSync(out).length).toBeGreaterThan(24);
        // Found two ways: by the configured request port, and (default) by Wireshark's TFTP
        // heuristic, which recognises the read request's body on any port and follows its flow.
        const byPort = readCapture(out, { tftpPort: port, tftpHeuristic: false });
        expect(byPort.errors).toEqual([]);
        checkExchange(byPort.datagrams, port);
        const byContent = readCapture(out);
        checkExchange(byContent.datagrams, port);
        expect(
          readCapture(out, { tftpHeuristic: false }).datagrams.filter((d) => d.kind === "tftp"),
        ).toEqual([]);
        if (hasCommand("tshark")) {
          const t = await tsharkCounts(out);
          expect({ udp: t.udp, tftp: t.tftp }).toEqual({
            udp: byContent.datagrams.length,
            tftp: byContent.datagrams.length,
          });
        }
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});

import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import type { UdpDatagram } from "@pxe/replay";
import { readCapture } from "@pxe/replay/node";
import {
  encodeAck,
  encodeData,
  encodeError,
  encodeOack,
  encodeRequest,
  toNetascii,
  wireBlock,
} from "@pxe/tftp";
import { describe, expect, it } from "vitest";
import { tftpSection } from "../src/replay/tftp.js";

const sha = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** Builds datagrams of one client (10.0.0.50:2000) and server (10.0.0.1, TID 3000). */
function flow() {
  const list: UdpDatagram[] = [];
  const add = (
    fromClient: boolean,
    payload: Uint8Array,
    dstPort = fromClient ? 3000 : 2000,
    srcPort = fromClient ? 2000 : 3000,
  ) =>
    list.push({
      frame: list.length + 1,
      timestampNs: BigInt(list.length),
      ipVersion: 4,
      srcAddr: fromClient ? "10.0.0.50" : "10.0.0.1",
      dstAddr: fromClient ? "10.0.0.1" : "10.0.0.50",
      srcPort,
      dstPort,
      payload,
      kind: "tftp",
      reassembled: false,
      truncated: false,
      linkType: 1,
    });
  return { list, add };
}

function file(n: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + 7) & 0xff;
  return b;
}

describe("tftp replay section on hand-built datagrams", () => {
  it("windowed read with a lost block, retransmission, duplicates and a stray TID", () => {
    const data = file(10 * 512 + 100);
    const { list, add } = flow();
    add(true, encodeRequest(1, "x.bin", "octet", [{ name: "windowsize", value: "4" }]), 69);
    add(true, encodeRequest(1, "x.bin", "octet", [{ name: "windowsize", value: "4" }]), 69); // retransmitted RRQ
    add(false, encodeOack([{ name: "windowsize", value: "4" }]));
    add(true, encodeAck(0));
    const blk = (b: number) => encodeData(b, data.subarray((b - 1) * 512, b * 512));
    for (const b of [1, 2, 4]) add(false, blk(b)); // 3 lost
    add(true, encodeAck(2)); // gap: ACK the last good block
    add(false, blk(2)); // duplicate
    for (const b of [3, 4, 5, 6]) add(false, blk(b));
    add(true, encodeAck(6));
    add(false, encodeData(7, Uint8Array.of(1)), 2000, 4444); // another TID: not this transfer
    for (const b of [7, 8, 9, 10]) add(false, blk(b));
    add(true, encodeAck(10));
    add(false, blk(11));
    add(false, blk(11));
    add(true, encodeAck(11));
    add(true, Uint8Array.of(0, 9)); // garbage
    const s = tftpSection(list, { verbose: false });
    expect(s.count).toBe(list.length);
    expect(s.decoded).toBe(list.length - 1);
    expect(s.roundTripIdentical).toBe(list.length - 1);
    expect(s.errors).toEqual([
      {
        frame: list.length,
        offset: 0,
        code: "bad-opcode",
        message: "unknown opcode 9 (at offset 0)",
      },
    ]);
    expect(s.transfers).toHaveLength(1);
    expect(s.transfers[0]).toMatchObject({
      file: "x.bin",
      direction: "read",
      mode: "octet",
      options: { requested: { windowsize: "4" }, acknowledged: { windowsize: "4" } },
      blocks: 11,
      bytes: data.length,
      sha256: sha(data),
      complete: true,
      repeatedData: 3,
    });
    expect(s.transfers[0]?.error).toBeUndefined();
  });

  for (const rollover of [0, 1] as const) {
    it(`follows block-number rollover to ${rollover} (70000 blocks of 8 bytes)`, () => {
      const n = 70000;
      const data = file(n * 8 + 3);
      const { list, add } = flow();
      add(true, encodeRequest(1, "big", "octet", [{ name: "blksize", value: "8" }]), 69);
      add(false, encodeOack([{ name: "blksize", value: "8" }]));
      add(true, encodeAck(0));
      for (let b = 1; b <= n + 1; b++) {
        add(false, encodeData(wireBlock(b, rollover), data.subarray((b - 1) * 8, b * 8)));
        add(true, encodeAck(wireBlock(b, rollover)));
      }
      const t = tftpSection(list, { verbose: false }).transfers[0];
      expect(t).toMatchObject({
        blocks: n + 1,
        bytes: data.length,
        sha256: sha(data),
        complete: true,
        rollover,
      });
    });
  }

  it("write transfer in netascii, and a refused read with its error", () => {
    const text = new TextEncoder().encode("line 1\nline 2\r\n");
    const wire = toNetascii(text);
    const { list, add } = flow();
    add(true, encodeRequest(2, "up.txt", "netascii"), 69);
    add(false, encodeAck(0));
    add(true, encodeData(1, wire));
    add(false, encodeAck(1));
    // Same client, new port: a read that fails.
    list.push({
      ...(list[0] as UdpDatagram),
      frame: 99,
      srcPort: 2001,
      payload: encodeRequest(1, "nope", "octet"),
    });
    list.push({
      ...(list[1] as UdpDatagram),
      frame: 100,
      dstPort: 2001,
      srcPort: 3001,
      payload: encodeError(1, "File not found"),
    });
    const s = tftpSection(list, { verbose: false });
    expect(s.transfers[0]).toMatchObject({
      file: "up.txt",
      direction: "write",
      mode: "netascii",
      sha256: sha(text),
      complete: true,
    });
    expect(s.transfers[1]).toMatchObject({
      file: "nope",
      complete: false,
      blocks: 0,
      error: { code: 1, message: "File not found", frame: 100 },
    });
  });
});

const shared = path.resolve(__dirname, "../../..", "../shared");
const lab = path.join(shared, "captures", "lab");
const haveLab = existsSync(lab);
if (!haveLab) console.warn(`tftp replay: skipped capture checks: ${lab} does not exist`);

describe.skipIf(!haveLab)("tftp replay section on the lab captures", () => {
  const files = haveLab ? readdirSync(lab).filter((f) => /tftp.*\.pcap(\.gz)?$/.test(f)) : [];
  const reports = new Map<string, ReturnType<typeof tftpSection>>();
  for (const f of files) {
    reports.set(
      f,
      tftpSection(
        readCapture(path.join(lab, f)).datagrams.filter((d) => d.kind === "tftp"),
        { verbose: false },
      ),
    );
  }

  it("decodes every TFTP datagram and re-encodes each to identical bytes", () => {
    expect(files.length).toBeGreaterThan(5);
    for (const [f, s] of reports) {
      expect(s.decoded, f).toBe(s.count);
      expect(s.roundTripIdentical, f).toBe(s.count);
    }
  });

  it("reassembles the scenario files at their sizes (client logs/MANIFEST) with one sha256 per file", () => {
    const want: Record<string, [string, number][]> = {
      "tftp-atftpd-atftp-windowsize.pcap": [["big.bin", 1 << 20]],
      "tftp-atftpd-loss-retransmit.pcap": [["big.bin", 1 << 20]],
      "tftp-dnsmasq-atftp-windowsize-ignored.pcap": [["big.bin", 1 << 20]],
      "tftp-hpa-atftp-blksize-tsize.pcap": [["medium.bin", 200 << 10]],
      "tftp-hpa-curl-blksize.pcap": [["medium.bin", 200 << 10]],
      "tftp-hpa-exact-multiple-512.pcap": [["exact2048.bin", 2048]],
    };
    const shaOf = new Map<string, string>();
    for (const [f, rows] of Object.entries(want)) {
      const s = reports.get(f);
      if (!s) continue;
      for (const [name, size] of rows) {
        const t = s.transfers.find((x) => x.file === name && x.complete);
        expect(t, `${f} ${name}`).toBeDefined();
        expect(t?.bytes).toBe(size);
        // The same file served by different servers reassembles to the same bytes.
        const prev = shaOf.get(name);
        if (prev) expect(t?.sha256, `${f} ${name}`).toBe(prev);
        else shaOf.set(name, t?.sha256 ?? "");
      }
    }
    // Loss: the retransmitted blocks are seen and skipped.
    expect(
      reports.get("tftp-atftpd-loss-retransmit.pcap")?.transfers[0]?.repeatedData,
    ).toBeGreaterThan(0);
    // A refused request carries its error.
    expect(reports.get("tftp-hpa-get-notfound.pcap")?.transfers[0]).toMatchObject({
      complete: false,
      error: { code: 1 },
    });
  });

  it("UEFI boot: EDK2's aborted tsize probe (error 8) then the real transfer", () => {
    const s = reports.get("uefi-tftp-virtio-net-pci.pcap");
    if (!s) return;
    const ipxe = s.transfers.filter((t) => t.file === "ipxe.efi");
    expect(ipxe[0]).toMatchObject({ complete: false, error: { code: 8 } });
    expect(ipxe[1]).toMatchObject({ complete: true, bytes: 850528 });
  });
});

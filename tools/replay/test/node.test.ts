import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { openCapture, readCapture } from "@pxe/replay/node";
import { afterAll, describe, expect, it } from "vitest";
import { concat, dhcpFrame, epb, idb, pcapFile, shb } from "./build.js";

const dir = mkdtempSync(join(tmpdir(), "pxe-replay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("@pxe/replay/node", () => {
  const pcap = pcapFile(1, [{ data: dhcpFrame() }, { data: dhcpFrame() }]);
  const pcapng = concat(shb(false), idb(false, 1), epb(false, 0, 0n, dhcpFrame()));

  it("reads files by path, plain and gzip-compressed, detecting gzip by its magic", () => {
    const files = {
      "a.pcap": pcap,
      "b.pcapng": pcapng,
      "c.pcap.gz": gzipSync(pcap),
      "gzipped-without-suffix": gzipSync(pcapng),
      "plain-with-gz-suffix.gz": pcap,
    };
    for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
    expect(readCapture(join(dir, "a.pcap"))).toMatchObject({
      format: "pcap",
      compressed: false,
      frames: 2,
    });
    expect(readCapture(join(dir, "b.pcapng"))).toMatchObject({
      format: "pcapng",
      compressed: false,
      frames: 1,
    });
    expect(readCapture(join(dir, "c.pcap.gz"))).toMatchObject({
      format: "pcap",
      compressed: true,
      frames: 2,
    });
    expect(readCapture(join(dir, "gzipped-without-suffix"))).toMatchObject({
      format: "pcapng",
      compressed: true,
    });
    expect(readCapture(join(dir, "plain-with-gz-suffix.gz"))).toMatchObject({
      format: "pcap",
      compressed: false,
    });
    expect(openCapture(gzipSync(pcap)).format).toBe("pcap");
  });

  it("reads multi-member gzip files", () => {
    const two = concat(gzipSync(pcap.subarray(0, 30)), gzipSync(pcap.subarray(30)));
    expect(readCapture(two)).toMatchObject({ frames: 2, compressed: true, fatal: undefined });
  });

  it("throws typed errors for missing files, corrupt gzip and non-captures", () => {
    expect(() => readCapture(join(dir, "nope.pcap"))).toThrow(
      expect.objectContaining({ name: "ReplayError", code: "io" }),
    );
    const gz = gzipSync(pcap);
    gz[gz.length - 6] = (gz[gz.length - 6] as number) ^ 0xff; // CRC/size trailer damaged
    expect(() => readCapture(gz)).toThrow(
      expect.objectContaining({ name: "ReplayError", code: "bad-gzip" }),
    );
    expect(() => readCapture(gzipSync(Uint8Array.of(1, 2, 3, 4, 5)))).toThrow(
      expect.objectContaining({ name: "ReplayError", code: "not-a-capture" }),
    );
    expect(() => readCapture(gzipSync(pcap), { maxInflatedBytes: 10 })).toThrow(
      expect.objectContaining({ code: "bad-gzip" }),
    );
  });
});

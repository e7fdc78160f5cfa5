import { openCapture, type ReplayError, readCapture } from "@pxe/replay";
import { builtinPcapBackend, pcapParserBackend } from "@pxe/replay/node";
import { describe, expect, it } from "vitest";
import { concat, dhcpFrame, type PcapVariant, pcapFile } from "./build.js";

const variants: PcapVariant[] = ["us", "ns", "modified"];

describe("classic pcap", () => {
  for (const littleEndian of [true, false]) {
    for (const variant of variants) {
      it(`reads ${littleEndian ? "little" : "big"}-endian ${variant} files with their timestamps`, () => {
        const frac = variant === "ns" ? 123_456_789 : 123_456;
        const file = pcapFile(
          1,
          [
            { data: dhcpFrame(), sec: 1_700_000_000, frac },
            { data: dhcpFrame(300), sec: 1_700_000_001, frac: 0 },
          ],
          { littleEndian, variant },
        );
        const cap = openCapture(file);
        expect(cap.format).toBe("pcap");
        expect(cap.pcapHeader?.littleEndian).toBe(littleEndian);
        expect(cap.pcapHeader?.modified).toBe(variant === "modified");
        expect(cap.linkTypes).toEqual([1]);
        const frames = [...cap.frames()];
        expect(frames.map((f) => f.frame)).toEqual([1, 2]);
        expect(frames[0]?.timestampNs).toBe(
          1_700_000_000_000_000_000n + (variant === "ns" ? 123_456_789n : 123_456_000n),
        );
        expect(frames[1]?.timestampNs).toBe(1_700_000_001_000_000_000n);
        const s = readCapture(file);
        expect(s.frames).toBe(2);
        expect(s.datagrams.map((d) => [d.kind, d.payload.length])).toEqual([
          ["dhcp", 240],
          ["dhcp", 300],
        ]);
        expect(s.errors).toEqual([]);
      });
    }
  }

  it("gives zero-copy views into the input", () => {
    const file = pcapFile(1, [{ data: dhcpFrame() }]);
    const [d] = readCapture(file).datagrams;
    expect(d?.payload.buffer).toBe(file.buffer);
    expect(d?.payload.byteOffset).toBe(24 + 16 + 14 + 20 + 8);
  });

  it("reports a record cut short with its frame and offset, keeping the frames before", () => {
    const whole = pcapFile(1, [{ data: dhcpFrame() }, { data: dhcpFrame() }]);
    const secondAt = 24 + 16 + dhcpFrame().length;
    for (const cut of [secondAt + 3, secondAt + 16, whole.length - 1]) {
      const s = readCapture(whole.subarray(0, cut));
      expect(s.frames).toBe(1);
      expect(s.datagrams).toHaveLength(1);
      expect(s.fatal?.code).toBe("truncated");
      expect(s.fatal?.frame).toBe(2);
      expect(s.fatal?.offset).toBe(secondAt);
      expect(s.fatal?.message).toContain("frame 2");
    }
  });

  it("rejects an impossible record length as bad-record", () => {
    const file = pcapFile(1, [{ data: dhcpFrame() }]);
    new DataView(file.buffer).setUint32(24 + 8, 0x7fffffff, true);
    const s = readCapture(file);
    expect(s.frames).toBe(0);
    expect(s.fatal).toMatchObject({ code: "bad-record", frame: 1, offset: 32 });
  });

  it("throws not-a-capture for unknown magics and short headers", () => {
    const bad = (b: Uint8Array) => {
      try {
        openCapture(b);
      } catch (e) {
        return (e as ReplayError).code;
      }
      return "no error";
    };
    expect(bad(new Uint8Array(0))).toBe("not-a-capture");
    expect(bad(Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8))).toBe("not-a-capture");
    expect(bad(pcapFile(1, []).subarray(0, 20))).toBe("not-a-capture");
    expect(bad(Uint8Array.of(0x1f, 0x8b, 8, 0))).toBe("not-a-capture"); // gzip without a gunzip function
  });

  it("reads an empty capture (header only)", () => {
    const s = readCapture(pcapFile(113, []));
    expect(s).toMatchObject({ format: "pcap", frames: 0, linkTypes: [113], errors: [] });
  });
});

describe("classic pcap backends", () => {
  it("pcap-parser and the built-in reader agree on microsecond files, also when truncated", async () => {
    for (const littleEndian of [true, false]) {
      const file = pcapFile(
        1,
        [
          { data: dhcpFrame(), frac: 5 },
          { data: dhcpFrame(17), sec: 9 },
        ],
        { littleEndian },
      );
      for (const bytes of [file, file.subarray(0, file.length - 5)]) {
        const a = await builtinPcapBackend.read(bytes);
        const b = await pcapParserBackend.read(bytes);
        expect(b.linkType).toBe(a.linkType);
        expect(b.frames).toEqual(a.frames);
        expect(b.fatal?.code).toBe(a.fatal?.code);
        expect(b.fatal?.frame).toBe(a.fatal?.frame);
      }
    }
  });

  it("pcap-parser rejects nanosecond and modified files, which the built-in reader reads", async () => {
    for (const variant of ["ns", "modified"] as const) {
      const file = pcapFile(1, [{ data: dhcpFrame() }], { variant });
      await expect(pcapParserBackend.read(file)).rejects.toMatchObject({
        name: "ReplayError",
        code: "not-a-capture",
      });
      expect((await builtinPcapBackend.read(file)).frames).toHaveLength(1);
    }
  });

  it("both backends reject bytes that are not a pcap", async () => {
    const junk = concat(Uint8Array.of(0, 1, 2, 3), new Uint8Array(40));
    await expect(builtinPcapBackend.read(junk)).rejects.toMatchObject({ code: "not-a-capture" });
    await expect(pcapParserBackend.read(junk)).rejects.toMatchObject({ code: "not-a-capture" });
  });
});

import { openCapture, readCapture } from "@pxe/replay";
import { describe, expect, it } from "vitest";
import {
  block,
  concat,
  dhcpFrame,
  epb,
  ethernet,
  idb,
  ipv4,
  pb,
  shb,
  sll,
  spb,
  udp,
} from "./build.js";

const SEC = 1_700_000_000n;

describe("pcapng", () => {
  for (const le of [true, false]) {
    const order = le ? "little" : "big";

    it(`reads enhanced, simple and obsolete packet blocks (${order}-endian)`, () => {
      const file = concat(
        shb(le),
        idb(le, 1),
        epb(le, 0, SEC * 1_000_000n + 42n, dhcpFrame()),
        spb(le, dhcpFrame(100)),
        pb(le, 0, SEC * 1_000_000n, dhcpFrame(7)),
      );
      const cap = openCapture(file);
      expect(cap.format).toBe("pcapng");
      const frames = [...cap.frames()];
      expect(cap.linkTypes).toEqual([1]);
      expect(frames.map((f) => [f.frame, f.data.length])).toEqual([
        [1, dhcpFrame().length],
        [2, dhcpFrame(100).length],
        [3, dhcpFrame(7).length],
      ]);
      expect(frames[0]?.timestampNs).toBe(SEC * 1_000_000_000n + 42_000n);
      expect(readCapture(file).datagrams.map((d) => d.payload.length)).toEqual([240, 100, 7]);
    });

    it(`applies per-interface timestamp resolution and offset (${order}-endian)`, () => {
      const file = concat(
        shb(le),
        idb(le, 1), // default: microseconds
        idb(le, 113, { tsresol: 9 }), // nanoseconds
        idb(le, 101, { tsresol: 0x80 | 10, tsoffset: 100n }), // 2^-10 s, +100 s
        epb(le, 0, 1_500_000n, dhcpFrame()),
        epb(
          le,
          1,
          2_000_000_123n,
          sll(
            0x0800,
            ipv4({}, udp({ srcPort: 50000, dstPort: 69, payload: Uint8Array.of(0, 4, 0, 1) })),
          ),
        ),
        epb(le, 2, 1024n * 3n + 512n, ipv4({}, udp({ srcPort: 5, dstPort: 6 }))),
      );
      const cap = openCapture(file);
      const frames = [...cap.frames()];
      expect(cap.linkTypes).toEqual([1, 113, 101]);
      expect(frames.map((f) => [f.interfaceId, f.linkType, f.timestampNs])).toEqual([
        [0, 1, 1_500_000_000n],
        [1, 113, 2_000_000_123n],
        [2, 101, 103_500_000_000n],
      ]);
      expect(readCapture(file).datagrams.map((d) => d.kind)).toEqual(["dhcp", "tftp", "other"]);
    });

    it(`counts custom blocks as frames, as Wireshark does, and skips other blocks (${order}-endian)`, () => {
      const file = concat(
        shb(le),
        idb(le, 1),
        block(0x00000bad, new Uint8Array(12), le),
        block(4, new Uint8Array(4), le), // name resolution block
        epb(le, 0, 0n, dhcpFrame()),
        block(5, new Uint8Array(12), le), // interface statistics block
        block(0x40000bad, new Uint8Array(8), le),
      );
      const s = readCapture(file);
      expect(s.frames).toBe(3);
      expect(s.datagrams.map((d) => d.frame)).toEqual([2]);
    });
  }

  it("reads several sections with different byte orders; a new section resets the interfaces", () => {
    const file = concat(
      shb(true),
      idb(true, 1),
      epb(true, 0, 0n, dhcpFrame()),
      shb(false),
      idb(false, 113),
      epb(false, 0, 0n, sll(0x0800, ipv4({}, udp({})))),
      shb(true),
      epb(true, 0, 0n, dhcpFrame()), // interface 0 is not described in this section
    );
    const s = readCapture(file);
    expect(s.linkTypes).toEqual([1, 113]);
    expect(s.frames).toBe(3);
    expect(s.datagrams.map((d) => [d.frame, d.linkType])).toEqual([
      [1, 1],
      [2, 113],
    ]);
    expect(s.fatal).toBeUndefined();
    expect(s.errors).toHaveLength(1);
    expect(s.errors[0]).toMatchObject({ code: "bad-interface", frame: 3 });
  });

  it("reports a block cut short, a bad total length and a mismatched trailer, stopping there", () => {
    const head = concat(shb(true), idb(true, 1));
    const one = epb(true, 0, 0n, dhcpFrame());
    const file = concat(head, one, one);
    const cut = readCapture(file.subarray(0, file.length - 6));
    expect(cut.frames).toBe(1);
    expect(cut.fatal).toMatchObject({ code: "truncated", offset: head.length + one.length });

    const badLen = file.slice();
    new DataView(badLen.buffer).setUint32(head.length + one.length + 4, 13, true);
    expect(readCapture(badLen).fatal).toMatchObject({
      code: "bad-record",
      offset: head.length + one.length + 4,
    });

    const badTrailer = file.slice();
    new DataView(badTrailer.buffer).setUint32(head.length + one.length - 4, 8, true);
    expect(readCapture(badTrailer).fatal).toMatchObject({
      code: "bad-record",
      offset: head.length + one.length - 4,
    });
    expect(readCapture(badTrailer).frames).toBe(0);
  });

  it("reports an enhanced packet block whose captured length overruns it", () => {
    const file = concat(shb(true), idb(true, 1), epb(true, 0, 0n, dhcpFrame()));
    const at = shb(true).length + idb(true, 1).length + 8 + 12;
    new DataView(file.buffer).setUint32(at, 5000, true);
    expect(readCapture(file).fatal).toMatchObject({ code: "bad-record", frame: 1, offset: at });
  });

  it("rejects a section header without a valid byte-order magic", () => {
    const file = concat(shb(true), idb(true, 1));
    file[8] = 0;
    expect(readCapture(file).fatal).toMatchObject({ code: "bad-record", offset: 8 });
  });

  it("takes the simple packet block's captured length from the interface snap length", () => {
    const frame = ethernet(0x0800, ipv4({}, udp({ payload: new Uint8Array(200) })));
    const s = readCapture(concat(shb(true), idb(true, 1, { snapLength: 60 }), spb(true, frame)));
    expect(s.datagrams[0]).toMatchObject({ truncated: true });
    expect(s.datagrams[0]?.payload.length).toBe(60 - 42);
  });
});

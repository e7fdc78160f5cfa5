import {
  bytesEqual,
  createReply,
  DhcpMessage,
  DhcpView,
  decodeMessage,
  encodeInto,
  encodeMessage,
  encodingLength,
  isDhcpError,
  MessageType,
} from "@pxe/dhcp";
import { describe, expect, it } from "vitest";
import { message } from "./helpers.js";

function codes(bytes: Uint8Array): number[] {
  return [...new DhcpView(bytes).options()].map((o) => o.code);
}

function proxyOffer(): DhcpMessage {
  return new DhcpMessage({
    op: 2,
    xid: 0x11223344,
    chaddr: "52:54:00:12:34:56",
    broadcast: true,
    siaddr: "192.168.1.10",
    file: "ipxe.efi",
    options: [
      [43, Uint8Array.of(6, 1, 8, 255)],
      [97, Uint8Array.of(0, ...new Array(16).fill(7))],
      [60, "PXEClient"],
      [82, [{ code: 1, data: Uint8Array.of(1, 2) }]],
      [54, "192.168.1.10"],
      [53, MessageType.OFFER],
    ],
  });
}

describe("encoder order rules for new messages", () => {
  it("puts 53 and 54 first, 60 before 43, 82 last, END then Pad to 300", () => {
    const out = new Uint8Array(400).fill(0xa5);
    const n = encodeInto(proxyOffer(), out, 0);
    expect(n).toBe(300);
    const bytes = out.subarray(0, n);
    expect(codes(bytes)).toEqual([53, 54, 60, 43, 97, 82]);
    const v = new DhcpView(bytes, { strict: true });
    expect(v.warnings).toEqual([]);
    // END is immediately after the last option: no Pad before END (old U-Boot misreads it).
    const last = [...v.options()].at(-1)!;
    const endAt = last.offset + 2 + last.length;
    expect(bytes[endAt]).toBe(255);
    expect([...bytes.subarray(endAt + 1)].every((b) => b === 0)).toBe(true);
    // Header: no poison byte left, file NUL-terminated, broadcast bit.
    expect([...bytes].includes(0xa5)).toBe(false);
    expect(v.file).toBe("ipxe.efi");
    expect(bytes[108 + 8]).toBe(0);
    expect(v.broadcast).toBe(true);
    expect(v.siaddr).toBe("192.168.1.10");
    expect(out[300]).toBe(0xa5); // nothing written past the message
  });

  it("encodes at an offset without touching the surrounding bytes", () => {
    const out = new Uint8Array(360).fill(0xa5);
    const n = encodeInto(proxyOffer(), out, 30);
    expect(out[29]).toBe(0xa5);
    expect(out[30 + n]).toBe(0xa5);
    expect(bytesEqual(out.subarray(30, 30 + n), encodeMessage(proxyOffer()))).toBe(true);
  });

  it("throws buffer-too-small rather than a RangeError", () => {
    try {
      encodeInto(proxyOffer(), new Uint8Array(250));
      expect.unreachable();
    } catch (e) {
      expect(isDhcpError(e) && e.code).toBe("buffer-too-small");
    }
  });

  it("splits values over 255 bytes into consecutive instances (RFC 3396)", () => {
    const big = Uint8Array.from({ length: 600 }, (_, i) => i & 0xff);
    const m = new DhcpMessage({
      options: [
        [53, 1],
        [43, big],
      ],
    });
    const bytes = encodeMessage(m);
    const v = new DhcpView(bytes);
    expect([...v.options()].map((o) => [o.code, o.length])).toEqual([
      [53, 1],
      [43, 255],
      [43, 255],
      [43, 90],
    ]);
    expect(bytesEqual(v.get(43)!, big)).toBe(true);
    expect(bytesEqual(decodeMessage(bytes).options.getRaw(43)!, big)).toBe(true);
  });

  it("overflows into file then sname with option 52 to fit maxSize", () => {
    const m = new DhcpMessage({
      options: [
        [53, 2],
        [54, "10.0.0.1"],
        [12, "h".repeat(30)],
        [15, "d".repeat(60)],
        [17, "r".repeat(60)],
        [66, "t".repeat(40)],
      ],
    });
    const bytes = encodeMessage(m, { maxSize: 300 });
    expect(bytes.length).toBe(300);
    const v = new DhcpView(bytes, { strict: true });
    expect(v.overload).toBe(3);
    const back = decodeMessage(bytes, { strict: true });
    expect(back.options.get(12)).toBe("h".repeat(30));
    expect(back.options.get(17)).toBe("r".repeat(60));
    expect(back.options.get(66)).toBe("t".repeat(40));
    expect(back.options.codes()).toEqual([53, 54, 52, 12, 15, 17, 66]);
    expect(() => encodeMessage(m, { maxSize: 300, overload: false })).toThrow(/overload is off/);
    expect(() => encodeMessage(m, { maxSize: 250 })).toThrow(/do not fit/);
  });

  it("writes sname/file NUL-terminated and rejects ones that do not fit", () => {
    const m = new DhcpMessage({ sname: "x".repeat(63), file: "f".repeat(127) });
    const v = new DhcpView(encodeMessage(m));
    expect(v.sname).toBe("x".repeat(63));
    expect(v.file).toBe("f".repeat(127));
    expect(() => encodeMessage(new DhcpMessage({ file: "f".repeat(128) }))).toThrow(/file/);
  });
});

describe("round trip and modification of decoded messages", () => {
  it("re-encodes irregular messages byte for byte", () => {
    const samples = [
      message([53, 1, 1]), // missing END
      message([0, 53, 1, 1, 0, 255, 1, 2, 3]), // Pad, garbage after END
      message([53, 1, 1, 12, 9, 0x41]), // truncated last option
      message([43, 1, 1, 53, 1, 3, 43, 1, 2, 54, 8, 1, 2, 3, 4, 1, 2, 3, 4, 255]), // split 43, doubled 54
      message([55, 3, 1, 0, 3, 255]),
    ];
    for (const s of samples) {
      const m = decodeMessage(s);
      expect(m.warnings.length).toBeGreaterThan(0);
      expect(bytesEqual(encodeMessage(m), s)).toBe(true);
    }
  });

  it("keeps order when modified; new options go before 82, changed ones stay in place", () => {
    const src = encodeMessage(
      new DhcpMessage({
        options: [
          [53, 1],
          [12, "a"],
          [60, "PXEClient"],
          [82, [{ code: 1, data: Uint8Array.of(9) }]],
        ],
      }),
    );
    const m = decodeMessage(src);
    m.options.set(12, "longer-name");
    m.options.set(61, { type: 1, id: Uint8Array.of(1, 2, 3, 4, 5, 6) });
    m.options.delete(60);
    const out = encodeMessage(m);
    expect(codes(out)).toEqual([53, 12, 61, 82]);
    expect(decodeMessage(out).options.get(12)).toBe("longer-name");
    expect(encodingLength(m)).toBe(out.length);
  });

  it("builds a reply that echoes 61 and 82 and keeps 82 last", () => {
    const req = new DhcpMessage({
      xid: 42,
      chaddr: "aa:bb:cc:dd:ee:ff",
      giaddr: "10.1.0.1",
      broadcast: true,
      options: [
        [53, 1],
        [61, { type: 1, id: Uint8Array.of(0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff) }],
        [82, [{ code: 1, data: Uint8Array.of(1) }]],
      ],
    });
    const rep = createReply(req, {
      yiaddr: "10.1.0.50",
      options: [
        [53, 2],
        [54, "10.1.0.2"],
      ],
    });
    const v = new DhcpView(encodeMessage(rep));
    expect([v.op, v.xid, v.chaddrText, v.giaddr, v.broadcast, v.yiaddr]).toEqual([
      2,
      42,
      "aa:bb:cc:dd:ee:ff",
      "10.1.0.1",
      true,
      "10.1.0.50",
    ]);
    expect([...v.options()].map((o) => o.code)).toEqual([53, 54, 61, 82]);
  });
});

describe("BOOTP without vendor area", () => {
  it("round-trips a bare 236-byte header", () => {
    const bytes = new Uint8Array(236);
    bytes[0] = 2;
    bytes[2] = 6;
    const m = decodeMessage(bytes, { strict: true });
    expect(m.cookie).toBe(false);
    expect(encodeMessage(m)).toEqual(bytes);
  });
});

describe("re-encoding an overloaded message canonically", () => {
  it("clears sname/file that held options and keeps the options", () => {
    const m = new DhcpMessage({
      options: [
        [53, 2],
        [12, "h".repeat(30)],
        [15, "d".repeat(60)],
        [66, "t".repeat(40)],
      ],
    });
    const over = encodeMessage(m, { maxSize: 300 });
    expect(new DhcpView(over).overload).toBe(1);
    const back = decodeMessage(over);
    expect([back.sname, back.file]).toEqual(["", ""]);
    const canon = encodeMessage(back, { canonical: true });
    const v = new DhcpView(canon, { strict: true });
    expect(v.overload).toBe(0);
    expect([...v.snameField].every((b) => b === 0)).toBe(true);
    expect([...v.fileField].every((b) => b === 0)).toBe(true);
    expect(decodeMessage(canon).options.get(66)).toBe("t".repeat(40));
    // and a change inside an overloaded area falls back to a fresh layout that still decodes
    back.options.set(66, "x");
    const changed = decodeMessage(encodeMessage(back, { maxSize: 300 }), { strict: true });
    expect(changed.options.get(66)).toBe("x");
    expect(changed.options.get(15)).toBe("d".repeat(60));
  });
});

import { DhcpView, EntryKind, isDhcpError, OptionArea } from "@pxe/dhcp";
import { describe, expect, it } from "vitest";
import { ascii, header, message } from "./helpers.js";

function errorOf(f: () => unknown): {
  code: string;
  offset: number | undefined;
  optionCode: number | undefined;
} {
  try {
    f();
  } catch (e) {
    if (isDhcpError(e)) return { code: e.code, offset: e.offset, optionCode: e.optionCode };
    throw e;
  }
  throw new Error("expected a DhcpError");
}

describe("DhcpView header", () => {
  it("reads every BOOTP field in place", () => {
    const h = header({ op: 2, xid: 0xdeadbeef });
    h[3] = 1; // hops
    h[8] = 0x01;
    h[9] = 0x02; // secs 258
    h[10] = 0x80; // broadcast
    [10, 0, 0, 1].forEach((b, i) => {
      h[12 + i] = b;
    });
    [10, 0, 0, 2].forEach((b, i) => {
      h[16 + i] = b;
    });
    [10, 0, 0, 3].forEach((b, i) => {
      h[20 + i] = b;
    });
    [10, 0, 0, 4].forEach((b, i) => {
      h[24 + i] = b;
    });
    ascii("srv").forEach((b, i) => {
      h[44 + i] = b;
    });
    ascii("boot.efi").forEach((b, i) => {
      h[108 + i] = b;
    });
    const bytes = Uint8Array.from([...h, 0x63, 0x82, 0x53, 0x63, 53, 1, 2, 255]);
    const v = new DhcpView(bytes);
    expect([v.op, v.htype, v.hlen, v.hops, v.xid, v.secs, v.flags]).toEqual([
      2, 1, 6, 1, 0xdeadbeef, 258, 0x8000,
    ]);
    expect(v.broadcast).toBe(true);
    expect([v.ciaddr, v.yiaddr, v.siaddr, v.giaddr]).toEqual([
      "10.0.0.1",
      "10.0.0.2",
      "10.0.0.3",
      "10.0.0.4",
    ]);
    expect(v.chaddrText).toBe("52:54:00:12:34:56");
    expect(v.chaddr.buffer).toBe(bytes.buffer); // a view, not a copy
    expect(v.sname).toBe("srv");
    expect(v.file).toBe("boot.efi");
    expect(v.cookie).toBe(0x63825363);
    expect(v.messageType).toBe(2);
  });

  it("rejects a truncated header and a bad cookie with typed errors", () => {
    expect(errorOf(() => new DhcpView(new Uint8Array(100)))).toMatchObject({
      code: "truncated",
      offset: 100,
    });
    const bad = message([53, 1, 1, 255]);
    bad[237] = 0;
    expect(errorOf(() => new DhcpView(bad))).toMatchObject({ code: "bad-cookie", offset: 236 });
    expect(errorOf(() => new DhcpView(Uint8Array.from([...header(), 0x63, 0x82])))).toMatchObject({
      code: "truncated",
    });
  });

  it("decodes a BOOTP message without options", () => {
    const bytes = Uint8Array.from([...header(), ...new Array(64).fill(0)]);
    const v = DhcpView.check(bytes, { strict: true });
    expect(v.hasCookie).toBe(false);
    expect(v.messageType).toBeUndefined();
    expect([...v.options()]).toEqual([]);
  });
});

describe("DhcpView options", () => {
  it("iterates instances in wire order with offsets and subarray data, skipping Pad", () => {
    const bytes = message([53, 1, 1, 0, 0, 12, 1, 0x41, 255, 0, 0]);
    const v = new DhcpView(bytes);
    const opts = [...v.options()];
    expect(opts.map((o) => [o.code, o.offset, o.length, [...o.data], o.area])).toEqual([
      [53, 240, 1, [1], OptionArea.options],
      [12, 245, 1, [0x41], OptionArea.options],
    ]);
    expect(v.warnings).toEqual([]); // Pad before and after END is normal
    expect(opts[1]!.data.buffer).toBe(bytes.buffer);
    // The npm `dhcp` Pad bug: 00 35 01 01 0c 01 41 ff must read as {53: 1, 12: "A"}.
    const v2 = new DhcpView(message([0, 53, 1, 1, 12, 1, 0x41, 255]));
    expect(v2.messageType).toBe(1);
    expect([...v2.get(12)!]).toEqual([0x41]);
  });

  it("concatenates non-adjacent instances (RFC 3396) and counts them", () => {
    const v = new DhcpView(message([43, 2, 1, 2, 53, 1, 1, 43, 1, 3, 255]));
    expect(v.count(43)).toBe(2);
    expect([...v.get(43)!]).toEqual([1, 2, 3]);
    expect(v.get(99)).toBeUndefined();
  });

  it("reads options from file then sname under option 52 and concatenates across areas", () => {
    const h = header();
    // file: 67 "a" + 43 [2] + END; sname: 43 [3] + END
    [67, 1, 0x61, 43, 1, 2, 255].forEach((b, i) => {
      h[108 + i] = b;
    });
    [43, 1, 3, 255].forEach((b, i) => {
      h[44 + i] = b;
    });
    const bytes = Uint8Array.from([...h, 0x63, 0x82, 0x53, 0x63, 52, 1, 3, 43, 1, 1, 255]);
    const v = DhcpView.check(bytes, { strict: true });
    expect(v.overload).toBe(3);
    expect(v.file).toBe("");
    expect(v.sname).toBe("");
    expect([...v.get(43)!]).toEqual([1, 2, 3]);
    expect([...v.options()].map((o) => [o.code, o.area])).toEqual([
      [52, 0],
      [43, 0],
      [67, 1],
      [43, 1],
      [43, 2],
    ]);
  });

  it("reports irregularities as warnings with offset and option code, or throws in strict mode", () => {
    const cases: Array<[number[], string, number, number | undefined]> = [
      [[53, 1, 1], "missing-end", 243, undefined],
      [[53, 1, 1, 255, 0, 7], "trailing-bytes", 245, undefined],
      [[53, 1, 1, 12, 9, 0x41], "truncated-option", 243, 12],
      [[53, 1, 1, 12], "truncated-option", 243, 12],
      [[52, 1, 9, 255], "bad-overload", 240, 52],
    ];
    for (const [opts, code, offset, optionCode] of cases) {
      const bytes = message(opts);
      const v = DhcpView.check(bytes);
      expect(v.warnings).toEqual([expect.objectContaining({ code, offset, optionCode })]);
      expect(errorOf(() => DhcpView.check(bytes, { strict: true }))).toEqual({
        code,
        offset,
        optionCode,
      });
    }
  });

  it("records Pad runs, END and the tail as layout entries", () => {
    const v = new DhcpView(message([0, 0, 53, 1, 1, 255, 0, 0, 0]));
    const kinds = Array.from({ length: v.entryCount }, (_, i) => [
      v.entryKind(i),
      v.entryOffset(i),
      v.entryLength(i),
    ]);
    expect(kinds).toEqual([
      [EntryKind.pad, 240, 2],
      [EntryKind.option, 242, 1],
      [EntryKind.end, 245, 0],
      [EntryKind.tail, 246, 3],
    ]);
  });

  it("flags data in a vendor area that has no cookie", () => {
    const bytes = Uint8Array.from([...header(), 0, 0, 0, 0, 53, 1, 1, 255]);
    const v = new DhcpView(bytes);
    expect(v.hasCookie).toBe(false);
    expect(v.warnings[0]).toMatchObject({ code: "bad-cookie", offset: 240 });
  });
});

describe("tryDecodeMessage", () => {
  it("returns typed errors instead of throwing", async () => {
    const { tryDecodeMessage } = await import("@pxe/dhcp");
    const bad = tryDecodeMessage(new Uint8Array(12));
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect([bad.error.code, bad.error.offset]).toEqual(["truncated", 12]);
    const good = tryDecodeMessage(message([53, 1, 1, 255]));
    expect(good.ok && good.message.type).toBe(1);
  });
});

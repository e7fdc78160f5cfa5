import { decodeLink, LinkTypes, readCapture } from "@pxe/replay";
import { describe, expect, it } from "vitest";
import {
  concat,
  ethernet,
  ext6,
  frag6,
  ipv4,
  ipv6,
  nullHeader,
  pcapFile,
  sll,
  sll2,
  u16be,
  udp,
} from "./build.js";

const dgram4 = ipv4(
  { src: "192.168.1.10", dst: "192.168.1.1" },
  udp({ srcPort: 68, dstPort: 67, payload: Uint8Array.of(1, 2, 3) }),
);
const dgram6 = ipv6(
  { src: "2001:db8::1", dst: "2001:db8::2" },
  udp({ srcPort: 546, dstPort: 547, payload: Uint8Array.of(9) }),
);

function one(linkType: number, data: Uint8Array, originalLength?: number) {
  const s = readCapture(
    pcapFile(linkType, [originalLength === undefined ? { data } : { data, originalLength }]),
  );
  return s;
}

describe("link layers", () => {
  const cases: [string, number, Uint8Array, 4 | 6][] = [
    ["Ethernet", LinkTypes.Ethernet, ethernet(0x0800, dgram4), 4],
    ["Ethernet + 802.1Q", LinkTypes.Ethernet, ethernet(0x0800, dgram4, [0x8100]), 4],
    [
      "Ethernet + QinQ (802.1ad)",
      LinkTypes.Ethernet,
      ethernet(0x86dd, dgram6, [0x88a8, 0x8100]),
      6,
    ],
    [
      "Ethernet 802.3 + LLC/SNAP",
      LinkTypes.Ethernet,
      ethernet(
        dgram4.length + 8,
        concat(Uint8Array.of(0xaa, 0xaa, 3, 0, 0, 0), u16be(0x0800), dgram4),
      ),
      4,
    ],
    ["Linux SLL", LinkTypes.LinuxSll, sll(0x0800, dgram4), 4],
    ["Linux SLL IPv6", LinkTypes.LinuxSll, sll(0x86dd, dgram6), 6],
    ["Linux SLL2", LinkTypes.LinuxSll2, sll2(0x0800, dgram4), 4],
    ["raw (101) IPv4", LinkTypes.Raw, dgram4, 4],
    ["raw (101) IPv6", LinkTypes.Raw, dgram6, 6],
    ["raw (12) IPv4", LinkTypes.RawLegacy, dgram4, 4],
    ["IPv4 (228)", LinkTypes.Ipv4, dgram4, 4],
    ["IPv6 (229)", LinkTypes.Ipv6, dgram6, 6],
    ["null, little-endian AF_INET", LinkTypes.Null, nullHeader(2, true, dgram4), 4],
    ["null, big-endian AF_INET", LinkTypes.Null, nullHeader(2, false, dgram4), 4],
    ["null, AF_INET6 (BSD 24)", LinkTypes.Null, nullHeader(24, true, dgram6), 6],
    ["null, AF_INET6 (macOS 30)", LinkTypes.Null, nullHeader(30, false, dgram6), 6],
    ["loop (108), AF_INET", LinkTypes.Loop, nullHeader(2, false, dgram4), 4],
  ];
  for (const [name, lt, data, v] of cases) {
    it(`finds UDP in ${name}`, () => {
      const s = one(lt, data);
      expect(s.errors).toEqual([]);
      expect(s.datagrams).toHaveLength(1);
      const d = s.datagrams[0];
      expect(d?.ipVersion).toBe(v);
      if (v === 4)
        expect(d).toMatchObject({
          srcAddr: "192.168.1.10",
          dstAddr: "192.168.1.1",
          srcPort: 68,
          dstPort: 67,
          kind: "dhcp",
        });
      else
        expect(d).toMatchObject({
          srcAddr: "2001:db8::1",
          dstAddr: "2001:db8::2",
          srcPort: 546,
          dstPort: 547,
          kind: "other",
        });
      expect(d?.linkType).toBe(lt);
    });
  }

  it("ignores non-IP frames without an error", () => {
    expect(one(1, ethernet(0x0806, new Uint8Array(28)))).toMatchObject({
      frames: 1,
      datagrams: [],
      errors: [],
    });
    expect(one(113, sll(0x0806, new Uint8Array(28)))).toMatchObject({ datagrams: [], errors: [] });
    expect(one(0, nullHeader(7, true, dgram4))).toMatchObject({ datagrams: [], errors: [] });
  });

  it("reports link headers cut short as bad-link with the frame and offset", () => {
    for (const [lt, len] of [
      [1, 10],
      [113, 15],
      [276, 19],
      [0, 3],
      [108, 2],
    ] as const) {
      const s = one(lt, new Uint8Array(len));
      expect(s.errors).toHaveLength(1);
      expect(s.errors[0]).toMatchObject({ code: "bad-link", frame: 1, offset: 40 });
    }
    expect(
      one(1, ethernet(0x0800, new Uint8Array(0), [0x8100]).subarray(0, 16)).errors[0]?.code,
    ).toBe("bad-link");
  });

  it("bounds the number of VLAN tags", () => {
    const s = one(1, ethernet(0x0800, dgram4, Array(9).fill(0x8100)));
    expect(s.errors[0]?.code).toBe("bad-link");
  });

  it("reports an unsupported link type once per capture", () => {
    const s = readCapture(pcapFile(147, [{ data: dgram4 }, { data: dgram4 }]));
    expect(s.frames).toBe(2);
    expect(s.errors.map((e) => [e.code, e.frame])).toEqual([["unsupported-link", 1]]);
  });

  it("decodeLink is usable on its own", () => {
    expect(decodeLink(1, ethernet(0x86dd, dgram6, [0x8100]))).toEqual({ ipVersion: 6, offset: 18 });
    expect(() => decodeLink(9999, new Uint8Array(4))).toThrow(
      expect.objectContaining({ name: "ReplayError", code: "unsupported-link" }),
    );
  });
});

describe("IPv4", () => {
  it("reports bad headers per frame and keeps reading", () => {
    const frames = [
      ipv4({ version: 5 }, udp({})),
      ipv4({ ihl: 4 }, udp({})),
      ipv4({ totalLength: 10 }, udp({})),
      ipv4({ totalLength: 400 }, udp({})), // longer than the packet on the wire
      dgram4.subarray(0, 12),
      ipv4({ ihl: 15 }, new Uint8Array(0)).subarray(0, 40),
      dgram4,
    ];
    const s = readCapture(
      pcapFile(
        228,
        frames.map((data) => ({ data })),
      ),
    );
    expect(s.frames).toBe(7);
    expect(s.errors.map((e) => [e.code, e.frame])).toEqual([
      ["bad-ip", 1],
      ["bad-ip", 2],
      ["bad-ip", 3],
      ["bad-ip", 4],
      ["bad-ip", 5],
      ["bad-ip", 6],
    ]);
    // Like tshark, a total length beyond the packet is reported but the bytes present are decoded.
    expect(s.datagrams.map((d) => [d.frame, d.truncated])).toEqual([
      [4, false], // its UDP header says 8 bytes, all present
      [7, false],
    ]);
    expect(s.errors[2]?.offset).toBe(24 + 3 * 16 + 2 * frames[0]!.length + 2); // the total-length field of frame 3
  });

  it("skips non-UDP protocols", () => {
    expect(one(101, ipv4({ protocol: 6 }, new Uint8Array(20))).datagrams).toEqual([]);
  });

  it("does not count the UDP packet an ICMP error quotes", () => {
    const quoted = ipv4(
      { src: "10.0.0.9", dst: "10.0.0.1" },
      udp({ srcPort: 2070, dstPort: 69, payload: Uint8Array.of(0, 1, 65, 0) }),
    );
    const icmp = concat(Uint8Array.of(3, 3, 0, 0, 0, 0, 0, 0), quoted); // destination unreachable, port unreachable
    const s = one(101, ipv4({ protocol: 1, src: "10.0.0.1", dst: "10.0.0.9" }, icmp));
    expect(s).toMatchObject({ frames: 1, datagrams: [], errors: [] });
  });

  it("accepts a total length of 0 (segmentation offload) and drops Ethernet padding", () => {
    expect(
      one(101, ipv4({ totalLength: 0 }, udp({ payload: Uint8Array.of(5) }))).datagrams[0]?.payload,
    ).toEqual(Uint8Array.of(5));
    const padded = concat(
      ethernet(0x0800, ipv4({}, udp({ payload: Uint8Array.of(7) }))),
      new Uint8Array(20),
    );
    expect(one(1, padded).datagrams[0]?.payload).toEqual(Uint8Array.of(7));
  });

  it("yields a datagram cut by the snap length, marked truncated and reported", () => {
    const full = ethernet(0x0800, ipv4({}, udp({ payload: new Uint8Array(300).fill(3) })));
    const s = one(1, full.subarray(0, 100), full.length);
    expect(s.datagrams).toHaveLength(1);
    expect(s.datagrams[0]).toMatchObject({ truncated: true, kind: "dhcp" });
    expect(s.datagrams[0]?.payload.length).toBe(100 - 42);
    expect(s.errors.map((e) => e.code)).toEqual(["bad-udp"]);
  });

  function fragments(payload: Uint8Array, size: number, id = 7): Uint8Array[] {
    const out: Uint8Array[] = [];
    for (let off = 0; off < payload.length; off += size) {
      const part = payload.subarray(off, Math.min(payload.length, off + size));
      out.push(
        ipv4(
          {
            id,
            fragOffset: off,
            more: off + size < payload.length,
            src: "10.1.1.1",
            dst: "10.1.1.2",
          },
          part,
        ),
      );
    }
    return out;
  }

  it("reassembles fragments and yields the datagram once, on the frame that completes it", () => {
    const body = new Uint8Array(3000).map((_, i) => i & 0xff);
    const u = udp({ srcPort: 40000, dstPort: 69, payload: body });
    const frags = fragments(u, 1480);
    expect(frags).toHaveLength(3);
    for (const order of [
      [0, 1, 2],
      [2, 0, 1],
      [1, 2, 0],
    ]) {
      const s = readCapture(
        pcapFile(
          101,
          order.map((i) => ({ data: frags[i]! })),
        ),
      );
      expect(s.errors).toEqual([]);
      expect(s.datagrams).toHaveLength(1);
      expect(s.datagrams[0]).toMatchObject({
        frame: 3,
        reassembled: true,
        kind: "tftp",
        srcPort: 40000,
      });
      expect(s.datagrams[0]?.payload).toEqual(body);
    }
  });

  it("keeps fragments of different datagrams apart and ignores incomplete ones", () => {
    const a = fragments(udp({ payload: new Uint8Array(100).fill(1) }), 64, 1);
    const b = fragments(udp({ payload: new Uint8Array(100).fill(2) }), 64, 2);
    const s = readCapture(
      pcapFile(
        101,
        [a[0]!, b[0]!, b[1]!, a[0]!].map((data) => ({ data })),
      ),
    );
    expect(s.datagrams).toHaveLength(1);
    expect(s.datagrams[0]?.frame).toBe(3);
    expect(s.datagrams[0]?.payload).toEqual(new Uint8Array(100).fill(2));
  });

  it("decodes a first fragment cut by the snap length without reassembly, like Wireshark", () => {
    const f0 = ethernet(0x0800, ipv4({ more: true }, udp({ payload: new Uint8Array(400) })));
    const s = one(1, f0.subarray(0, 80), f0.length);
    expect(s.datagrams).toHaveLength(1);
    expect(s.datagrams[0]).toMatchObject({ truncated: true, reassembled: false });
    const later = ethernet(0x0800, ipv4({ more: true, fragOffset: 8 }, new Uint8Array(400)));
    expect(one(1, later.subarray(0, 80), later.length)).toMatchObject({
      datagrams: [],
      errors: [{ code: "reassembly" }],
    });
  });

  it("hands an IPv6 header under EtherType 0x0800 to the IPv6 decoder, as Wireshark does", () => {
    expect(one(1, ethernet(0x0800, dgram6)).datagrams).toMatchObject([
      { ipVersion: 6, srcAddr: "2001:db8::1" },
    ]);
    expect(one(1, ethernet(0x86dd, dgram4)).errors.map((e) => e.code)).toEqual(["bad-ip"]);
  });

  it("drops a datagram that would exceed 65535 bytes", () => {
    const s = one(101, ipv4({ more: false, fragOffset: 65528 }, new Uint8Array(16)));
    expect(s.errors.map((e) => e.code)).toEqual(["reassembly"]);
  });

  it("reports UDP header and length problems, still yielding the datagram as tshark counts it", () => {
    const short = one(101, ipv4({}, udp({ srcPort: 68, dstPort: 67 }).subarray(0, 6)));
    expect(short.errors.map((e) => e.code)).toEqual(["bad-udp"]);
    expect(short.datagrams).toMatchObject([
      { malformed: true, kind: "other", srcPort: 68, dstPort: 67 },
    ]);
    expect(short.datagrams[0]?.payload.length).toBe(0);
    const tiny = one(101, ipv4({}, udp({ udpLength: 4, payload: new Uint8Array(30).fill(1) })));
    expect(tiny.errors.map((e) => e.code)).toEqual(["bad-udp"]);
    expect(tiny.datagrams).toMatchObject([{ malformed: true, kind: "other" }]);
    const long = one(101, ipv4({}, udp({ udpLength: 50, payload: Uint8Array.of(1, 2, 3) })));
    expect(long.errors.map((e) => [e.code, e.offset])).toEqual([["bad-udp", 24 + 16 + 20 + 4]]);
    expect(long.datagrams).toMatchObject([{ truncated: true, malformed: false, kind: "dhcp" }]);
    expect(long.datagrams[0]?.payload).toEqual(Uint8Array.of(1, 2, 3));
    const none = one(101, ipv4({}, new Uint8Array(0)));
    expect(none).toMatchObject({ datagrams: [], errors: [{ code: "bad-udp" }] });
  });
});

describe("IPv6", () => {
  it("walks extension headers to UDP", () => {
    const u = udp({ srcPort: 1000, dstPort: 69, payload: Uint8Array.of(0, 4, 0, 1) });
    // hop-by-hop (0) -> routing (43) -> destination options (60) -> UDP
    const pkt = ipv6({ nextHeader: 0 }, concat(ext6(43), ext6(60), ext6(17), u));
    const s = one(229, pkt);
    expect(s.datagrams).toHaveLength(1);
    expect(s.datagrams[0]).toMatchObject({ kind: "tftp", srcPort: 1000, dstAddr: "ff02::1:2" });
  });

  it("skips other upper layers and reports extension headers that overrun", () => {
    expect(one(229, ipv6({ nextHeader: 58 }, new Uint8Array(8))).datagrams).toEqual([]);
    const bad = concat(Uint8Array.of(17, 9), new Uint8Array(6));
    expect(one(229, ipv6({ nextHeader: 0 }, bad)).errors.map((e) => e.code)).toEqual(["bad-ip"]);
    expect(one(229, ipv6({}, new Uint8Array(0)).subarray(0, 30)).errors.map((e) => e.code)).toEqual(
      ["bad-ip"],
    );
  });

  it("reassembles fragment headers", () => {
    const body = new Uint8Array(2000).map((_, i) => (i * 7) & 0xff);
    const u = udp({ srcPort: 3000, dstPort: 67, payload: body });
    const cut = 1232;
    const f1 = ipv6({ nextHeader: 44 }, concat(frag6(17, 0, true, 99), u.subarray(0, cut)));
    const f2 = ipv6({ nextHeader: 44 }, concat(frag6(17, cut, false, 99), u.subarray(cut)));
    const s = readCapture(pcapFile(229, [{ data: f2 }, { data: f1 }]));
    expect(s.errors).toEqual([]);
    expect(s.datagrams).toHaveLength(1);
    expect(s.datagrams[0]).toMatchObject({
      frame: 2,
      reassembled: true,
      kind: "dhcp",
      dstPort: 67,
    });
    expect(s.datagrams[0]?.payload).toEqual(body);
  });

  it("treats an atomic fragment (offset 0, no more) as whole", () => {
    const pkt = ipv6({ nextHeader: 44 }, concat(frag6(17, 0, false, 1), udp({})));
    expect(one(229, pkt).datagrams).toHaveLength(1);
  });
});

import { fc, test } from "@fast-check/vitest";
import {
  Classifier,
  classifyAll,
  type FlowKey,
  formatIpv4,
  formatIpv6,
  isTftpRequest,
  isTftpRequestBody,
} from "@pxe/replay";
import { describe, expect, it } from "vitest";

const k = (srcAddr: string, srcPort: number, dstAddr: string, dstPort: number): FlowKey => ({
  srcAddr,
  srcPort,
  dstAddr,
  dstPort,
});

describe("Classifier", () => {
  it("classifies DHCP by port 67, 68 or 4011 on either side", () => {
    expect(
      classifyAll([
        k("0.0.0.0", 68, "255.255.255.255", 67),
        k("10.0.0.1", 67, "10.0.0.9", 68),
        k("10.0.0.9", 68, "10.0.0.1", 4011),
        k("10.0.0.1", 4011, "10.0.0.9", 68),
        k("10.0.0.9", 50000, "10.0.0.1", 4011),
        k("10.0.0.9", 50000, "10.0.0.1", 53),
      ]),
    ).toEqual(["dhcp", "dhcp", "dhcp", "dhcp", "dhcp", "other"]);
  });

  it("follows a TFTP transfer from the request to the server's new port, in both directions", () => {
    const c = new Classifier();
    expect(c.classify(k("10.0.0.9", 2070, "10.0.0.1", 69))).toBe("tftp"); // RRQ
    expect(c.classify(k("10.0.0.1", 40001, "10.0.0.9", 2070))).toBe("tftp"); // DATA from a fresh port
    expect(c.classify(k("10.0.0.9", 2070, "10.0.0.1", 40001))).toBe("tftp"); // ACK
    expect(c.flows).toBe(1);
    // another client port, another host, or another server: not this flow
    expect(c.classify(k("10.0.0.9", 2071, "10.0.0.1", 40001))).toBe("other");
    expect(c.classify(k("10.0.0.8", 2070, "10.0.0.1", 40001))).toBe("other");
    expect(c.classify(k("10.0.0.2", 40001, "10.0.0.9", 2070))).toBe("other");
  });

  it("does not open flows before the request was seen", () => {
    const c = new Classifier();
    expect(c.classify(k("10.0.0.1", 40001, "10.0.0.9", 2070))).toBe("other");
    c.classify(k("10.0.0.9", 2070, "10.0.0.1", 69));
    expect(c.classify(k("10.0.0.1", 40001, "10.0.0.9", 2070))).toBe("tftp");
  });

  it("counts a datagram from port 69 as TFTP but opens no flow for it", () => {
    const c = new Classifier();
    expect(c.classify(k("10.0.0.1", 69, "10.0.0.9", 2070))).toBe("tftp");
    expect(c.classify(k("10.0.0.9", 2070, "10.0.0.1", 5555))).toBe("other");
    expect(c.flows).toBe(0);
  });

  const withPayload = (key: FlowKey, payload: Uint8Array): FlowKey => ({ ...key, payload });
  const text = (s: string) => Uint8Array.from([...s].map((ch) => ch.charCodeAt(0)));
  const rrq = (mode: string, op = 1) =>
    Uint8Array.of(0, op, ...text("boot.ipxe"), 0, ...text(mode), 0);

  it("opens a flow only for a valid read or write request, and never for an empty datagram", () => {
    const c = new Classifier();
    expect(c.classify(withPayload(k("h", 1, "s", 69), new Uint8Array(0)))).toBe("other");
    expect(c.classify(withPayload(k("h", 2, "s", 69), rrq("xyz")))).toBe("tftp");
    expect(c.classify(withPayload(k("h", 3, "s", 69), Uint8Array.of(0, 3, 0, 1)))).toBe("tftp");
    expect(c.flows).toBe(0);
    expect(c.classify(withPayload(k("h", 4, "s", 69), rrq("OCTET")))).toBe("tftp");
    expect(c.classify(withPayload(k("h", 5, "s", 69), rrq("mail", 2)))).toBe("tftp");
    expect(c.flows).toBe(2);
    // a datagram on a flow with an empty payload is still not TFTP
    expect(c.classify(withPayload(k("s", 9999, "h", 4), new Uint8Array(0)))).toBe("other");
    expect(c.classify(withPayload(k("s", 9999, "h", 4), Uint8Array.of(0, 3, 0, 1)))).toBe("tftp");
  });

  it("recognises a request on another port by its body (Wireshark's TFTP heuristic), unless disabled", () => {
    expect(
      classifyAll([
        withPayload(k("h", 1, "s", 6969), rrq("octet")),
        withPayload(k("s", 7000, "h", 1), Uint8Array.of(0, 4, 0, 0)),
      ]),
    ).toEqual(["tftp", "tftp"]);
    expect(
      classifyAll([withPayload(k("h", 1, "s", 6969), rrq("octet"))], { tftpHeuristic: false }),
    ).toEqual(["other"]);
    expect(classifyAll([withPayload(k("h", 1, "s", 6969), rrq("binary"))])).toEqual(["other"]);
  });

  it("requires the DHCP magic cookie when either port is 4011", () => {
    const bootp = new Uint8Array(300);
    const cookie = bootp.slice();
    cookie.set([0x63, 0x82, 0x53, 0x63], 236);
    expect(classifyAll([withPayload(k("h", 50000, "s", 4011), bootp)])).toEqual(["other"]);
    expect(classifyAll([withPayload(k("h", 68, "s", 4011), bootp)])).toEqual(["other"]);
    expect(classifyAll([withPayload(k("h", 68, "s", 67), bootp)])).toEqual(["dhcp"]);
    expect(classifyAll([withPayload(k("h", 50000, "s", 4011), cookie)])).toEqual(["dhcp"]);
    expect(classifyAll([withPayload(k("h", 4011, "s", 4011), cookie.subarray(0, 239))])).toEqual([
      "other",
    ]);
  });

  it("isTftpRequest checks the opcode, the characters, the NUL count and the mode", () => {
    expect(isTftpRequest(rrq("octet"))).toBe(true);
    expect(isTftpRequest(rrq("netascii", 2))).toBe(true);
    expect(isTftpRequest(rrq("octet", 3))).toBe(false);
    expect(isTftpRequest(Uint8Array.of(0, 1, 0, ...text("octet"), 0))).toBe(true); // empty file name
    expect(isTftpRequest(Uint8Array.of(0, 1, 7, 0, ...text("octet"), 0))).toBe(false); // not printable
    expect(isTftpRequest(Uint8Array.of(...rrq("octet"), ...text("blksize"), 0))).toBe(false); // odd NULs
    expect(
      isTftpRequest(Uint8Array.of(...rrq("octet"), ...text("blksize"), 0, ...text("1432"), 0)),
    ).toBe(true);
    expect(isTftpRequest(Uint8Array.of(0, 1))).toBe(false);
    expect(isTftpRequestBody(Uint8Array.of(9, 9, ...text("a"), 0, ...text("mail"), 0))).toBe(true); // opcode not checked
  });

  it("takes the TFTP port and the DHCP ports from its options", () => {
    const c = new Classifier({ tftpPort: 6969, dhcpPorts: [1067] });
    expect(c.classify(k("127.0.0.1", 5000, "127.0.0.1", 69))).toBe("other");
    expect(c.classify(k("127.0.0.1", 5000, "127.0.0.1", 6969))).toBe("tftp");
    expect(c.classify(k("127.0.0.1", 40000, "127.0.0.1", 5000))).toBe("tftp");
    expect(c.classify(k("127.0.0.1", 68, "127.0.0.1", 67))).toBe("other");
    expect(c.classify(k("127.0.0.1", 1068, "127.0.0.1", 1067))).toBe("dhcp");
  });

  it("lets the lower port decide when both a DHCP and the TFTP port appear", () => {
    expect(classifyAll([k("a", 67, "b", 69)])).toEqual(["dhcp"]);
    expect(classifyAll([k("a", 4011, "b", 69)])).toEqual(["tftp"]);
  });

  it("keeps at most maxFlows flows, forgetting the oldest", () => {
    const c = new Classifier({ maxFlows: 2 });
    for (const p of [1001, 1002, 1003]) c.classify(k("h", p, "s", 69));
    expect(c.flows).toBe(2);
    expect(c.classify(k("s", 7000, "h", 1001))).toBe("other");
    expect(c.classify(k("s", 7000, "h", 1003))).toBe("tftp");
  });

  test.prop([
    fc.array(
      fc.record({
        srcAddr: fc.constantFrom("a", "b", "c"),
        dstAddr: fc.constantFrom("a", "b", "c"),
        srcPort: fc.integer({ min: 0, max: 70 }),
        dstPort: fc.integer({ min: 0, max: 70 }),
      }),
      { maxLength: 40 },
    ),
  ])(
    "DHCP-port datagrams outside TFTP flows are DHCP, and nothing without a known port before a request is TFTP",
    (keys) => {
      const kinds = classifyAll(keys);
      let sawTftpPort = false;
      keys.forEach((key, i) => {
        const kind = kinds[i];
        if (key.srcPort === 69 || key.dstPort === 69) sawTftpPort = true;
        if (!sawTftpPort) expect(kind).not.toBe("tftp");
        if (kind === "dhcp")
          expect([67, 68, 4011].some((p) => p === key.srcPort || p === key.dstPort)).toBe(true);
      });
    },
  );
});

describe("address formatting", () => {
  const v6 = (hex: string) => Uint8Array.from(hex.match(/../g)!.map((h) => Number.parseInt(h, 16)));
  it("formats IPv4 and IPv6 (RFC 5952)", () => {
    expect(formatIpv4(Uint8Array.of(9, 192, 168, 0, 1), 1)).toBe("192.168.0.1");
    expect(formatIpv6(v6("20010db8000000000000000000000001"), 0)).toBe("2001:db8::1");
    expect(formatIpv6(v6("00000000000000000000000000000000"), 0)).toBe("::");
    expect(formatIpv6(v6("00000000000000000000000000000001"), 0)).toBe("::1");
    expect(formatIpv6(v6("fe800000000000000000000000000000"), 0)).toBe("fe80::");
    expect(formatIpv6(v6("20010db8000000010000000000000001"), 0)).toBe("2001:db8:0:1::1");
    expect(formatIpv6(v6("20010db8000100000001000100010001"), 0)).toBe("2001:db8:1:0:1:1:1:1");
    expect(formatIpv6(v6("20010000000000010000000000000001"), 0)).toBe("2001:0:0:1::1");
    expect(formatIpv6(v6("20010db8000000000001000000000001"), 0)).toBe("2001:db8::1:0:0:1"); // first run wins a tie
    expect(formatIpv6(v6("00000000000000000000ffffc0000201"), 0)).toBe("::ffff:192.0.2.1");
    expect(formatIpv6(v6("ff020000000000000000000000010002"), 0)).toBe("ff02::1:2");
  });
});

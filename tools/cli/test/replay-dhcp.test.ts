import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DhcpMessage, encodeMessage, MessageType } from "@pxe/dhcp";
import type { UdpDatagram } from "@pxe/replay";
import { describe, expect, it } from "vitest";
import { dhcpSection, formatDhcpItem } from "../src/replay/dhcp.js";

function datagram(frame: number, payload: Uint8Array): UdpDatagram {
  // Built by hand (cast, so new optional fields of UdpDatagram do not break this test).
  return {
    reassembled: false,
    truncated: false,
    linkType: 1,
    frame,
    timestampNs: 0n,
    ipVersion: 4,
    srcAddr: "0.0.0.0",
    dstAddr: "255.255.255.255",
    srcPort: 68,
    dstPort: 67,
    payload,
    kind: "dhcp",
  } as UdpDatagram;
}

const discover = encodeMessage(
  new DhcpMessage({
    xid: 0xabcdef01,
    chaddr: "52:54:00:12:34:56",
    options: [
      [53, MessageType.DISCOVER],
      [60, "PXEClient:Arch:00007:UNDI:003016"],
      [93, [7]],
      [97, Uint8Array.of(0, ...new Array(16).fill(0x11))],
    ],
  }),
);
const bootp = new Uint8Array(300);
bootp[0] = 1;
bootp[1] = 1;
bootp[2] = 6;
const missingEnd = discover.slice(0, 243); // 53 only, no END
const badCookie = discover.slice();
badCookie[236] = 0x64;

describe("pxe replay: dhcp section", () => {
  it("counts decoded, identical re-encodings, warnings and errors", () => {
    const ds = [
      datagram(1, discover),
      datagram(2, bootp),
      datagram(3, missingEnd),
      datagram(4, badCookie),
      datagram(5, new Uint8Array(10)),
    ];
    const s = dhcpSection(ds, { verbose: false });
    expect(s).toEqual({ count: 5, decoded: 3, roundTripIdentical: 3, warnings: 1, errors: 2 });
    expect(s.items).toBeUndefined();
  });

  it("lists items with type, xid, chaddr, options, warnings and errors when verbose", () => {
    const ds = [
      datagram(7, discover),
      datagram(8, bootp),
      datagram(9, missingEnd),
      datagram(10, badCookie),
    ];
    const s = dhcpSection(ds, { verbose: true });
    const [d, b, m, e] = s.items!;
    expect(d).toMatchObject({
      frame: 7,
      type: "DISCOVER",
      xid: "0xabcdef01",
      chaddr: "52:54:00:12:34:56",
    });
    expect(d!.options).toEqual([
      { code: 53, name: "dhcpMessageType", value: 1 },
      {
        code: 60,
        name: "vendorClassIdentifier",
        value: {
          raw: "PXEClient:Arch:00007:UNDI:003016",
          kind: "PXEClient",
          prefix: "PXEClient",
          arch: 7,
          undi: { major: 3, minor: 16 },
          oddities: [],
        },
      },
      { code: 93, name: "clientSystemArchitecture", value: [7] },
      { code: 97, name: "clientMachineIdentifier", value: { type: 0, id: "11".repeat(16) } },
    ]);
    // The PXE classification from @pxe/pxe-options rides along on client requests.
    expect(d!.pxe).toMatchObject({
      firmware: "uefi",
      arch: 7,
      isIpxe: false,
      isHttpBoot: false,
      undi: "3.16",
    });
    expect(b!.pxe).toBeUndefined();
    expect(b).toMatchObject({ frame: 8, type: "BOOTP", options: [], warnings: [] });
    expect(m!.warnings).toEqual([
      { code: "missing-end", message: "no END option in options", offset: 243, optionCode: null },
    ]);
    expect(e).toMatchObject({ frame: 10, type: null, error: { code: "bad-cookie", offset: 236 } });
    expect(JSON.parse(JSON.stringify(s))).toEqual(s); // plain JSON
    expect(formatDhcpItem(d!)[0]).toBe(
      "frame 7: DHCP DISCOVER xid 0xabcdef01 chaddr 52:54:00:12:34:56",
    );
    expect(formatDhcpItem(d!)).toContain("    (93) clientSystemArchitecture: [7]");
    expect(formatDhcpItem(e!)[0]).toMatch(/^frame 10: DHCP error bad-cookie/);
  });
});

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const captures = path.resolve(repoRoot, "../shared/captures");
const haveCaptures = existsSync(captures);
if (!haveCaptures) console.warn(`skipping dhcp replay over captures: ${captures} does not exist`);

describe.skipIf(!haveCaptures)("pxe replay: dhcp section over ../shared/captures", () => {
  it("decodes every DHCP message with a valid header and cookie and re-encodes it byte-identical", async () => {
    const { readCapture } = await import("@pxe/replay/node");
    let count = 0;
    let identical = 0;
    for (const sub of ["public", "lab"]) {
      const dir = path.join(captures, sub);
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir)) {
        if (!/\.pcap(ng)?(\.gz)?$/.test(f)) continue;
        const cap = readCapture(path.join(dir, f));
        const dhcp = cap.datagrams.filter((d) => d.kind === "dhcp");
        const s = dhcpSection(dhcp, { verbose: true });
        count += s.count;
        identical += s.roundTripIdentical;
        expect(s.decoded, f).toBe(s.roundTripIdentical);
        for (const [i, item] of s.items!.entries()) {
          if (!item.error) continue;
          const p = dhcp[i]!.payload;
          const cookie =
            p.length >= 240 &&
            p[236] === 0x63 &&
            p[237] === 0x82 &&
            p[238] === 0x53 &&
            p[239] === 0x63;
          // only truncated headers and bad cookies may fail
          expect(cookie && p.length >= 240, `${f} frame ${item.frame}`).toBe(false);
          expect(["truncated", "bad-cookie"]).toContain(item.error.code);
        }
      }
    }
    console.info(`replay dhcp: ${count} DHCP datagrams, ${identical} byte-identical re-encodings`);
    expect(identical).toBeGreaterThan(10_000);
  });
});

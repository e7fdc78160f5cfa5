/**
 * Edge cases of decoding and classification, checked frame by frame against tshark: one capture
 * built by hand (each case on its own addresses, so TFTP flows and fragments cannot mix), read
 * once by tshark and once by @pxe/replay. For every frame, "tshark sees udp / dhcp / tftp (and not
 * icmp)" must equal "we yield a datagram / of kind dhcp / of kind tftp".
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readCapture } from "@pxe/replay/node";
import { describe, expect, it } from "vitest";
import {
  concat,
  ethernet,
  frag6,
  ipv4,
  ipv6,
  nullHeader,
  type PcapRecord,
  pcapFile,
  sll,
  sll2,
  udp,
} from "../tools/replay/test/build.js";
import { hasCommand } from "./helpers/peers.js";

const haveTshark = hasCommand("tshark");
if (!haveTshark)
  console.warn("replay-tshark-edge: skipped, tshark is not installed (pnpm setup:peers)");

const t = (s: string) => Uint8Array.from([...s].map((c) => c.charCodeAt(0)));
const rrq = (file = "a", mode = "octet", op = 1) =>
  Uint8Array.of(0, op, ...t(file), 0, ...t(mode), 0);
const DATA = Uint8Array.of(0, 3, 0, 1, 5);
const bootp = (len = 300, cookie = true, op = 1) => {
  const b = new Uint8Array(len);
  b[0] = op;
  if (cookie && len >= 240) b.set([99, 130, 83, 99], 236);
  return b;
};

type Frame = PcapRecord;
/** A case builds its frames from a client address `c`, a server address `s` (IPv4) and `c6`/`s6` (IPv6). */
type Case = (c: string, s: string, c6: string, s6: string) => Frame[];
const eth4 = (src: string, dst: string, u: Uint8Array, extra: Parameters<typeof ipv4>[0] = {}) => ({
  data: ethernet(0x0800, ipv4({ src, dst, ...extra }, u)),
});

const cases: Record<string, Case> = {
  "DHCP on 67/68, any content, even 1 byte": (c, s) => [
    eth4(c, s, udp({ srcPort: 68, dstPort: 67, payload: bootp() })),
    eth4(s, c, udp({ srcPort: 67, dstPort: 68, payload: Uint8Array.of(1) })),
    eth4(s, c, udp({ srcPort: 67, dstPort: 50000, payload: new Uint8Array(300) })),
  ],
  "empty UDP payloads are UDP only": (c, s) => [
    eth4(c, s, udp({ srcPort: 68, dstPort: 67 })),
    eth4(c, s, udp({ srcPort: 3000, dstPort: 69 })),
    eth4(c, s, udp({ srcPort: 68, dstPort: 67, payload: bootp(), udpLength: 8 })),
  ],
  "PXE port 4011 needs the magic cookie": (c, s) => [
    eth4(c, s, udp({ srcPort: 50000, dstPort: 4011, payload: bootp() })),
    eth4(c, s, udp({ srcPort: 50001, dstPort: 4011, payload: bootp(300, false) })),
    eth4(c, s, udp({ srcPort: 68, dstPort: 4011, payload: bootp(300, false) })),
    eth4(s, c, udp({ srcPort: 4011, dstPort: 68, payload: bootp(300, true, 2) })),
    eth4(s, c, udp({ srcPort: 4011, dstPort: 4011, payload: bootp(239) })),
    eth4(s, c, udp({ srcPort: 4011, dstPort: 4011, payload: bootp(240, true, 0) })),
  ],
  "the lower port decides": (c, s) => [
    eth4(c, s, udp({ srcPort: 67, dstPort: 69, payload: bootp() })),
    eth4(c, s, udp({ srcPort: 4011, dstPort: 69, payload: rrq() })),
  ],
  "a TFTP read request opens a flow to any server port": (c, s) => [
    eth4(c, s, udp({ srcPort: 3000, dstPort: 69, payload: rrq("pxelinux.0", "octet") })),
    eth4(s, c, udp({ srcPort: 40000, dstPort: 3000, payload: DATA })),
    eth4(c, s, udp({ srcPort: 3000, dstPort: 40000, payload: Uint8Array.of(0, 4, 0, 1) })),
    eth4(s, c, udp({ srcPort: 40001, dstPort: 3000, payload: DATA })),
    eth4(c, s, udp({ srcPort: 3001, dstPort: 40000, payload: DATA })),
    eth4(c, s, udp({ srcPort: 3000, dstPort: 53, payload: DATA })),
  ],
  "write requests, mail and upper-case modes, options": (c, s) => [
    eth4(c, s, udp({ srcPort: 3100, dstPort: 69, payload: rrq("up", "octet", 2) })),
    eth4(s, c, udp({ srcPort: 40000, dstPort: 3100, payload: Uint8Array.of(0, 4, 0, 0) })),
    eth4(c, s, udp({ srcPort: 3101, dstPort: 69, payload: rrq("m", "mail", 2) })),
    eth4(s, c, udp({ srcPort: 40002, dstPort: 3101, payload: DATA })),
    eth4(c, s, udp({ srcPort: 3102, dstPort: 69, payload: rrq("a", "NetASCII") })),
    eth4(s, c, udp({ srcPort: 40003, dstPort: 3102, payload: DATA })),
    eth4(
      c,
      s,
      udp({
        srcPort: 3103,
        dstPort: 69,
        payload: concat(rrq("a"), t("blksize"), Uint8Array.of(0), t("1432"), Uint8Array.of(0)),
      }),
    ),
    eth4(s, c, udp({ srcPort: 40004, dstPort: 3103, payload: DATA })),
  ],
  "invalid requests are TFTP but open no flow": (c, s) => [
    eth4(c, s, udp({ srcPort: 3200, dstPort: 69, payload: rrq("a", "xyz") })),
    eth4(s, c, udp({ srcPort: 40000, dstPort: 3200, payload: DATA })),
    eth4(
      c,
      s,
      udp({ srcPort: 3201, dstPort: 69, payload: Uint8Array.of(0, 1, 1, 2, 0, ...t("octet"), 0) }),
    ),
    eth4(s, c, udp({ srcPort: 40000, dstPort: 3201, payload: DATA })),
    eth4(c, s, udp({ srcPort: 3202, dstPort: 69, payload: concat(rrq("a"), Uint8Array.of(9)) })),
    eth4(s, c, udp({ srcPort: 40000, dstPort: 3202, payload: DATA })),
    eth4(c, s, udp({ srcPort: 3203, dstPort: 69, payload: Uint8Array.of(0, 3, 0, 1) })),
    eth4(s, c, udp({ srcPort: 40000, dstPort: 3203, payload: DATA })),
    eth4(c, s, udp({ srcPort: 3204, dstPort: 69, payload: Uint8Array.of(0, 1) })),
    eth4(s, c, udp({ srcPort: 40000, dstPort: 3204, payload: DATA })),
  ],
  "a request sent from port 69 opens no flow": (c, s) => [
    eth4(s, c, udp({ srcPort: 69, dstPort: 3300, payload: rrq() })),
    eth4(c, s, udp({ srcPort: 3300, dstPort: 40000, payload: DATA })),
  ],
  "a request from a DHCP port is DHCP": (c, s) => [
    eth4(c, s, udp({ srcPort: 68, dstPort: 69, payload: rrq() })),
    eth4(s, c, udp({ srcPort: 40000, dstPort: 68, payload: DATA })),
  ],
  "the TFTP heuristic: a request to another port": (c, s) => [
    eth4(c, s, udp({ srcPort: 3400, dstPort: 6969, payload: rrq() })),
    eth4(s, c, udp({ srcPort: 40000, dstPort: 3400, payload: DATA })),
  ],
  "UDP header and length problems": (c, s) => [
    eth4(c, s, udp({ srcPort: 68, dstPort: 67, payload: bootp(), udpLength: 4 })),
    eth4(c, s, udp({ srcPort: 68, dstPort: 67, payload: bootp(), udpLength: 400 })),
    eth4(c, s, udp({ srcPort: 68, dstPort: 67, payload: bootp(), udpLength: 9 })),
    eth4(c, s, udp({ srcPort: 68, dstPort: 67 }).subarray(0, 6)),
    eth4(c, s, udp({ srcPort: 68, dstPort: 67 }).subarray(0, 3)),
    eth4(c, s, new Uint8Array(0)),
    eth4(c, s, udp({ srcPort: 3500, dstPort: 69, payload: rrq(), udpLength: 100 })),
    eth4(s, c, udp({ srcPort: 40000, dstPort: 3500, payload: DATA })),
  ],
  "IPv4 header problems": (c, s) => [
    eth4(c, s, udp({ srcPort: 68, dstPort: 67, payload: bootp() }), { ihl: 4 }),
    eth4(c, s, udp({ srcPort: 68, dstPort: 67, payload: bootp() }), { ihl: 6 }),
    eth4(c, s, udp({ srcPort: 68, dstPort: 67, payload: bootp() }), { version: 5 }),
    eth4(c, s, udp({ srcPort: 68, dstPort: 67, payload: bootp() }), { totalLength: 10 }),
    eth4(c, s, udp({ srcPort: 68, dstPort: 67, payload: bootp() }), { totalLength: 25 }),
    eth4(c, s, udp({ srcPort: 68, dstPort: 67, payload: bootp() }), { totalLength: 600 }),
    eth4(c, s, udp({ srcPort: 68, dstPort: 67, payload: bootp() }), { totalLength: 0 }),
  ],
  "IPv6 under EtherType 0x0800 and IPv4 under 0x86dd": (_c, _s, c6, s6) => [
    {
      data: ethernet(
        0x0800,
        ipv6({ src: c6, dst: s6 }, udp({ srcPort: 68, dstPort: 67, payload: bootp() })),
      ),
    },
    { data: ethernet(0x86dd, ipv4({}, udp({ srcPort: 68, dstPort: 67, payload: bootp() }))) },
  ],
  "IPv4 fragments: reassembled on the last, incomplete ones never": (c, s) => {
    const u = udp({ srcPort: 3600, dstPort: 69, payload: concat(rrq(), new Uint8Array(3000)) });
    const f = (off: number, end: number, more: boolean, id: number) =>
      eth4(c, s, u.subarray(off, end), { id, fragOffset: off, more });
    return [
      f(0, 1480, true, 1),
      f(1480, 2960, true, 1),
      f(2960, u.length, false, 1),
      f(1480, 2960, true, 2),
      f(0, 1480, true, 3),
    ];
  },
  "IPv4 fragments cut by the snap length": (c, s) => {
    const whole = ethernet(
      0x0800,
      ipv4(
        { src: c, dst: s, more: true, id: 9 },
        udp({ srcPort: 68, dstPort: 67, payload: bootp(600) }),
      ),
    );
    const later = ethernet(
      0x0800,
      ipv4({ src: c, dst: s, more: true, id: 10, fragOffset: 8 }, new Uint8Array(600)),
    );
    return [
      { data: whole.subarray(0, 300), originalLength: whole.length },
      { data: later.subarray(0, 300), originalLength: later.length },
    ];
  },
  "IPv6 fragments": (_c, _s, c6, s6) => {
    const u = udp({ srcPort: 546, dstPort: 547, payload: new Uint8Array(2000) });
    const f = (off: number, end: number, more: boolean, id: number) => ({
      data: ethernet(
        0x86dd,
        ipv6(
          { src: c6, dst: s6, nextHeader: 44 },
          concat(frag6(17, off, more, id), u.subarray(off, end)),
        ),
      ),
    });
    const cut = ethernet(
      0x86dd,
      ipv6(
        { src: c6, dst: s6, nextHeader: 44 },
        concat(frag6(17, 0, true, 7), udp({ payload: bootp(600) })),
      ),
    );
    return [
      f(1232, u.length, false, 5),
      f(0, 1232, true, 5),
      f(0, 1232, true, 6),
      { data: cut.subarray(0, 200), originalLength: cut.length },
    ];
  },
  "ICMP errors quoting UDP are not UDP": (c, s) => {
    const quoted = ipv4({ src: c, dst: s }, udp({ srcPort: 3700, dstPort: 69, payload: rrq() }));
    return [eth4(s, c, concat(Uint8Array.of(3, 3, 0, 0, 0, 0, 0, 0), quoted), { protocol: 1 })];
  },
};

describe.skipIf(!haveTshark)("decoding and classification edge cases agree with tshark", () => {
  // Each case gets its own addresses: 10.<i>.0.1 (client) / 10.<i>.0.2 (server), fd00:<i>::1 / ::2.
  const owners: string[] = [];
  const frames: Frame[] = [];
  Object.entries(cases).forEach(([name, build], i) => {
    for (const f of build(
      `10.${i + 1}.0.1`,
      `10.${i + 1}.0.2`,
      `fd00:${i + 1}::1`,
      `fd00:${i + 1}::2`,
    )) {
      owners.push(name);
      frames.push(f);
    }
  });
  const bytes = pcapFile(1, frames);
  // The other link types, each with a DHCP and a TFTP datagram (over IPv4 and IPv6 where they can).
  const d4 = ipv4({}, udp({ srcPort: 68, dstPort: 67, payload: bootp() }));
  const t4 = ipv4({ src: "10.0.0.3" }, udp({ srcPort: 3000, dstPort: 69, payload: rrq() }));
  const d6 = ipv6({}, udp({ srcPort: 68, dstPort: 67, payload: bootp() }));
  const links: [string, number, Uint8Array[]][] = [
    [
      "Ethernet 802.1Q/QinQ/SNAP",
      1,
      [
        ethernet(0x0800, d4, [0x8100]),
        ethernet(0x86dd, d6, [0x88a8, 0x8100]),
        ethernet(t4.length + 8, concat(Uint8Array.of(0xaa, 0xaa, 3, 0, 0, 0, 8, 0), t4)),
      ],
    ],
    ["Linux SLL", 113, [sll(0x0800, d4), sll(0x86dd, d6), sll(0x0800, t4)]],
    ["Linux SLL2", 276, [sll2(0x0800, d4), sll2(0x86dd, d6), sll2(0x0800, t4)]],
    ["raw 101", 101, [d4, d6, t4]],
    ["raw 12", 12, [d4, d6, t4]],
    ["IPv4 228", 228, [d4, t4]],
    ["IPv6 229", 229, [d6]],
    [
      "null",
      0,
      [
        nullHeader(2, true, d4),
        nullHeader(2, false, t4),
        nullHeader(24, true, d6),
        nullHeader(30, true, d6),
        nullHeader(28, false, d6),
        nullHeader(10, true, d6),
        nullHeader(0x0800, true, d4),
        nullHeader(0x86dd, false, d6),
      ],
    ],
    [
      "loop 108",
      108,
      [nullHeader(2, false, d4), nullHeader(24, false, d6), nullHeader(2, false, t4)],
    ],
  ];

  it.each([
    ["hand-built cases (Ethernet)", bytes] as const,
    ...links.map(
      ([name, lt, data]) =>
        [
          name,
          pcapFile(
            lt,
            data.map((d) => ({ data: d })),
          ),
        ] as const,
    ),
  ])("%s: every frame's UDP/DHCP/TFTP status equals tshark's", (_name, capture) => {
    const dir = mkdtempSync(join(tmpdir(), "pxe-edge-"));
    try {
      const file = join(dir, "edge.pcap");
      writeFileSync(file, capture);
      const out = execFileSync(
        "tshark",
        ["-n", "-r", file, "-T", "fields", "-e", "frame.number", "-e", "frame.protocols"],
        {
          encoding: "utf8",
          stdio: ["ignore", "pipe", "ignore"],
        },
      );
      const theirs = out
        .trim()
        .split("\n")
        .map((l) => {
          const p = new Set((l.split("\t")[1] ?? "").split(":"));
          const keep = !p.has("icmp");
          return {
            udp: keep && p.has("udp"),
            dhcp: keep && p.has("dhcp"),
            tftp: keep && p.has("tftp"),
          };
        });
      const s = readCapture(capture);
      expect(s.frames).toBe(theirs.length);
      const ours = theirs.map(() => ({ udp: false, dhcp: false, tftp: false }));
      for (const d of s.datagrams)
        ours[d.frame - 1] = { udp: true, dhcp: d.kind === "dhcp", tftp: d.kind === "tftp" };
      const label = (i: number) =>
        capture === bytes ? `${owners[i]} (frame ${i + 1})` : `frame ${i + 1}`;
      expect(ours.map((o, i) => [label(i), o])).toEqual(theirs.map((o, i) => [label(i), o]));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { bytesEqual, DhcpView, decodeMessage, encodeMessage, isDhcpError, toHex } from "@pxe/dhcp";
import { describe, expect, it } from "vitest";
import { type CapturedDatagram, DHCP_PORTS, readUdp } from "./pcap.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const shared = path.resolve(repoRoot, "../shared");
const capturesDir = path.join(shared, "captures");
const haveCaptures = existsSync(capturesDir);
if (!haveCaptures) console.warn(`skipping capture replay: ${capturesDir} does not exist`);

function dhcpDatagrams(): Array<{ file: string; d: CapturedDatagram }> {
  const out: Array<{ file: string; d: CapturedDatagram }> = [];
  for (const sub of ["public", "lab"]) {
    const dir = path.join(capturesDir, sub);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!/\.pcap(ng)?(\.gz)?$/.test(f)) continue;
      for (const d of readUdp(path.join(dir, f))) {
        if (DHCP_PORTS.has(d.srcPort) || DHCP_PORTS.has(d.dstPort)) out.push({ file: f, d });
      }
    }
  }
  return out;
}

function findFile(name: string): CapturedDatagram[] {
  return readUdp(path.join(capturesDir, "public", name)).filter(
    (d) => DHCP_PORTS.has(d.srcPort) || DHCP_PORTS.has(d.dstPort),
  );
}

describe.skipIf(!haveCaptures)("real captures in ../shared/captures", () => {
  it("decodes every message with a valid header and cookie and re-encodes it byte-identical", () => {
    const all = dhcpDatagrams();
    let decoded = 0;
    let identical = 0;
    const failures: string[] = [];
    const errors: string[] = [];
    for (const { file, d } of all) {
      const p = d.payload;
      const validHeader =
        p.length >= 240 &&
        ((p[236] === 0x63 && p[237] === 0x82 && p[238] === 0x53 && p[239] === 0x63) ||
          (p[236] === 0 && p[237] === 0 && p[238] === 0 && p[239] === 0));
      try {
        const m = decodeMessage(p);
        decoded++;
        if (bytesEqual(encodeMessage(m), p)) identical++;
        else failures.push(`${file}#${d.frame}`);
        // strict mode: only typed errors
        try {
          decodeMessage(p, { strict: true });
        } catch (e) {
          if (!isDhcpError(e)) throw e;
        }
      } catch (e) {
        if (!isDhcpError(e)) throw e;
        if (validHeader) failures.push(`${file}#${d.frame}: ${e.message}`);
        errors.push(`${file}#${d.frame}: ${e.code}`);
      }
    }
    console.info(
      `captures: ${all.length} DHCP datagrams, ${decoded} decoded, ${identical} byte-identical, ${errors.length} typed errors`,
    );
    expect(failures).toEqual([]);
    expect(decoded).toBeGreaterThan(10_000);
    expect(identical).toBe(decoded);
    // The malformed ones are truncated headers or a deliberately bad cookie.
    for (const e of errors) expect(e).toMatch(/: (truncated|bad-cookie)$/);
  });

  it("matches pixiecore's golden decode of a BIOS PXE DISCOVER and proxy OFFER", () => {
    const [discover, offer] = findFile("danderson__netboot__dhcp4__testdata__dhcp.pcap");
    const d = decodeMessage(discover!.payload, { strict: true });
    expect(d.type).toBe(1);
    expect(d.xid).toBe(0x9b4e0557);
    expect(d.broadcast).toBe(true);
    expect(d.chaddrText).toBe("d0:50:99:4e:05:57");
    expect(d.options.get(57)).toBe(1260);
    expect(d.options.get(60)).toBe("PXEClient:Arch:00000:UNDI:002001");
    expect(d.options.get(93)).toEqual([0]);
    expect(toHex(d.options.getRaw(94)!)).toBe("010201");
    expect(toHex(d.options.getRaw(97)!)).toBe("0000020003000400050006000700080009");
    const v = new DhcpView(offer!.payload);
    expect(v.messageType).toBe(2);
    expect(toHex(v.get(43)!)).toBe(
      "0601030807800001c0a8100a090c80000950697869656" + "36f72650a0a00506978696563" + "6f7265ff",
    );
    expect(decodeMessage(offer!.payload).options.get(54)).toBe("192.168.16.10");
  });

  it("reads option 52 overload = 3 from Wireshark's sample (option 56 in sname and file)", () => {
    const [p] = findFile("OISF__suricata-verify__tests__dhcp-option-52-overload-both__input.pcap");
    const v = DhcpView.check(p!.payload);
    expect(v.overload).toBe(3);
    expect(v.xid).toBe(2888761343);
    expect([...v.options()].some((o) => o.area !== 0)).toBe(true);
    const m = decodeMessage(p!.payload);
    expect(m.options.get(51)).toBe(3600);
    expect(typeof m.options.get(56)).toBe("string");
  });
});

/**
 * Every PXE/iPXE client message in ../shared/captures, classified and checked against what
 * tshark shows for the same packets; and our proxy/4011 replies checked against dnsmasq's.
 * DHCP payloads are extracted with tshark (udp.payload) and parsed with @pxe/dhcp's DhcpView.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { DhcpView } from "@pxe/dhcp";
import {
  buildBootServerAck,
  buildProxyOffer,
  chooseBoot,
  classify,
  encodeReply,
  pxeReplySummary,
  pxeSummary,
} from "@pxe/pxe-options";
import { afterAll, describe, expect, it } from "vitest";
import { h } from "./helpers.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const shared = path.resolve(repoRoot, "../shared");
const capturesDir = path.join(shared, "captures");
const hasShared = existsSync(capturesDir);
let hasTshark = false;
try {
  execFileSync("tshark", ["-v"], { stdio: "ignore" });
  hasTshark = true;
} catch {
  hasTshark = false;
}
const skip = !hasShared || !hasTshark;
if (skip) {
  console.warn(
    `pxe-options capture tests skipped: ${!hasShared ? `${capturesDir} is missing` : "tshark is not installed"}`,
  );
}

interface Row {
  file: string;
  frame: number;
  srcPort: number;
  dstPort: number;
  op: number;
  xid: number;
  msgType: number;
  optionTypes: number[];
  userClassText: string;
  vendorClass: string;
  arch: string;
  ndiMajor: string;
  ndiMinor: string;
  uuid: string;
  payload: Uint8Array;
}

const FIELDS = [
  "frame.number",
  "udp.srcport",
  "udp.dstport",
  "dhcp.type",
  "dhcp.id",
  "dhcp.option.dhcp",
  "dhcp.option.type",
  "dhcp.option.user_class.text",
  "dhcp.option.vendor_class_id",
  "dhcp.option.client_system_architecture",
  "dhcp.client_network_id_major",
  "dhcp.client_network_id_minor",
  "dhcp.client_id.uuid",
  "udp.payload",
];

const DHCP_FILTER = "udp port 67 or udp port 68 or udp port 4011";

/**
 * Reads the DHCP frames of many captures with one tshark run: each capture is first cut down to
 * its DHCP ports with tcpdump (fast, no dissection; falls back to the whole file when tcpdump
 * cannot read it), the parts are concatenated with mergecap, and merged frame numbers are mapped
 * back to files with capinfos' per-part frame counts.
 */
function readAllRows(files: string[], work: string): Row[] {
  const parts: Array<{ file: string; part: string }> = [];
  files.forEach((file, i) => {
    const part = path.join(work, `${i}.pcap`);
    try {
      const input = file.endsWith(".gz") ? gunzipSync(readFileSync(file)) : readFileSync(file);
      execFileSync("tcpdump", ["-r", "-", "-w", part, DHCP_FILTER], {
        input,
        stdio: ["pipe", "ignore", "ignore"],
      });
      parts.push({ file, part });
    } catch {
      parts.push({ file, part: file });
    }
  });
  const counts = execFileSync("capinfos", ["-c", "-M", "-T", "-r", ...parts.map((p) => p.part)], {
    encoding: "utf8",
  })
    .trim()
    .split("\n")
    .map((l) => Number(l.split("\t")[1]));
  const merged = path.join(work, "merged.pcapng");
  execFileSync("mergecap", ["-a", "-w", merged, ...parts.map((p) => p.part)], { stdio: "ignore" });
  const out = execFileSync(
    "tshark",
    [
      "-r",
      merged,
      "-Y",
      "dhcp",
      "-T",
      "fields",
      "-E",
      "separator=/t",
      "-E",
      "occurrence=a",
      "-E",
      "aggregator=,",
    ].concat(FIELDS.flatMap((f) => ["-e", f])),
    { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], maxBuffer: 256 << 20 },
  );
  const starts: number[] = [];
  let acc = 0;
  for (const n of counts) {
    starts.push(acc);
    acc += n;
  }
  const fileOf = (frame: number): string => {
    let k = 0;
    while (k + 1 < starts.length && (starts[k + 1] ?? Infinity) < frame) k++;
    return path.basename(parts[k]!.file);
  };
  const rows: Row[] = [];
  for (const line of out.split("\n")) {
    if (line.trim() === "") continue;
    const c = line.split("\t");
    const frame = Number(c[0]);
    rows.push({
      file: fileOf(frame),
      frame,
      srcPort: Number(c[1]),
      dstPort: Number(c[2]),
      op: Number(c[3]),
      xid: Number(c[4]),
      msgType: Number((c[5] ?? "").split(",")[0]),
      optionTypes: (c[6] ?? "").split(",").filter(Boolean).map(Number),
      userClassText: c[7] ?? "",
      vendorClass: c[8] ?? "",
      arch: c[9] ?? "",
      ndiMajor: c[10] ?? "",
      ndiMinor: c[11] ?? "",
      uuid: c[12] ?? "",
      payload: h(c[13] ?? ""),
    });
  }
  return rows;
}

function captureFiles(): string[] {
  if (!hasShared) return [];
  const out: string[] = [];
  for (const sub of ["lab", "public"]) {
    const dir = path.join(capturesDir, sub);
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).sort()) {
      if (!/\.(pcap|pcapng)(\.gz)?$/.test(f)) continue;
      // TFTP-only lab captures hold no DHCP; skip them to keep the run short.
      if (sub === "lab" && f.startsWith("tftp-")) continue;
      out.push(path.join(dir, f));
    }
  }
  return out;
}

describe.skipIf(skip)("real captures", () => {
  const files = captureFiles();
  const work = mkdtempSync(path.join(tmpdir(), "pxe-options-captures-"));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  // A skipped describe still runs this body to collect its tests: read nothing then.
  const rows = skip ? [] : readAllRows(files, work);
  const clientRows = rows.filter((r) => r.op === 1 && r.payload.length >= 240);

  it("classifies every PXE/iPXE client message as tshark reads it", () => {
    let pxeClients = 0;
    let parsed = 0;
    const byFile = new Map<string, number>();
    for (const r of clientRows) {
      let view: DhcpView;
      try {
        view = new DhcpView(r.payload);
        view.scan();
      } catch {
        continue; // fuzz/ASan captures: not a DHCP message @pxe/dhcp accepts
      }
      parsed++;
      const c = classify(view);
      const s = pxeSummary(view);
      const tsharkPxe = r.arch !== "" || /^(PXEClient|HTTPClient)/.test(r.vendorClass);
      const tsharkIpxe = r.userClassText.split(",").includes("iPXE") || r.optionTypes.includes(175);
      const where = `${r.file} frame ${r.frame}`;
      expect(c.isPxe, where).toBe(tsharkPxe);
      expect(c.isIpxe, where).toBe(tsharkIpxe);
      expect(s !== undefined, where).toBe(tsharkPxe || tsharkIpxe);
      if (!tsharkPxe) continue;
      pxeClients++;
      byFile.set(r.file, (byFile.get(r.file) ?? 0) + 1);
      if (r.arch !== "") expect(c.arch, where).toBe(Number(r.arch.split(",")[0]));
      expect(c.vendorClass ?? "", where).toBe(r.vendorClass);
      if (r.ndiMajor !== "")
        expect(c.undi, where).toEqual({ major: Number(r.ndiMajor), minor: Number(r.ndiMinor) });
      if (r.uuid !== "") expect(c.uuid, where).toBe(r.uuid);
      expect(c.isHttpBoot, where).toBe(r.vendorClass.startsWith("HTTPClient"));
      // Firmware per architecture, as the lab manifest describes each VM.
      const expected: Record<number, [string, string]> = {
        0: ["bios", "x86"],
        7: ["uefi", "x64"],
        11: ["uefi", "arm64"],
        16: ["uefi", "x64"],
        19: ["uefi", "arm64"],
      };
      const e = c.arch === undefined ? undefined : expected[c.arch];
      expect(e, `${where}: unexpected arch ${c.arch}`).toBeDefined();
      expect([c.firmware, c.cpu], where).toEqual(e);
    }
    console.info(
      `pxe-options captures: ${files.length} files, ${clientRows.length} client DHCP messages, ${parsed} parsed, ${pxeClients} PXE clients classified (${[...byFile].map(([f, n]) => `${f}: ${n}`).join("; ")})`,
    );
    expect(pxeClients).toBeGreaterThan(40);
  });

  const lab = (f: string) => rows.filter((r) => r.file === f);
  /** First row of capture `f` matching `pred`, as a DhcpView. */
  const first = (f: string, pred: (r: Row) => boolean) => {
    const r = lab(f).find(pred);
    if (!r) throw new Error(`${f}: no matching DHCP frame`);
    return { row: r, view: new DhcpView(r.payload) };
  };
  const isIpxeRow = (r: Row) => r.userClassText.split(",").includes("iPXE");
  const firstClient = (f: string, ipxe: boolean) =>
    first(f, (r) => r.op === 1 && r.msgType === 1 && isIpxeRow(r) === ipxe).view;

  it("identifies each lab VM's firmware", () => {
    const summary = (f: string, ipxe: boolean) => pxeSummary(firstClient(f, ipxe));
    expect(summary("pxe-tftp-e1000.pcap", true)).toMatchObject({
      firmware: "bios",
      arch: 0,
      isIpxe: true,
      undi: "2.1",
    });
    expect(summary("uefi-tftp-virtio-net-pci.pcap", false)).toMatchObject({
      firmware: "uefi",
      arch: 7,
      archName: "x64 UEFI",
      isIpxe: false,
      undi: "3.0",
    });
    expect(summary("uefi-tftp-virtio-net-pci.pcap", true)).toMatchObject({
      arch: 7,
      isIpxe: true,
      undi: "3.10",
      ipxeVersion: "1.0.0",
    });
    expect(summary("uefi-httpboot-virtio-net-pci.pcap", false)).toMatchObject({
      firmware: "uefi",
      arch: 16,
      isHttpBoot: true,
    });
    expect(summary("uefi-arm64-httpboot-virtio-net-pci.pcap.gz", false)).toMatchObject({
      arch: 19,
      archName: "arm uefi 64 boot from http",
      cpu: "arm64",
      isHttpBoot: true,
    });
    expect(summary("uefi-arm64-tftp-virtio-net-pci.pcap.gz", false)).toMatchObject({
      arch: 11,
      cpu: "arm64",
      isHttpBoot: false,
    });
    expect(summary("dhcp-udhcpc-ipxe-userclass.pcap", true)).toMatchObject({ isIpxe: true });
  });

  it("summarises the servers' replies (dnsmasq proxy, 4011 ACK, plain DHCP with a boot file)", () => {
    const roles = new Map<string, number>();
    for (const r of rows) {
      if (r.op !== 2 || r.payload.length < 240) continue;
      let view: DhcpView;
      try {
        view = new DhcpView(r.payload);
        view.scan();
      } catch {
        continue;
      }
      const s = pxeReplySummary(view);
      if (s) roles.set(s.role, (roles.get(s.role) ?? 0) + 1);
      if (s?.role.startsWith("proxy"))
        expect(s.vendorClass, `${r.file} frame ${r.frame}`).toMatch(/^(PXEClient|HTTPClient)$/);
    }
    console.info(`pxe-options captures: reply roles ${JSON.stringify(Object.fromEntries(roles))}`);
    const f = "uefi-proxy-virtio-net-pci.pcap";
    const proxyOffer = first(
      f,
      (r) => r.op === 2 && r.msgType === 2 && new DhcpView(r.payload).yiaddr === "0.0.0.0",
    );
    expect(pxeReplySummary(proxyOffer.view)).toEqual({
      role: "proxy-offer",
      vendorClass: "PXEClient",
      bootFile: undefined,
      nextServer: "10.77.0.1",
      discoveryControl: undefined,
      menu: undefined,
      bootItem: undefined,
    });
    const ack4011 = first(f, (r) => r.op === 2 && r.srcPort === 4011);
    expect(pxeReplySummary(ack4011.view)).toMatchObject({
      role: "proxy-ack",
      bootFile: "ipxe.efi",
    });
    const httpOffer = first(
      "uefi-httpboot-virtio-net-pci.pcap",
      (r) => r.op === 2 && r.msgType === 2,
    );
    expect(pxeReplySummary(httpOffer.view)).toMatchObject({
      role: "offer",
      vendorClass: "HTTPClient",
    });
    expect(pxeReplySummary(httpOffer.view)?.bootFile).toMatch(/^http:\/\//);
    // pixiecore's proxy offer to a BIOS ROM carries a full 43 menu
    const pixie = first(
      "danderson__netboot__dhcp4__testdata__dhcp.pcap",
      (r) => r.op === 2 && r.vendorClass === "PXEClient",
    );
    expect(pxeReplySummary(pixie.view)).toMatchObject({
      role: "proxy-offer",
      discoveryControl: 3,
      menu: [{ type: 0x8000, description: "Pixiecore" }],
    });
    expect(roles.get("proxy-offer")).toBeGreaterThan(0);
    expect(roles.get("proxy-ack")).toBeGreaterThan(0);
  });

  it("our proxy OFFER to a UEFI client matches dnsmasq's (no 43, no file, 53/54/60/97)", () => {
    const f = "uefi-proxy-virtio-net-pci.pcap";
    const { row: reqRow, view: req } = first(
      f,
      (r) => r.op === 1 && r.msgType === 1 && !isIpxeRow(r),
    );
    const c = classify(req);
    const r = buildProxyOffer(req, c, chooseBoot(c), { serverAddress: "10.77.0.1" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const ours = new DhcpView(encodeReply(r.reply));
    // dnsmasq's proxy offer: same xid, yiaddr 0 (the plain DHCP server's offer has an address).
    const theirs = first(
      f,
      (r) => r.op === 2 && r.xid === reqRow.xid && new DhcpView(r.payload).yiaddr === "0.0.0.0",
    ).view;
    for (const k of [
      "op",
      "xid",
      "flags",
      "ciaddr",
      "yiaddr",
      "siaddr",
      "giaddr",
      "file",
      "sname",
    ] as const) {
      expect(ours[k], k).toEqual(theirs[k]);
    }
    expect([...ours.options()].map((o) => o.code)).toEqual(
      [...theirs.options()].map((o) => o.code),
    );
    for (const code of [53, 54, 60, 97])
      expect(ours.get(code), `option ${code}`).toEqual(theirs.get(code));
  });

  it("our 4011 ACK to a UEFI client matches dnsmasq's (siaddr, sname, file, 53/54/60/97)", () => {
    const f = "uefi-proxy-virtio-net-pci.pcap";
    const { row: reqRow, view: req } = first(
      f,
      (r) => r.op === 1 && r.dstPort === 4011 && !isIpxeRow(r),
    );
    const c = classify(req);
    const r = buildBootServerAck(
      req,
      c,
      chooseBoot(c),
      { address: "10.77.0.193", port: 4011 },
      {
        serverAddress: "10.77.0.1",
        bootOptionsWhenRequested: false,
      },
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.reply.destination).toEqual({ address: "10.77.0.193", port: 4011, broadcast: false });
    const ours = new DhcpView(encodeReply(r.reply));
    const theirs = first(f, (r) => r.op === 2 && r.srcPort === 4011 && r.xid === reqRow.xid).view;
    for (const k of [
      "op",
      "xid",
      "flags",
      "ciaddr",
      "yiaddr",
      "siaddr",
      "giaddr",
      "file",
      "sname",
    ] as const) {
      expect(ours[k], k).toEqual(theirs[k]);
    }
    expect([...ours.options()].map((o) => o.code)).toEqual(
      [...theirs.options()].map((o) => o.code),
    );
    for (const code of [53, 54, 60, 97])
      expect(ours.get(code), `option ${code}`).toEqual(theirs.get(code));
  });
});

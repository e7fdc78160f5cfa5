import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPLAY_SCHEMA, renderHuman, replayFiles } from "../src/replay/report.js";

const repoRoot = resolve(import.meta.dirname, "../../..");
const own = join(repoRoot, "test/captures/tftp-hpa-get.pcap");
const dir = mkdtempSync(join(tmpdir(), "pxe-cli-replay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A classic pcap whose second record is cut short: readable, with a `truncated` error. */
function truncatedCapture(): string {
  const frame = new Uint8Array(60);
  const file = new Uint8Array(24 + 16 + 60 + 10);
  const v = new DataView(file.buffer);
  v.setUint32(0, 0xa1b2c3d4, true);
  v.setUint16(4, 2, true);
  v.setUint16(6, 4, true);
  v.setUint32(16, 65535, true);
  v.setUint32(20, 1, true);
  v.setUint32(24 + 8, 60, true);
  v.setUint32(24 + 12, 60, true);
  file.set(frame, 40);
  const p = join(dir, "cut.pcap");
  writeFileSync(p, file);
  return p;
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((res) => {
    const child = execFile(
      process.execPath,
      ["--conditions=@pxe/source", "--import", "tsx", "tools/cli/src/main.ts", ...args],
      { cwd: repoRoot, timeout: 60_000 },
      (_err, stdout, stderr) => res({ code: child.exitCode, stdout, stderr }),
    );
  });
}

describe("pxe replay (report)", () => {
  it("builds the schema-1 document with counts, sections and errors", () => {
    const cut = truncatedCapture();
    const { json, exitCode } = replayFiles([own, cut], { verbose: false });
    expect(exitCode).toBe(0);
    expect(json.schema).toBe(REPLAY_SCHEMA);
    const [a, b] = json.files;
    expect(a).toMatchObject({
      file: own,
      format: "pcap",
      compressed: false,
      linkTypes: [1],
      other: 0,
      errorCount: 0,
      errors: [],
    });
    expect(a?.frames).toBe(a?.udp);
    expect(a?.tftp.count).toBe(a?.udp);
    expect(a?.dhcp.count).toBe(0);
    expect(b).toMatchObject({ file: cut, format: "pcap", frames: 1, udp: 0, errorCount: 1 });
    expect(b?.errors).toEqual([
      { frame: 2, offset: 100, code: "truncated", message: expect.stringContaining("cut short") },
    ]);
  });

  it("reports a file that is not a capture, or missing, with exit code 2 and keeps the others", () => {
    const text = join(dir, "notes.txt");
    writeFileSync(text, "not a capture at all");
    const { json, exitCode } = replayFiles([text, own, join(dir, "missing.pcap")], {
      verbose: false,
    });
    expect(exitCode).toBe(2);
    expect(json.files.map((f) => [f.format, f.errors[0]?.code])).toEqual([
      [null, "not-a-capture"],
      ["pcap", undefined],
      [null, "io"],
    ]);
    expect(json.files[0]).toMatchObject({
      frames: 0,
      udp: 0,
      dhcp: { count: 0 },
      tftp: { count: 0 },
      errorCount: 1,
    });
  });

  it("renders a human table with a row per file and the sections' scalar fields", () => {
    const { json } = replayFiles([own, truncatedCapture()], { verbose: false });
    const out = renderHuman(json, { verbose: false });
    const lines = out.split("\n");
    expect(lines[0]?.split(/\s+/)).toEqual([
      "file",
      "format",
      "frames",
      "udp",
      "dhcp",
      "tftp",
      "other",
      "errors",
    ]);
    expect(lines[1]?.split(/\s+/)).toEqual([own, "pcap", "16", "16", "0", "16", "0", "0"]);
    expect(out).toContain("tftp.count");
    expect(out).toContain("error truncated (frame 2, offset 100)");
  });
});

describe("pxe replay (process)", () => {
  it("--json prints exactly one JSON object and exits 0 for readable captures", {
    timeout: 60_000,
  }, async () => {
    const r = await runCli(["replay", "--json", own, truncatedCapture()]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe(1);
    expect(doc.files).toHaveLength(2);
  });

  it("exits 2 when a file is not a capture, still printing the JSON for the others", {
    timeout: 60_000,
  }, async () => {
    const r = await runCli(["replay", "--json", own, join(dir, "missing.pcap")]);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout);
    expect(doc.files.map((f: { format: string | null }) => f.format)).toEqual(["pcap", null]);
  });

  it("prints the human table by default", { timeout: 60_000 }, async () => {
    const r = await runCli(["replay", own]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^file\s+format\s+frames\s+udp\s+dhcp\s+tftp\s+other\s+errors$/m);
  });
});

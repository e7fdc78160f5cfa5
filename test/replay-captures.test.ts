/**
 * Replays every capture under ../shared/captures (public/ and lab/, gzip included) through
 * `pxe replay --json` and compares the UDP/DHCP/TFTP counts with tshark's `udp && !icmp`,
 * `dhcp && !icmp` and `tftp && !icmp` for the same file, plus the MANIFEST's frame counts.
 */
import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  hasCommand,
  hasShared,
  repoRoot,
  sharedDir,
  type TsharkCounts,
  tsharkCounts,
} from "./helpers/peers.js";

const capturesDir = join(sharedDir, "captures");
const haveShared = hasShared("captures");
const haveTshark = hasCommand("tshark");
if (!haveShared) console.warn(`replay-captures: skipped, ${capturesDir} does not exist`);
else if (!haveTshark)
  console.warn(
    "replay-captures: tshark is not installed (pnpm setup:peers); comparing with the MANIFEST files only",
  );

interface ManifestRow {
  /** `pcap`, `pcapng` or `pcap+gzip`: the real format, whatever the file name says. */
  format: string;
  frames: number;
  dhcp: number;
  tftp: number;
}

/** Reads a MANIFEST.tsv: header line `file ... frames ... dhcp(_frames) ... tftp(_frames)`. */
function manifest(dir: string): Map<string, ManifestRow> {
  const rows = new Map<string, ManifestRow>();
  const lines = readFileSync(join(dir, "MANIFEST.tsv"), "utf8")
    .split("\n")
    .filter((l) => l !== "" && !l.startsWith("#"));
  const head = (lines.shift() ?? "").split("\t");
  const col = (names: string[]) => head.findIndex((h) => names.includes(h));
  const [f, fo, fr, d, t] = [
    col(["file"]),
    col(["format"]),
    col(["frames"]),
    col(["dhcp", "dhcp_frames"]),
    col(["tftp", "tftp_frames"]),
  ];
  for (const l of lines) {
    const c = l.split("\t");
    rows.set(c[f] ?? "", {
      format: c[fo] ?? "",
      frames: Number(c[fr]),
      dhcp: Number(c[d]),
      tftp: Number(c[t]),
    });
  }
  return rows;
}

interface FileJson {
  file: string;
  format: string | null;
  frames: number;
  udp: number;
  other: number;
  dhcp: { count: number };
  tftp: { count: number };
  errors: { frame: number | null; offset: number | null; code: string; message: string }[];
}

const files: { sub: string; name: string; path: string }[] = [];
if (haveShared) {
  for (const sub of ["public", "lab"]) {
    for (const name of readdirSync(join(capturesDir, sub)).sort()) {
      if (/\.pcap(ng)?(\.gz)?$/.test(name))
        files.push({ sub, name, path: join(capturesDir, sub, name) });
    }
  }
}

describe.skipIf(!haveShared)("pxe replay over ../shared/captures", () => {
  let report: { schema: number; files: FileJson[] };
  let exitCode: number | null = null;

  /** tshark runs, two at a time, started together with the CLI (the machine has 2 cores). */
  const tshark = new Map<string, Promise<TsharkCounts>>();

  beforeAll(async () => {
    if (haveTshark) {
      const queue = [...files].sort(
        (a, b) => Number(b.name.endsWith(".gz")) - Number(a.name.endsWith(".gz")),
      );
      const slots: Promise<void>[] = [Promise.resolve(), Promise.resolve()];
      queue.forEach((f, i) => {
        const slot = i % slots.length;
        const run = (slots[slot] as Promise<void>).then(() => tsharkCounts(f.path));
        // Keep the chain going even if one run fails; the failure surfaces in that file's test.
        slots[slot] = run.then(
          () => undefined,
          () => undefined,
        );
        tshark.set(f.path, run);
      });
    }
    // One CLI process for every file, as a user would run it.
    const out = await new Promise<string>((res, rej) => {
      const child = execFile(
        process.execPath,
        [
          "--conditions=@pxe/source",
          "--import",
          "tsx",
          "tools/cli/src/main.ts",
          "replay",
          "--json",
          ...files.map((f) => f.path),
        ],
        { cwd: repoRoot, maxBuffer: 256 * 1024 * 1024, timeout: 120_000 },
        (err, stdout) => {
          if (err && typeof err.code !== "number") rej(err);
          else res(stdout);
        },
      );
      child.on("exit", (code) => {
        exitCode = code;
      });
    });
    report = JSON.parse(out);
  }, 120_000);

  it("finds the captures and the CLI prints one schema-1 object and exits 0", () => {
    expect(files.length).toBeGreaterThan(40);
    expect(files.some((f) => f.name.endsWith(".pcap.gz"))).toBe(true);
    expect(files.some((f) => f.name.endsWith(".pcapng"))).toBe(true);
    expect(exitCode).toBe(0);
    expect(report.schema).toBe(1);
    expect(report.files.map((f) => f.file)).toEqual(files.map((f) => f.path));
  });

  const manifests = new Map<string, Map<string, ManifestRow>>();
  for (const sub of ["public", "lab"])
    if (haveShared) manifests.set(sub, manifest(join(capturesDir, sub)));

  it("every capture file is listed in its MANIFEST", () => {
    for (const f of files) expect(manifests.get(f.sub)?.has(f.name), f.name).toBe(true);
  });

  for (const f of files) {
    it(`${f.sub}/${f.name}: counts equal tshark's`, { timeout: 120_000 }, async () => {
      const got = report.files.find((x) => x.file === f.path);
      expect(got).toBeDefined();
      if (got === undefined) return;
      const m = manifests.get(f.sub)?.get(f.name);
      // Detected by magic, not by name: one public ".pcap" file is really pcapng.
      expect(got.format).toBe(m?.format.startsWith("pcapng") ? "pcapng" : "pcap");
      // No file in the corpus is damaged at the container level.
      expect(
        got.errors.filter((e) =>
          ["truncated", "bad-record", "not-a-capture", "bad-gzip"].includes(e.code),
        ),
      ).toEqual([]);
      expect(got.udp).toBe(got.dhcp.count + got.tftp.count + got.other);
      expect(got.frames).toBe(m?.frames);
      if (!haveTshark) {
        // Without tshark only bounds can be checked: the MANIFEST counts include ICMP-quoted packets.
        expect(got.dhcp.count).toBeLessThanOrEqual(m?.dhcp ?? 0);
        expect(got.tftp.count).toBeLessThanOrEqual(m?.tftp ?? 0);
        return;
      }
      const pending = tshark.get(f.path);
      expect(pending).toBeDefined();
      const t: TsharkCounts = await (pending as Promise<TsharkCounts>);
      expect({
        frames: got.frames,
        udp: got.udp,
        dhcp: got.dhcp.count,
        tftp: got.tftp.count,
      }).toEqual({
        frames: t.frames,
        udp: t.udp,
        dhcp: t.dhcp,
        tftp: t.tftp,
      });
      // Cross-check: this tshark agrees with the one that wrote the MANIFEST.
      expect({ dhcp: t.dhcpWithIcmp, tftp: t.tftpWithIcmp }).toEqual({
        dhcp: m?.dhcp,
        tftp: m?.tftp,
      });
    });
  }
});

import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";

const repoRoot = resolve(import.meta.dirname, "../../..");

describe("README example", () => {
  it("examples/summary.mjs runs and prints the TFTP exchange of the repo's capture", {
    timeout: 60_000,
  }, async () => {
    // The example imports "@pxe/replay/node" by name: from sources through the @pxe/source condition
    // (tsx), or from dist when TEST_DIST is set.
    const args = process.env.TEST_DIST ? [] : ["--conditions=@pxe/source", "--import", "tsx"];
    const out = await new Promise<string>((res, rej) => {
      execFile(
        process.execPath,
        [...args, "tools/replay/examples/summary.mjs", "test/captures/tftp-hpa-get.pcap"],
        { cwd: repoRoot, timeout: 50_000 },
        (err, stdout, stderr) => (err ? rej(new Error(`${err.message}\n${stderr}`)) : res(stdout)),
      );
    });
    const lines = out.trim().split("\n");
    expect(lines[0]).toBe("test/captures/tftp-hpa-get.pcap: pcap, link types 1, 16 frames");
    expect(lines.filter((l) => / RRQ \d+ bytes$/.test(l))).toHaveLength(2);
    expect(lines.filter((l) => / DATA \d+ bytes$/.test(l))).toHaveLength(6);
    expect(lines.filter((l) => / ERROR \d+ bytes$/.test(l))).toHaveLength(1);
  });
});

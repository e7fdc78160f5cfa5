import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ipxeLintKind } from "../src/lint/ipxe.js";
import { pxelinuxLintKind } from "../src/lint/pxelinux.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const shared = path.resolve(repoRoot, "../shared/corpus");
const haveCorpus = existsSync(path.join(shared, "pxelinux", "MANIFEST.tsv"));
if (!haveCorpus) console.warn(`pxelinux lint corpus tests skipped: ${shared} is missing`);

function files(kind: "pxelinux" | "ipxe"): [string, string][] {
  const dir = path.join(shared, kind);
  return readdirSync(dir)
    .filter((f) => f !== "MANIFEST.tsv")
    .map((f) => [f, readFileSync(path.join(dir, f), "latin1")]);
}

describe("pxelinuxLintKind", () => {
  it("lints with 1-based positions, stable codes and severities", () => {
    const r = pxelinuxLintKind.lint(
      "DEFAULT a\nLABEL a\n  KERNEL vmlinuz\n  fdtdir /x\nTEXT HELP\nnever closed\n",
    );
    expect(r.roundTrip).toBe(true);
    expect(r.diagnostics).toEqual([
      {
        line: 4,
        column: 3,
        severity: "warning",
        code: "unknown-keyword",
        message: expect.stringContaining("fdtdir"),
      },
      {
        line: 5,
        column: 1,
        severity: "error",
        code: "unterminated-text",
        message: expect.any(String),
      },
    ]);
  });

  it("formats without changing meaning and idempotently", () => {
    const t = "label linux\nkernel  vmlinuz\n\tappend quiet  \nmenu   label ^Linux\n";
    const f = pxelinuxLintKind.format(t);
    expect(f).toBe("LABEL linux\n  KERNEL vmlinuz\n  APPEND quiet  \n  MENU LABEL ^Linux\n");
    expect(pxelinuxLintKind.format(f)).toBe(f);
  });

  it("tells PXELINUX configs from iPXE scripts", () => {
    expect(pxelinuxLintKind.detect("#!ipxe\nkernel x\n")).toBe(0);
    expect(
      pxelinuxLintKind.detect("DEFAULT linux\nLABEL linux\n KERNEL vmlinuz\n"),
    ).toBeGreaterThan(0.8);
  });

  it.skipIf(!haveCorpus)(
    "scores every corpus config above the iPXE kind, and every iPXE script below it",
    () => {
      for (const [f, t] of files("pxelinux")) {
        expect(pxelinuxLintKind.detect(t), f).toBeGreaterThan(ipxeLintKind.detect(t));
      }
      for (const [f, t] of files("ipxe")) {
        expect(pxelinuxLintKind.detect(t), f).toBeLessThan(ipxeLintKind.detect(t));
      }
    },
  );

  it.skipIf(!haveCorpus)(
    "lints every corpus config with a round trip and no error; fmt is idempotent",
    () => {
      for (const [f, t] of files("pxelinux")) {
        const r = pxelinuxLintKind.lint(t);
        expect(r.roundTrip, f).toBe(true);
        expect(
          r.diagnostics.filter((d) => d.severity === "error"),
          f,
        ).toEqual([]);
        const once = pxelinuxLintKind.format(t);
        expect(pxelinuxLintKind.format(once), f).toBe(once);
      }
    },
  );
});

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: iPXE scripts use ${...} literally
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type LintReport, runLint } from "../src/commands/lint.js";
import { ipxeLintKind } from "../src/lint/ipxe.js";
import { LINT_KINDS, pickKind } from "../src/lint/registry.js";
import { capture, scratch } from "./io.js";

const { dir, put: file } = scratch("pxe-lint-");

describe("pxe lint", () => {
  it("prints compiler-style diagnostics and exits 1 only on errors", async () => {
    const bad = file("bad.ipxe", "#!ipxe\necho -e hi\ngoto ${x}\n");
    const c = capture();
    expect(await runLint([bad], {}, c.io)).toBe(1);
    expect(c.out.join("")).toBe(
      `${bad}:2:6: error unknown-option: echo: invalid option "-e"\n` +
        `${bad}:3:6: info dynamic-goto: goto \${x}: the target is only known at run time\n` +
        `${bad}:3:6: info setting-read-before-write: setting "x" is read before the script writes it (empty unless set elsewhere)\n`,
    );
    const warn = file("warn.ipxe", "#!ipxe\nfrobnicate\n");
    const w = capture();
    expect(await runLint([warn], {}, w.io)).toBe(0);
    expect(w.out.join("")).toContain("warning unknown-command");
  });

  it("--json prints one array with one object per file", async () => {
    const a = file("a.ipxe", "#!ipxe\r\nchain http://x/${mac}\r\n");
    const b = file("b.ipxe", "\ufeff#!ipxe\n");
    const c = capture();
    expect(await runLint([a, b], { json: true }, c.io)).toBe(1);
    const reports = JSON.parse(c.out.join("")) as LintReport[];
    expect(reports).toEqual([
      { file: a, kind: "ipxe", roundTrip: true, diagnostics: [] },
      {
        file: b,
        kind: "ipxe",
        roundTrip: true,
        diagnostics: [
          {
            line: 1,
            column: 1,
            severity: "error",
            code: "bom",
            message: expect.stringContaining("byte order mark"),
          },
        ],
      },
    ]);
  });

  it("exits 2 for unreadable files and unknown kinds", async () => {
    const c = capture();
    expect(await runLint([path.join(dir, "missing.ipxe")], {}, c.io)).toBe(2);
    expect(c.err.join("")).toContain("cannot read file");
    expect(await runLint([file("x.ipxe", "#!ipxe\n")], { kind: "yaml" }, capture().io)).toBe(2);
  });

  it("keeps non-UTF-8 bytes (latin1) so the round trip is byte-exact", async () => {
    const p = file(
      "latin1.ipxe",
      Uint8Array.from([...Buffer.from("#!ipxe\necho caf"), 0xe9, 0x0a]),
    );
    const c = capture();
    expect(await runLint([p], { json: true }, c.io)).toBe(0);
    expect((JSON.parse(c.out.join("")) as LintReport[])[0]?.roundTrip).toBe(true);
  });
});

describe("kind detection", () => {
  it("scores iPXE signatures highest and plain text low", () => {
    expect(ipxeLintKind.detect("#!ipxe\n")).toBe(1);
    expect(ipxeLintKind.detect("#!iPXE\n")).toBeGreaterThan(0.5);
    expect(ipxeLintKind.detect("DEFAULT menu.c32\nLABEL linux\n  KERNEL vmlinuz\n")).toBeLessThan(
      0.3,
    );
    expect(ipxeLintKind.detect("dhcp\nchain http://x/${mac}.ipxe || goto x\n")).toBeGreaterThan(
      0.5,
    );
  });
  it("the registry lists the iPXE kind and honours --kind", () => {
    expect(LINT_KINDS.map((k) => k.kind)).toContain("ipxe");
    expect(pickKind("#!ipxe\n")?.kind).toBe("ipxe");
    expect(pickKind("#!ipxe\n", "ipxe")?.kind).toBe("ipxe");
    expect(LINT_KINDS.map((k) => k.kind)).toContain("pxelinux");
    expect(
      pickKind("DEFAULT menu.c32\nLABEL linux\n  KERNEL vmlinuz\n  APPEND initrd=initrd.img\n")
        ?.kind,
    ).toBe("pxelinux");
  });
});

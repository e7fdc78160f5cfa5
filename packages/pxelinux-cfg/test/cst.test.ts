import { type CstLine, parse, print, syntaxDiagnostics } from "@pxe/pxelinux-cfg";
import { describe, expect, it } from "vitest";

function only(text: string): CstLine {
  const lines = parse(text).lines;
  expect(lines).toHaveLength(1);
  return lines[0] as CstLine;
}

describe("parse: records and cuts", () => {
  it("splits at \\n and keeps the exact terminator", () => {
    const t = "LABEL a\r\n  KERNEL vmlinuz\nAPPEND x";
    const f = parse(t);
    expect(f.lines.map((l) => [l.name, l.value, l.tail, l.eol])).toEqual([
      ["label", "a", "\r", "\n"],
      ["kernel", "vmlinuz", "", "\n"],
      ["append", "x", "", ""],
    ]);
    expect(print(f)).toBe(t);
  });

  it("cuts content at the first bare CR and keeps the rest as an inert tail", () => {
    const l = only("APPEND a b\rc d\n");
    expect(l.value).toBe("a b");
    expect(l.tail).toBe("\rc d");
    const d = syntaxDiagnostics(parse("APPEND a b\rc d\n"));
    expect(d.map((x) => x.code)).toEqual(["ignored-tail"]);
    expect(d[0]?.column).toBe(11);
  });

  it("cuts content at a NUL byte", () => {
    const l = only("KERNEL a\u0000b\n");
    expect(l.value).toBe("a");
    expect(l.tail).toBe("\u0000b");
  });

  it("splits a line longer than 4095 bytes and reads the rest as a new line", () => {
    const long = `APPEND ${"x".repeat(4088)}LABEL y\n`;
    const f = parse(long);
    expect(f.lines).toHaveLength(2);
    expect(f.lines[0]?.split).toBe(true);
    expect(f.lines[0]?.value.length).toBe(4088);
    expect(f.lines[1]?.name).toBe("label");
    expect(f.lines[1]?.value).toBe("y");
    expect(f.lines[1]?.line).toBe(1);
    expect(f.lines[1]?.column).toBe(4096);
    expect(print(f)).toBe(long);
    expect(syntaxDiagnostics(f).map((d) => d.code)).toContain("line-too-long");
  });

  it("counts the split in UTF-8 bytes, not code units", () => {
    const t = `SAY ${"é".repeat(2100)}\n`; // 4 + 4200 bytes
    const f = parse(t);
    expect(f.lines.length).toBe(2);
    expect(print(f)).toBe(t);
  });

  it("a 4095-byte line followed by \\n gives an extra empty record", () => {
    const t = `SAY ${"x".repeat(4091)}\nLABEL a\n`;
    const f = parse(t);
    expect(f.lines.map((l) => l.kind)).toEqual(["directive", "blank", "directive"]);
  });
});

describe("parse: keywords", () => {
  it("matches keywords case-insensitively and needs whitespace after them", () => {
    expect(only("LaBeL x").name).toBe("label");
    expect(only("LABELx").kind).toBe("unknown");
    expect(only("kernel\tvmlinuz").value).toBe("vmlinuz");
    expect(only("TIMEOUT").name).toBe("timeout");
    expect(only("totaltimeout 5").name).toBe("totaltimeout");
  });

  it("keeps the argument verbatim: no quotes, no inline comments, trailing whitespace", () => {
    const l = only('APPEND a "b c" # d  ');
    expect(l.value).toBe('a "b c" # d  ');
  });

  it("treats # lines and #LABEL as comments", () => {
    expect(only("# hello").kind).toBe("comment");
    expect(only("  #LABEL x").kind).toBe("comment");
  });

  it("reads MENU sub-keywords, MENU MASTER PASSWD, and unknown MENU lines", () => {
    const a = only("Menu   Label ^Install");
    expect([a.name, a.keyword, a.value]).toEqual(["menu label", "Menu   Label", "^Install"]);
    expect(only("MENU MASTER PASSWD $1$x").name).toBe("menu master passwd");
    expect(only("MENU MASTER foo").kind).toBe("unknown");
    const u = only("MENU STARTIFNOARG 1");
    expect([u.kind, u.keyword, u.value]).toEqual(["unknown", "MENU STARTIFNOARG", "1"]);
    expect(only("menu vshift 12").name).toBe("menu vshift");
    expect(only("MENU").kind).toBe("unknown");
  });

  it("reads F-keys as is_fkey() does", () => {
    expect(only("F1 help.txt").name).toBe("f1");
    expect(only("f12 x").name).toBe("f12");
    expect(only("F0 x").name).toBe("f0");
    expect(only("F x").name).toBe("f0");
    expect(only("F 3 x").name).toBe("f3");
    expect(only("F13 x").kind).toBe("unknown");
    expect(only("F-1 x").kind).toBe("unknown");
    expect(only("FONT lat.psf").name).toBe("font");
    expect(only("FDIMAGE a.img").name).toBe("fdimage");
  });

  it("reads TEXT HELP ... ENDTEXT with raw bodies", () => {
    const t = "LABEL a\nTEXT HELP\n  Some help\r\n\tENDTEXT\nKERNEL k\n";
    const f = parse(t);
    expect(f.lines.map((l) => l.kind)).toEqual([
      "directive",
      "directive",
      "text-body",
      "text-end",
      "directive",
    ]);
    expect(f.lines[2]?.value).toBe("  Some help\r");
    expect(f.lines[1]?.textEnd).toBe(3);
    expect(print(f)).toBe(t);
  });

  it("an unterminated TEXT swallows the rest of the file and is an error", () => {
    const f = parse("TEXT HELP\nLABEL a\nKERNEL b\n");
    expect(f.lines.slice(1).every((l) => l.kind === "text-body")).toBe(true);
    const d = syntaxDiagnostics(f);
    expect(d.find((x) => x.code === "unterminated-text")?.severity).toBe("error");
  });

  it("reports unknown keywords as warnings with position", () => {
    const d = syntaxDiagnostics(parse("LABEL a\n  fdtdir /dtbs\n"));
    expect(d).toEqual([
      expect.objectContaining({
        code: "unknown-keyword",
        severity: "warning",
        line: 2,
        column: 3,
        start: 10,
        end: 16,
      }),
    ]);
  });
});

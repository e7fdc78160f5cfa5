// biome-ignore-all lint/suspicious/noTemplateCurlyInString: iPXE scripts use ${...} literally
import { type ExpansionPart, lint, parse, print, type WordToken } from "@pxe/ipxe-script";
import { describe, expect, it } from "vitest";

function words(text: string, line = 1): string[] {
  const l = parse(text).tree.lines[line];
  return l ? l.segments.flatMap((s) => s.words.map((w) => w.value)) : [];
}
function codes(text: string): string[] {
  return lint(text).map((d) => d.code);
}

describe("signature", () => {
  it("accepts #!ipxe and #!gpxe followed by whitespace", () => {
    expect(parse("#!ipxe\n").tree.signature).toBe("ipxe");
    expect(parse("#!gpxe\necho hi\n").tree.signature).toBe("gpxe");
    expect(parse("#!ipxe echo\n").tree.signature).toBe("ipxe");
    expect(codes("#!gpxe\n")).toEqual([]);
  });
  it("rejects #!iPXE, a 6-byte file, a BOM and a missing signature", () => {
    expect(codes("#!iPXE\n")).toEqual(["signature-invalid"]);
    expect(codes("#!ipxe")).toEqual(["signature-invalid"]);
    expect(codes("#!ipxex\n")).toEqual(["signature-invalid"]);
    expect(codes("\ufeff#!ipxe\n")).toEqual(["bom"]);
    expect(codes("echo hi\n")).toContain("signature-missing");
    const d = lint("\ufeff#!ipxe\n")[0];
    expect(d).toMatchObject({ severity: "error", line: 1, column: 1 });
  });
  it("keeps the BOM as its own token", () => {
    const { tree } = parse("\ufeff#!ipxe\n");
    expect(tree.bom).toBe(true);
    expect(tree.lines[0]?.tokens.map((t) => t.kind)).toEqual(["Bom", "Comment", "Newline"]);
    expect(print(tree)).toBe("\ufeff#!ipxe\n");
  });
});

describe("physical and logical lines", () => {
  it("drops one trailing CR per line; a bare CR elsewhere is whitespace", () => {
    const text = "#!ipxe\r\necho a\rb\r\r\nkernel x\r";
    const { tree } = parse(text);
    expect(print(tree)).toBe(text);
    expect(words(text, 1)).toEqual(["echo", "a", "b"]);
    expect(tree.lines[1]?.tokens.at(-1)?.text).toBe("\r\n");
    expect(words(text, 2)).toEqual(["kernel", "x"]);
    expect(tree.lines[2]?.tokens.at(-1)).toMatchObject({ kind: "Newline", text: "\r" });
  });
  it("joins continuation lines with nothing inserted, CRLF too", () => {
    const text = "#!ipxe\nkernel http://x/vmlinuz\\\r\n  console=ttyS0 ech\\\no\n";
    const { tree } = parse(text);
    expect(print(tree)).toBe(text);
    expect(tree.lines).toHaveLength(2);
    expect(tree.lines[1]?.physicalLines).toBe(3);
    expect(words(text, 1)).toEqual(["kernel", "http://x/vmlinuz", "console=ttyS0", "echo"]);
    const w = tree.lines[1]?.segments[0]?.words[3] as WordToken;
    expect(w.text).toBe("ech\\\no");
    expect(
      tree.lines[1]?.tokens.filter((t) => t.kind === "Continuation").map((t) => t.text),
    ).toEqual(["\\\r\n"]);
    expect(tree.lines[2]).toBeUndefined();
  });
  it("continues comments too, swallowing the next line", () => {
    const text = "#!ipxe\n# note \\\necho never\necho yes\n";
    const { tree } = parse(text);
    expect(tree.lines[1]?.comment?.value).toBe("# note echo never");
    expect(words(text, 2)).toEqual(["echo", "yes"]);
  });
  it("a backslash followed by a space is not a continuation", () => {
    expect(parse("#!ipxe\necho a\\ \necho b\n").tree.lines).toHaveLength(3);
  });
  it("reports a continuation at end of file as an error", () => {
    const text = "#!ipxe\necho a \\\n";
    const { tree, diagnostics } = parse(text);
    expect(print(tree)).toBe(text);
    expect(tree.lines[1]?.continuationAtEof).toBe(true);
    expect(diagnostics.map((d) => [d.code, d.severity, d.line])).toEqual([
      ["continuation-at-eof", "error", 2],
    ]);
    expect(codes("#!ipxe\necho a\\")).toEqual(["continuation-at-eof"]);
  });
  it("ignores the rest of a line after NUL", () => {
    const text = "#!ipxe\necho a\0b c\n";
    const { tree } = parse(text);
    expect(print(tree)).toBe(text);
    expect(words(text, 1)).toEqual(["echo", "a"]);
    expect(codes(text)).toEqual(["nul-byte"]);
  });
  it("handles very long lines", () => {
    const long = `#!ipxe\nkernel http://x/k ${"a=b ".repeat(5000)}\n`;
    const { tree } = parse(long);
    expect(print(tree)).toBe(long);
    expect(tree.lines[1]?.segments[0]?.words).toHaveLength(5002);
    expect(codes(long)).toEqual([]);
  });
  it("files without a final newline round-trip", () => {
    const text = "#!ipxe\necho x";
    expect(print(parse(text).tree)).toBe(text);
    expect(words(text, 1)).toEqual(["echo", "x"]);
  });
});

describe("tokens", () => {
  it("splits on whitespace only: quotes are literal", () => {
    expect(words('#!ipxe\niseq "${a}" "-1"\n')).toEqual(["iseq", '"${a}"', '"-1"']);
    expect(words("#!ipxe\necho\t'a  b'\n")).toEqual(["echo", "'a", "b'"]);
  });
  it("a comment is any token starting with #, only at a token start", () => {
    const { tree } = parse("#!ipxe\necho a#b #c d\n");
    expect(words("#!ipxe\necho a#b #c d\n")).toEqual(["echo", "a#b"]);
    expect(tree.lines[1]?.comment?.value).toBe("#c d");
  });
  it("||, && and ; are operators only as whole tokens; a lone | is an argument", () => {
    const { tree } = parse("#!ipxe\niseq a b && goto x || ; echo a||b | c\n");
    const segs = tree.lines[1]?.segments ?? [];
    expect(segs.map((s) => [s.words.map((w) => w.value), s.operator?.op ?? null])).toEqual([
      [["iseq", "a", "b"], "&&"],
      [["goto", "x"], "||"],
      [[], ";"],
      [["echo", "a||b", "|", "c"], null],
    ]);
    expect(codes("#!ipxe\n:x\nchain x | goto y\n")).toContain("lone-pipe");
  });
  it("a trailing operator leaves an empty segment", () => {
    const segs = parse("#!ipxe\nisset ${x} ||\n").tree.lines[1]?.segments ?? [];
    expect(segs).toHaveLength(2);
    expect(segs[1]?.words).toEqual([]);
  });
  it("labels: indented, with a command, with colons, empty; #: is a comment", () => {
    const text = "#!ipxe\n  :retry echo again\n:52:54:00:12:34:56\n:\n#:no\n:a#b\n";
    const { tree } = parse(text);
    expect(tree.lines.map((l) => l.label?.name ?? null)).toEqual([
      null,
      "retry",
      "52:54:00:12:34:56",
      "",
      null,
      "a#b",
    ]);
    expect(words(text, 1)).toEqual(["echo", "again"]);
    expect(print(tree)).toBe(text);
  });
});

describe("expansions", () => {
  function parts(value: string): ExpansionPart[] {
    const w = parse(`#!ipxe\necho ${value}\n`).tree.lines[1]?.segments[0]?.words[1] as WordToken;
    return w.parts.filter((p): p is ExpansionPart => p.kind === "Expansion");
  }
  it("parses [scope/]name[:type] and numeric DHCP tags", () => {
    expect(parts("${net0/mac:hexhyp}")[0]?.ref).toEqual({
      scope: "net0",
      name: "mac",
      type: "hexhyp",
    });
    expect(parts("${210:string}")[0]?.ref).toEqual({
      scope: undefined,
      name: "210",
      type: "string",
    });
    expect(parts("${175.3}")[0]?.ref).toEqual({ scope: undefined, name: "175.3", type: undefined });
  });
  it("nests inside-out and leaves unterminated ${ literal", () => {
    const [outer] = parts("${net${netid}/mac:hexhyp}");
    expect(outer?.ref).toBeUndefined();
    expect(outer?.inner.find((p) => p.kind === "Expansion")).toMatchObject({ text: "${netid}" });
    const w = parse("#!ipxe\necho a${b\n").tree.lines[1]?.segments[0]?.words[1] as WordToken;
    expect(w.dynamic).toBe(false);
    expect(w.parts).toEqual([{ kind: "Literal", start: 0, text: "a${b" }]);
    const p = parts("x${a}y}${");
    expect(p.map((e) => e.text)).toEqual(["${a}"]);
  });
});

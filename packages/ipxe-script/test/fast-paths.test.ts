// biome-ignore-all lint/suspicious/noTemplateCurlyInString: iPXE scripts use ${...} literally
// The fast paths added for speed (getopt start index, flat `${…}` splitter, menu index for
// `goto ${choice}`) must give what the plain versions give.
import { fc, test as fcTest } from "@fast-check/vitest";
import {
  analyze,
  COMMANDS,
  getopt,
  parse,
  parseSettingRef,
  parseWordParts,
  type WordPart,
} from "@pxe/ipxe-script";
import { describe, expect, it } from "vitest";

const RUNS = Number(process.env.IPXE_FC_RUNS ?? 500);

const wordish = fc.string({
  unit: fc.constantFrom("${", "}", "$", "{", "a", "net0/", "mac", ":", "hexhyp", "-", "x"),
  maxLength: 16,
});

/** Rebuilds the text of a part list (an expansion's text already includes its braces). */
function textOf(parts: readonly WordPart[]): string {
  let out = "";
  for (const p of parts) out += p.text;
  return out;
}

describe("parseWordParts", () => {
  fcTest.prop([wordish], { numRuns: RUNS })(
    "parts tile the value, literals never adjacent",
    (v) => {
      const { parts, dynamic } = parseWordParts(v);
      expect(textOf(parts)).toBe(v);
      let at = 0;
      for (let i = 0; i < parts.length; i++) {
        const p = parts[i] as WordPart;
        expect(p.start).toBe(at);
        at += p.text.length;
        if (i > 0) expect(p.kind === "Literal" && parts[i - 1]?.kind === "Literal").toBe(false);
        if (p.kind === "Expansion") {
          expect(p.end).toBe(p.start + p.text.length);
          expect(`\${${textOf(p.inner)}}`).toBe(p.text);
          const allLiteral = p.inner.every((q) => q.kind === "Literal");
          expect(p.ref).toEqual(allLiteral ? parseSettingRef(textOf(p.inner)) : undefined);
        }
      }
      expect(dynamic).toBe(parts.some((p) => p.kind === "Expansion"));
    },
  );

  it("splits flat, nested and unterminated references", () => {
    const flat = parseWordParts("http://${next-server}/${net0/mac:hexhyp}.ipxe").parts;
    expect(flat.map((p) => [p.kind, p.text])).toEqual([
      ["Literal", "http://"],
      ["Expansion", "${next-server}"],
      ["Literal", "/"],
      ["Expansion", "${net0/mac:hexhyp}"],
      ["Literal", ".ipxe"],
    ]);
    expect(flat[3]?.kind === "Expansion" && flat[3].ref).toEqual({
      scope: "net0",
      name: "mac",
      type: "hexhyp",
    });
    const nested = parseWordParts("${net${i}/mac}").parts;
    expect(nested).toHaveLength(1);
    expect(nested[0]?.kind === "Expansion" && nested[0].ref).toBe(undefined);
    expect(parseWordParts("a${b}${c").parts.map((p) => p.text)).toEqual(["a", "${b}", "${c"]);
    expect(parseWordParts("${}").parts[0]).toMatchObject({ kind: "Expansion", inner: [] });
  });
});

describe("getopt start index", () => {
  const names = [...COMMANDS.keys()];
  fcTest.prop(
    [
      fc.constantFrom(...names),
      fc.array(fc.constantFrom("-n", "x", "--timeout", "5", "--", "-", "--menu=m", "${a}", "-a"), {
        maxLength: 6,
      }),
    ],
    { numRuns: RUNS },
  )("getopt(info, words, 1) equals getopt(info, words.slice(1))", (name, rest) => {
    const words = parse(`${[name, ...rest].join(" ")}\n`).tree.lines[0]?.segments[0]?.words ?? [];
    const info = COMMANDS.get(name);
    if (!info || words.length === 0) return;
    expect(getopt(info, words, 1)).toEqual(getopt(info, words.slice(1)));
  });
});

describe("goto ${choice} over several menus", () => {
  it("follows the items of every menu whose choose writes the setting, in document order", () => {
    const text = [
      "#!ipxe",
      "menu",
      "item b B",
      "item --menu m a A",
      "item --menu n c C",
      "item --menu m nolabel X",
      "choose --menu m x",
      "choose --menu n x",
      "goto ${x}",
      ":a",
      "exit",
      ":b",
      "exit",
      ":c",
      "exit",
      "",
    ].join("\n");
    const m = analyze(text);
    const gotoLine = 8;
    // Items of menus m and n only (b is in the default menu): labels a and c, not b.
    expect(m.flow.successors[gotoLine]).toEqual([9, 13]);
    expect(m.flow.reachable[11]).toBe(false);
    const missing = m.diagnostics.filter((d) => d.code === "item-without-label");
    expect(missing.map((d) => d.line)).toEqual([6]);
    expect(missing[0]?.message).toContain('"nolabel"');
  });
});

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: iPXE scripts use ${...} literally
import { fc, test as fcTest } from "@fast-check/vitest";
import { analyze, format, lint, parse, parseScriptSpec, print } from "@pxe/ipxe-script";
import { describe, expect } from "vitest";

const ipxeish = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      "\n",
      "\r\n",
      "\r",
      "\\",
      " ",
      "\t",
      "#",
      ":",
      "||",
      "&&",
      ";",
      "|",
      "${",
      "}",
      "$",
      "-",
      "--",
      "=",
      "0",
      "\0",
      "\ufeff",
    ),
    fc.constantFrom(
      "#!ipxe\n",
      "goto ",
      "item ",
      "menu ",
      "choose ",
      "set ",
      "kernel ",
      "echo ",
      "-n ",
      "--timeout ",
      "x",
      "a",
    ),
  ),
  maxLength: 80,
});

describe("parser properties", () => {
  fcTest.prop([fc.string({ unit: "binary" })], {
    numRuns: Number(process.env.IPXE_FC_RUNS ?? 500),
  })("arbitrary text never throws and round-trips", (text) => {
    const { tree } = parse(text);
    expect(print(tree)).toBe(text);
    expect(() => analyze(tree, text)).not.toThrow();
  });
  fcTest.prop([ipxeish], { numRuns: Number(process.env.IPXE_FC_RUNS ?? 1000) })(
    "iPXE-like text round-trips; lint/format/spec never throw",
    (text) => {
      const { tree } = parse(text);
      expect(print(tree)).toBe(text);
      let covered = 0;
      for (const line of tree.lines) {
        for (const t of line.tokens) {
          expect(t.start).toBe(covered);
          covered += t.text.length;
        }
      }
      expect(covered).toBe(text.length);
      for (const d of lint(text)) {
        expect(d.line).toBeGreaterThanOrEqual(1);
        expect(d.start).toBeLessThanOrEqual(text.length);
      }
      format(text);
      parseScriptSpec(text);
    },
  );
});

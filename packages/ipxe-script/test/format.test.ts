// biome-ignore-all lint/suspicious/noTemplateCurlyInString: iPXE scripts use ${...} literally
import { fc, test as fcTest } from "@fast-check/vitest";
import { format } from "@pxe/ipxe-script";
import { describe, expect, it } from "vitest";
import { meaning } from "./meaning.js";

describe("format", () => {
  it("normalises whitespace, joins continuations, collapses blank lines", () => {
    const text =
      "#!ipxe  \n\n\n  :start   echo\t a   b  # note  \nkernel x\\\n  y=1\n\n\nboot ||   \n\n";
    expect(format(text)).toBe("#!ipxe\n\n:start echo a b # note\nkernel x y=1\n\nboot ||\n");
  });
  it("keeps the dominant CRLF line ending and a trailing backslash-space", () => {
    expect(format("#!ipxe\r\necho a\\ \r\necho b\r\n")).toBe("#!ipxe\r\necho a\\ \r\necho b\r\n");
  });
  it("leaves a continuation at end of file and a BOM alone", () => {
    expect(format("\ufeff#!ipxe\necho a \\")).toBe("\ufeff#!ipxe\necho a \\");
  });
  fcTest.prop(
    [
      fc.string({
        unit: fc.constantFrom(
          "a",
          " ",
          "\t",
          "\n",
          "\r",
          "\\",
          "#",
          ":",
          "|",
          ";",
          "&",
          "$",
          "{",
          "}",
          "\0",
        ),
      }),
    ],
    {
      numRuns: Number(process.env.IPXE_FC_RUNS ?? 500),
    },
  )("is idempotent and keeps the meaning of arbitrary text", (body) => {
    const text = `#!ipxe\n${body}`;
    const f = format(text);
    expect(format(f)).toBe(f);
    expect(meaning(f)).toEqual(meaning(text));
  });
});

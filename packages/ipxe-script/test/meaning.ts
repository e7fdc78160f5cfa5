import { parse } from "@pxe/ipxe-script";

/**
 * The non-empty logical lines as iPXE tokenizes them (label, words and operators; a continuation
 * at end of file marked), for checks that formatting keeps a script's meaning.
 */
export function meaning(text: string): string[][] {
  const { tree } = parse(text);
  const out: string[][] = [];
  for (const line of tree.lines) {
    const toks: string[] = [];
    if (line.label) toks.push(`:${line.label.name}`);
    for (const s of line.segments) {
      for (const w of s.words) toks.push(w.value);
      if (s.operator) toks.push(s.operator.op);
    }
    if (line.continuationAtEof) toks.push("<continuation-at-eof>");
    if (toks.length) out.push(toks);
  }
  return out;
}

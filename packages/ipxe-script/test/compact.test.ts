// biome-ignore-all lint/suspicious/noTemplateCurlyInString: iPXE scripts use ${...} literally
// The speed work (issue #7) made the tree's whitespace/newline tokens lazy, keeps the words and
// segments as numbers (objects made per line on demand) that the model's first pass reads, reads
// `${…}` settings without building word parts, makes the model's objects on first access, and takes
// line positions from the parser. Each shortcut must give what the plain path gives.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { fc, test as fcTest } from "@fast-check/vitest";
import {
  analyze,
  type ExpansionPart,
  format,
  LineIndex,
  PREDEFINED_SETTINGS,
  parse,
  print,
  type Script,
  type ScriptModel,
  type SyntaxToken,
  syntaxDiagnostics,
  type WordPart,
  type WordToken,
} from "@pxe/ipxe-script";
import { describe, expect, it } from "vitest";

const RUNS = Number(process.env.IPXE_FC_RUNS ?? 400);

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const corpusDir = path.join(path.resolve(repoRoot, "../shared"), "corpus", "ipxe");
const haveCorpus = existsSync(corpusDir);
if (!haveCorpus)
  console.warn(`ipxe compact-tree corpus checks skipped: ${corpusDir} does not exist`);
const corpus = haveCorpus
  ? readdirSync(corpusDir)
      .filter((f) => f !== "MANIFEST.tsv")
      .sort()
      .map((f) => readFileSync(path.join(corpusDir, f), "latin1"))
  : [];

const ipxeish = fc.string({
  unit: fc.oneof(
    fc.constantFrom("\n", "\r\n", "\r", "\\", " ", "\t", "#", ":", "||", "&&", ";", "|", "\0"),
    fc.constantFrom("${", "}", "$", "-", "--", "=", "0", "08", "/", "\ufeff"),
    fc.constantFrom(
      "#!ipxe\n",
      "goto ",
      "item ",
      "--menu=m ",
      "--gap ",
      "menu ",
      "choose ",
      "set ",
      "clear ",
      "kernel ",
      "chain --replace ",
      "sha256sum --set ",
      "echo ",
      "exit ",
      "sleep ",
      "x",
      "a",
      "${x}",
      "${net0/mac:hexhyp}",
      "${a${b}}",
    ),
  ),
  maxLength: 120,
});

const tok = (w: SyntaxToken | undefined | null) => (w ? [w.start, w.text] : null);

/** Everything the model says, with object references replaced by positions. */
function normalise(m: ScriptModel): unknown {
  const cmdIndex = new Map(m.commands.map((c, i) => [c, i]));
  return {
    commands: m.commands.map((c) => ({
      line: c.line.index,
      segment: c.segmentIndex,
      after: c.after,
      name: c.name,
      nameWord: tok(c.nameWord),
      info: c.info?.name,
      options: c.options.map((o) => [o.name, o.value, o.number, tok(o.word), tok(o.valueWord)]),
      args: c.args.map((w) => [w.start, w.value, w.dynamic]),
    })),
    labels: [...m.labels].map(([k, d]) => [k, d.line.index, tok(d.token)]),
    labelDefs: m.labelDefs.map((d) => [d.name, d.line.index]),
    flow: JSON.parse(JSON.stringify(m.flow)),
    fetches: m.fetches.map((f) => [cmdIndex.get(f.command), tok(f.word), f.uri, f.role, f.cmdline]),
    settings: m.settings.map((s) => [
      s.kind,
      s.key,
      s.scope,
      s.name,
      s.type,
      s.line.index,
      tok(s.word),
      s.command === undefined ? -1 : cmdIndex.get(s.command),
    ]),
    menuItems: m.menuItems.map((x) => [cmdIndex.get(x.command), x.menu, x.name, x.text, x.gap]),
    choices: m.choices.map((x) => [cmdIndex.get(x.command), x.menu, x.setting, x.timeoutMs]),
    diagnostics: m.diagnostics,
  };
}

/** The `${…}` references of a word in the order the model reports reads: inner ones first. */
function refsOf(parts: readonly WordPart[], out: ExpansionPart[] = []): ExpansionPart[] {
  for (const p of parts) {
    if (p.kind !== "Expansion") continue;
    refsOf(p.inner, out);
    if (p.ref) out.push(p);
  }
  return out;
}

/** Checks every shortcut on one script. */
function checkScript(text: string): void {
  const parsed = parse(text);
  const tree = parsed.tree;

  // analyze(text) == analyze over the parsed tree (both read the parser's word store) == analyze
  // over a tree of plain objects (its words are recorded from the objects).
  const fused = analyze(text);
  expect(normalise(fused)).toEqual(normalise(analyze(tree, text)));
  const plain: Script = {
    ...tree,
    lines: tree.lines.map((l) => ({
      kind: "Line",
      index: l.index,
      start: l.start,
      end: l.end,
      lineNumber: l.lineNumber,
      physicalLines: l.physicalLines,
      tokens: l.tokens,
      label: l.label,
      segments: l.segments,
      comment: l.comment,
      continuationAtEof: l.continuationAtEof,
      hasNul: l.hasNul,
    })),
  };
  expect(normalise(analyze(plain, text))).toEqual(normalise(fused));

  // Syntax diagnostics: the parser's "no special line" shortcut changes nothing.
  expect(parsed.diagnostics).toEqual(syntaxDiagnostics(tree, text));

  // Positions from the parser's line starts == positions from scanning the text.
  const index = new LineIndex(text);
  for (const d of fused.diagnostics) {
    const { line, column } = index.position(d.start);
    expect([d.line, d.column]).toEqual([line, column]);
  }

  // Lazy tokens tile the source, and share the significant token objects with the tree.
  let at = 0;
  for (const line of tree.lines) {
    expect(line.start).toBe(at);
    const significant: SyntaxToken[] = [];
    if (line.label) significant.push(line.label);
    for (const seg of line.segments) {
      significant.push(...seg.words);
      if (seg.operator) significant.push(seg.operator);
    }
    if (line.comment) significant.push(line.comment);
    const fromTokens = line.tokens.filter(
      (t) =>
        t.kind === "Word" || t.kind === "Operator" || t.kind === "Label" || t.kind === "Comment",
    );
    expect(fromTokens.length).toBe(significant.length);
    for (let i = 0; i < fromTokens.length; i++) expect(fromTokens[i]).toBe(significant[i]);
    for (const t of line.tokens) {
      expect(t.start).toBe(at);
      expect(text.slice(at, at + t.text.length)).toBe(t.text);
      at += t.text.length;
    }
    expect(at).toBe(line.end);
    expect(line.tokens).toBe(line.tokens);
  }
  expect(at).toBe(text.length);
  expect(print(tree)).toBe(text);

  // Setting reads read straight from the value == reads from the word parts.
  const reads = fused.settings.filter((s) => s.kind === "read");
  const expected: [string, string | undefined, string | undefined, WordToken][] = [];
  for (const cmd of fused.commands)
    for (const w of cmd.segment.words)
      if (w.dynamic)
        for (const p of refsOf(w.parts)) {
          const ref = p.ref as NonNullable<ExpansionPart["ref"]>;
          expected.push([ref.name, ref.scope, ref.type, w]);
        }
  expect(reads.map((s) => [s.name, s.scope, s.type, s.word])).toEqual(expected);
  for (const s of reads)
    expect(s.key).toBe(s.scope === undefined ? s.name : `${s.scope}/${s.name}`);

  // Round 3: the "read before write" diagnostics are found without the setting objects; the
  // objects, built on first access, give the same findings when the check is run over them.
  const written = new Set<string>();
  const reported = new Set<string>();
  const rbw: [number, string][] = [];
  for (const s of fused.settings) {
    if (s.kind !== "read") written.add(s.name);
    else if (
      s.scope === undefined &&
      !written.has(s.name) &&
      !reported.has(s.name) &&
      !PREDEFINED_SETTINGS.has(s.name) &&
      !/^[0-9]/.test(s.name)
    ) {
      reported.add(s.name);
      rbw.push([s.word.start, s.name]);
    }
  }
  expect(
    fused.diagnostics
      .filter((d) => d.code === "setting-read-before-write")
      .map((d) => [d.start, /"(.*)"/.exec(d.message)?.[1]]),
  ).toEqual(rbw.sort((a, b) => a[0] - b[0]));
  // Lazy lists: the same arrays every time, sharing the command objects; JSON lists every field.
  expect(fused.commands).toBe(fused.commands);
  expect(fused.settings).toBe(fused.settings);
  expect(fused.fetches).toBe(fused.fetches);
  expect(fused.menuItems).toBe(fused.menuItems);
  expect(fused.choices).toBe(fused.choices);
  const cmds = new Set(fused.commands);
  for (const s of fused.settings) expect(cmds.has(s.command as never)).toBe(true);
  for (const f of fused.fetches) expect(cmds.has(f.command)).toBe(true);
  for (const x of [...fused.menuItems, ...fused.choices]) expect(cmds.has(x.command)).toBe(true);
  // Own enumerable fields, in the interface's order, for keys, spread, JSON and structuredClone.
  const keys = [
    "tree",
    "commands",
    "labels",
    "labelDefs",
    "flow",
    "fetches",
    "settings",
    "menuItems",
    "choices",
    "diagnostics",
  ];
  expect(Object.keys(fused)).toEqual(keys);
  const spread = { ...fused };
  expect(spread.commands).toBe(fused.commands);
  expect(spread.settings).toBe(fused.settings);
  expect(spread.fetches).toBe(fused.fetches);
  expect(spread.menuItems).toBe(fused.menuItems);
  expect(spread.choices).toBe(fused.choices);
  expect(Object.keys(JSON.parse(JSON.stringify(fused)))).toEqual(keys);

  // Successor lists built on demand agree with the edges and with reachability from line 0.
  const { successors, edges, reachable } = fused.flow;
  expect(successors.length).toBe(tree.lines.length);
  expect(edges.map((e) => [e.from, e.to]).sort()).toEqual(
    successors.flatMap((s, from) => s.map((to) => [from, to])).sort(),
  );
  for (const e of edges) if (reachable[e.from]) expect(reachable[e.to]).toBe(true);
}

describe("compact tree and fused model", () => {
  fcTest.prop([ipxeish], { numRuns: RUNS })("shortcuts match the plain paths", (text) => {
    checkScript(text);
  });

  fcTest.prop([fc.string({ unit: "binary", maxLength: 60 })], { numRuns: RUNS / 2 })(
    "shortcuts match the plain paths on arbitrary text",
    (text) => {
      checkScript(text);
    },
  );

  it("handles the edge cases of the newline-finding lexer", () => {
    for (const text of [
      "",
      "\n",
      "\r",
      "\r\n",
      "\ufeff",
      "\ufeff\r\n",
      "#!ipxe\necho a\\",
      "#!ipxe\necho a\\\r\nb\n",
      "#!ipxe\necho a \\\n\\\n",
      "#!ipxe\n# comment \\\nstill comment\n",
      "#!ipxe\necho a\r\r\n",
      "#!ipxe\necho a\0b\\\nc\n",
      "#!ipxe\n:l1 :l2\n  :l3 echo ${x}\n",
      "#!ipxe\nitem --gap\nchoose x || goto ${x}\ngoto ${x}\n:a\n",
    ]) {
      checkScript(text);
      expect(format(format(text))).toBe(format(text));
    }
  });

  it.skipIf(!haveCorpus)("holds for every corpus file and the corpus concatenated", () => {
    for (const text of corpus) checkScript(text);
    checkScript(corpus.join("\n"));
  });
});

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: iPXE scripts use ${...} literally
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { analyze, format, parse, parseScriptSpec, print } from "@pxe/ipxe-script";
import { describe, expect, it } from "vitest";
import { meaning } from "./meaning.js";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const corpusDir = path.join(path.resolve(repoRoot, "../shared"), "corpus", "ipxe");
const haveCorpus = existsSync(corpusDir);
if (!haveCorpus) console.warn(`ipxe corpus tests skipped: ${corpusDir} does not exist`);

/**
 * Corpus files that are truly broken, with the reason: each produces exactly these error codes.
 * Everything else must come out with no error-level diagnostic.
 */
const BROKEN: Record<string, { codes: string[]; reason: string }> = {
  "netbootxyz__netboot.xyz__src__live-manjaro.ipxe": {
    codes: ["undefined-label"],
    reason:
      "`iseq ${sigs_enabled} true && goto verify_sigs || goto change_menu`: :verify_sigs exists only in menu.ipxe, " +
      "so with signatures enabled the goto fails and signature checking is silently skipped",
  },
  "netbootxyz__netboot.xyz__src__utils.ipxe": {
    codes: ["undefined-label"],
    reason:
      "`chain https://${util_path} && goto main_menu ||`: :main_menu exists only in menu.ipxe, so the goto " +
      "always fails and the trailing || falls through to `goto utils_exit` instead",
  },
};

const files = haveCorpus
  ? readdirSync(corpusDir)
      .filter((f) => f !== "MANIFEST.tsv")
      .sort()
  : [];

describe.skipIf(!haveCorpus)("shared iPXE corpus", () => {
  it("has the files MANIFEST.tsv lists", () => {
    const manifest = readFileSync(path.join(corpusDir, "MANIFEST.tsv"), "utf8")
      .trim()
      .split("\n")
      .slice(1);
    expect(manifest.map((l) => l.split("\t")[0]).sort()).toEqual(files);
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  it.each(files)("%s parses, round-trips and has no unexpected error", (file) => {
    const text = readFileSync(path.join(corpusDir, file), "latin1");
    const { tree } = parse(text);
    expect(print(tree)).toBe(text);
    const model = analyze(tree, text);
    const errors = model.diagnostics.filter((d) => d.severity === "error").map((d) => d.code);
    expect([...new Set(errors)]).toEqual(BROKEN[file]?.codes ?? []);
    // The formatter is idempotent and keeps the meaning (same logical token lines).
    const f = format(text);
    expect(format(f)).toBe(f);
    expect(meaning(f)).toEqual(meaning(text));
    // Reading a spec never throws.
    expect(parseScriptSpec(text).body.length).toBeGreaterThan(0);
  });

  it("finds the menu, fetch and settings facts of netboot.xyz menu.ipxe", () => {
    const text = readFileSync(
      path.join(corpusDir, "netbootxyz__netboot.xyz__src__menu.ipxe"),
      "latin1",
    );
    const m = analyze(text);
    expect(m.choices.map((c) => c.setting)).toEqual(["menu"]);
    expect(m.menuItems.filter((i) => !i.gap).map((i) => i.name)).toContain("shell");
    expect(m.fetches.map((f) => f.uri)).toContain("http://${boot_domain}/ipxe/${ipxe_disk}");
    expect(m.settings.some((s) => s.kind === "write" && s.name === "cls" && s.type === "hex")).toBe(
      true,
    );
    expect(m.labels.has("main_menu")).toBe(true);
  });
});

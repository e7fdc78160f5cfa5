import { fc, test } from "@fast-check/vitest";
import {
  buildModel,
  formatText,
  type IncludeResolver,
  lintText,
  loadConfig,
  type MenuModel,
  modelFromText,
  type PxelinuxModel,
  parse,
  print,
  toIpxe,
} from "@pxe/pxelinux-cfg";
import { describe, expect } from "vitest";

/** Everything a reader makes of a config, without positions. */
function project(m: PxelinuxModel): unknown {
  const menu = (x: MenuModel): unknown => ({
    tag: x.tag,
    title: x.title,
    def: x.defaultIndex,
    timeout: x.timeout,
    items: x.items.map((i) =>
      i.kind === "label"
        ? [
            i.label,
            i.displayName,
            i.action,
            i.commandLine,
            i.help,
            i.hidden,
            i.passwd,
            i.ipappend,
            i.target,
          ]
        : i.kind === "submenu"
          ? ["submenu", i.displayName, menu(i.menu)]
          : ["sep"],
    ),
  });
  return {
    reader: m.reader,
    root: menu(m.root),
    hidden: menu(m.hidden),
    g: [
      m.ui,
      m.default,
      m.defaultCommand,
      m.timeout,
      m.totalTimeout,
      m.onTimeoutCommand,
      m.onError,
      m.prompt,
      m.say,
      m.path,
      m.append,
      m.ipappend,
      m.serial,
      m.display,
      [...m.fkeys],
    ],
  };
}

const words = [
  "LABEL",
  "label",
  "Kernel",
  "LINUX",
  "COM32",
  "CONFIG",
  "LOCALBOOT",
  "APPEND",
  "INITRD",
  "IPAPPEND",
  "SYSAPPEND",
  "DEFAULT",
  "UI",
  "TIMEOUT",
  "ONTIMEOUT",
  "TOTALTIMEOUT",
  "PROMPT",
  "SAY",
  "SERIAL",
  "PATH",
  "DISPLAY",
  "NOHALT",
  "INCLUDE",
  "TEXT",
  "HELP",
  "ENDTEXT",
  "MENU",
  "BEGIN",
  "END",
  "TITLE",
  "SEPARATOR",
  "HIDE",
  "DEFAULT",
  "GOTO",
  "EXIT",
  "PASSWD",
  "MASTER",
  "INCLUDE",
  "DISABLE",
  "QUIT",
  "F1",
  "F",
  "F0",
  "F13",
  "#",
  "vmlinuz",
  "menu.c32",
  "vesamenu.c32",
  "initrd=a.gz,b.gz",
  "-",
  "^x",
  ".top",
  "a",
  "b",
  "0x3",
  "12",
  "é",
  "x y",
];
const seps = [" ", "  ", "\t", "\n", "\r\n", "\r", "\u0000", "\u000b", "\u0001", "\n\n", "\n  "];
const configText = fc
  .array(
    fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(...words) },
      { weight: 2, arbitrary: fc.constantFrom(...seps) },
      fc.string({ maxLength: 6 }),
    ),
    {
      maxLength: 120,
    },
  )
  .map((parts) => parts.join(""));

describe("properties", () => {
  test.prop([fc.string({ unit: "binary", maxLength: 400 })], { numRuns: 500 })(
    "arbitrary text never throws and always round-trips",
    (t) => {
      expect(print(parse(t))).toBe(t);
      const m = modelFromText(t);
      expect(Array.isArray(m.diagnostics)).toBe(true);
      expect(lintText(t).roundTrip).toBe(true);
      expect(() => toIpxe(m, { baseUrl: "http://h/" })).not.toThrow();
      expect(formatText(formatText(t))).toBe(formatText(t));
    },
  );

  test.prop([configText], { numRuns: 400 })(
    "config-like text round-trips, models in both readers and converts",
    (t) => {
      expect(print(parse(t))).toBe(t);
      for (const reader of ["core", "menu"] as const) {
        const m = modelFromText(t, { reader });
        expect(toIpxe(m, { baseUrl: "http://h/" }).script.startsWith("#!ipxe\n")).toBe(true);
        for (const d of m.diagnostics) {
          expect(d.line).toBeGreaterThanOrEqual(1);
          expect(d.column).toBeGreaterThanOrEqual(1);
          expect(d.start).toBeLessThanOrEqual(d.end);
        }
      }
    },
  );

  test.prop([configText], { numRuns: 300 })(
    "format keeps the meaning in both readers and is idempotent",
    (t) => {
      const f = formatText(t);
      expect(formatText(f)).toBe(f);
      for (const reader of ["core", "menu"] as const) {
        expect(project(modelFromText(f, { reader }))).toEqual(
          project(modelFromText(t, { reader })),
        );
      }
    },
  );

  test.prop(
    [
      fc.array(
        fc.record({
          includes: fc.array(fc.nat(7), { maxLength: 3 }),
          tagged: fc.boolean(),
          begin: fc.boolean(),
          end: fc.boolean(),
        }),
        { minLength: 1, maxLength: 8 },
      ),
      fc.integer({ min: 1, max: 20 }),
    ],
    { numRuns: 150 },
  )(
    "any include graph terminates, each file is fetched once, and the depth limit holds",
    async (files, depth) => {
      const texts = files.map(
        (f, i) =>
          `${f.begin ? "MENU BEGIN b\n" : ""}LABEL l${i}\n` +
          f.includes
            .map((t) => `${f.tagged ? "MENU INCLUDE" : "INCLUDE"} f${t}${f.tagged ? " T" : ""}\n`)
            .join("") +
          (f.end ? "MENU END\n" : ""),
      );
      const calls: string[] = [];
      const resolver: IncludeResolver = async (p) => {
        calls.push(p.name);
        return p.kind === "tftp" ? texts[Number(p.path.slice(1))] : undefined;
      };
      const loaded = await loadConfig("f0", resolver);
      expect(new Set(calls).size).toBe(calls.length);
      for (const reader of ["core", "menu"] as const) {
        const m = buildModel(loaded, { reader, maxIncludeDepth: depth });
        expect(m.files.length).toBeGreaterThanOrEqual(1);
        // every file read (depth limit and cycles respected) contributes its one label
        expect(m.labels.length).toBe(m.files.length);
        for (const d of m.diagnostics) {
          expect([
            "include-cycle",
            "include-depth",
            "include-not-found",
            "menu-end-without-begin",
            "unclosed-menu-begin",
            "duplicate-label",
            "reader-disagreement",
          ]).toContain(d.code);
        }
      }
    },
  );

  test.prop([fc.string({ unit: "grapheme", maxLength: 9000 })], { numRuns: 30 })(
    "long lines split at 4095 bytes round-trip",
    (t) => {
      const long = `APPEND ${t.repeat(3)}\n`;
      expect(print(parse(long))).toBe(long);
    },
  );
});

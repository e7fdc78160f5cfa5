// biome-ignore-all lint/suspicious/noTemplateCurlyInString: iPXE scripts use ${...} literally
import { fc, test as fcTest } from "@fast-check/vitest";
import {
  analyze,
  buildScript,
  type CommandSpec,
  expand,
  isIpxeScriptError,
  type MenuSpec,
  parse,
  parseScriptSpec,
  type ScriptSpec,
  type StatementSpec,
} from "@pxe/ipxe-script";
import { describe, expect, it } from "vitest";

const example: ScriptSpec = {
  body: [
    {
      type: "menu",
      title: "Boot menu",
      items: [
        { type: "gap", text: "Linux" },
        { type: "item", name: "debian", text: "Debian 12 (netinst)", key: "d", default: true },
        { type: "item", name: "local", text: "Boot from disk" },
      ],
      setting: "target",
      default: "debian",
      timeout: 5000,
      onCancel: { type: "command", name: "exit" },
      dispatch: true,
    },
    { type: "label", name: "debian" },
    {
      type: "command",
      name: "kernel",
      options: { name: "linux" },
      args: ["http://deb.example/linux", "initrd=initrd.gz"],
    },
    { type: "command", name: "initrd", args: ["http://deb.example/initrd.gz"] },
    {
      type: "command",
      name: "boot",
      onFailure: { type: "command", name: "goto", args: ["debian"] },
    },
    { type: "label", name: "local" },
    { type: "command", name: "sanboot", options: { drive: 0x80 } },
  ],
};

describe("buildScript", () => {
  it("writes the README example and reads it back", () => {
    const text = buildScript(example);
    expect(text.split("\n").slice(0, 8)).toEqual([
      "#!ipxe",
      "menu Boot menu",
      "item --gap Linux",
      "item --key d --default debian Debian 12 (netinst)",
      "item local Boot from disk",
      "choose --default debian --timeout 5000 target || exit",
      "goto ${target}",
      ":debian",
    ]);
    expect(parseScriptSpec(text)).toEqual(example);
    expect(analyze(text).diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
  });

  it("carries values that cannot be tokens through a hex setting", () => {
    const spec: ScriptSpec = {
      body: [
        {
          type: "command",
          name: "echo",
          args: ["two  spaces", "#not-a-comment", "||", "", "trailing\\", "tab\there"],
        },
      ],
    };
    const text = buildScript(spec);
    expect(text).toContain("set pxekit-b0:hex 74:77:6f:20:20:73:70:61:63:65:73\n");
    expect(parseScriptSpec(text)).toEqual(spec);
    // What iPXE would see: each carried value expands back to the original bytes.
    const { tree } = parse(text);
    const settings: Record<string, string> = {};
    const echo = tree.lines.at(-1)?.segments[0]?.words.slice(1) ?? [];
    for (const line of tree.lines) {
      const w = line.segments[0]?.words ?? [];
      if (w[0]?.value === "set" && w[1]) {
        const hex = w[2]?.value ?? "";
        const bytes = hex ? hex.split(":").map((h) => Number.parseInt(h, 16)) : [];
        settings[w[1].value.replace(/:hex$/, "")] = new TextDecoder().decode(
          Uint8Array.from(bytes),
        );
      }
    }
    expect(echo.map((w) => expand(w.value.replace(":string}", "}"), settings))).toEqual([
      "two  spaces",
      "#not-a-comment",
      "||",
      "",
      "trailing\\",
      "tab\there",
    ]);
  });

  it("puts -- before a first argument that starts with -, and --opt=value for values starting with -", () => {
    const spec: ScriptSpec = {
      body: [
        { type: "command", name: "echo", args: ["-n", "x"] },
        { type: "menu", items: [{ type: "item", name: "x", key: "-" }], setting: "s" },
      ],
    };
    const text = buildScript(spec);
    expect(text).toContain("echo -- -n x\n");
    expect(text).toContain("item --key=- x\n");
    expect(parseScriptSpec(text)).toEqual(spec);
  });

  it("refuses what cannot be written faithfully", () => {
    const bad: StatementSpec[] = [
      { type: "label", name: "two words" },
      { type: "comment", text: "a\nb" },
      { type: "command", name: "kernel", options: { nope: "1" }, args: ["x"] },
      { type: "command", name: "kernel" },
      { type: "command", name: "reboot", options: { warm: "yes" } },
      { type: "command", name: "choose", options: { timeout: "5s" }, args: ["x"] },
      { type: "command", name: "custom", options: { x: true } },
      { type: "command", name: "bad name" },
      { type: "raw", line: "echo \\" },
    ];
    for (const st of bad) {
      let err: unknown;
      try {
        buildScript({ body: [st] });
      } catch (e) {
        err = e;
      }
      expect(isIpxeScriptError(err), JSON.stringify(st)).toBe(true);
    }
  });

  it("writes chain with a params block (POST form) and reads it back", () => {
    const spec: ScriptSpec = {
      body: [
        { type: "command", name: "params", options: { name: "form" } },
        { type: "command", name: "param", options: { params: "form" }, args: ["mac", "${mac}"] },
        {
          type: "command",
          name: "param",
          options: { params: "form" },
          args: ["note", "two words"],
        },
        { type: "command", name: "chain", args: ["http://boot.example/register##params=form"] },
      ],
    };
    const text = buildScript(spec);
    expect(text).toContain("chain http://boot.example/register##params=form\n");
    expect(parseScriptSpec(text)).toEqual(spec);
    const m = analyze(text);
    expect(m.fetches.map((f) => f.uri)).toEqual(["http://boot.example/register##params=form"]);
  });

  it("keeps ${...} references for iPXE to expand", () => {
    const spec: ScriptSpec = {
      signature: "gpxe",
      body: [
        {
          type: "command",
          name: "chain",
          options: { autofree: true, timeout: "${t}" },
          args: ["http://x/${mac:hexhyp}.ipxe"],
        },
      ],
    };
    const text = buildScript(spec);
    expect(text).toBe("#!gpxe\nchain --autofree --timeout ${t} http://x/${mac:hexhyp}.ipxe\n");
    expect(parseScriptSpec(text)).toEqual(spec);
  });
});

// ---- generated specs -----------------------------------------------------------------------

const anyText = fc.string({
  unit: fc.constantFrom(
    "a",
    "b",
    "-",
    " ",
    "  ",
    "\t",
    "#",
    "|",
    "&",
    ";",
    "\\",
    "$",
    "{",
    "}",
    ":",
    "é",
    "x",
  ),
});
const token = fc.stringMatching(/^[a-z][a-z0-9_.-]{0,8}$/);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const simpleCommand: fc.Arbitrary<CommandSpec> = fc.oneof(
  fc.record({
    type: fc.constant("command" as const),
    name: fc.constant("echo"),
    args: fc.array(anyText, { minLength: 1, maxLength: 4 }),
  }),
  fc
    .record({
      type: fc.constant("command" as const),
      name: fc.constantFrom("kernel", "chain", "initrd", "imgfetch"),
      options: maybe(
        fc.record({ name: anyText.filter((s) => s.length > 0) }, { requiredKeys: [] }),
      ),
      args: fc.array(anyText, { minLength: 1, maxLength: 4 }),
    })
    .map((c) =>
      clean({ ...c, options: c.options && Object.keys(c.options).length ? c.options : undefined }),
    ),
  fc
    .record({
      type: fc.constant("command" as const),
      name: fc.constant("goto"),
      args: fc.tuple(token),
    })
    .map((c) => ({ ...c, args: [...c.args] })),
  fc
    .record({
      type: fc.constant("command" as const),
      name: fc.constant("sleep"),
      args: fc.tuple(fc.nat(99).map(String)),
    })
    .map((c) => ({ ...c, args: [...c.args] })),
  fc
    .record({
      type: fc.constant("command" as const),
      name: fc.constant("set"),
      args: fc.tuple(token, anyText),
    })
    .map((c) => ({ ...c, args: [...c.args] })),
  fc.record({
    type: fc.constant("command" as const),
    name: fc.constantFrom("boot", "shell", "reboot"),
  }),
) as fc.Arbitrary<CommandSpec>;

const command: fc.Arbitrary<CommandSpec> = fc
  .tuple(
    simpleCommand,
    fc.option(fc.oneof(fc.constant("ignore" as const), simpleCommand), { nil: undefined }),
  )
  .map(([c, f]) => clean({ ...c, onFailure: f }) as CommandSpec);

const menu: fc.Arbitrary<MenuSpec> = fc
  .record({
    name: maybe(token),
    title: maybe(anyText),
    items: fc.array(
      fc.oneof(
        fc.record({ type: fc.constant("gap" as const), text: maybe(anyText) }).map(clean),
        fc
          .record({
            type: fc.constant("item" as const),
            name: anyText,
            text: maybe(anyText),
            key: maybe(fc.constantFrom("a", "b", "-", "0x02", "#")),
            default: maybe(fc.constant(true as const)),
          })
          .map(clean),
      ),
      { maxLength: 5 },
    ),
    setting: token,
    default: maybe(anyText),
    timeout: maybe(fc.nat(100000)),
    keep: maybe(fc.constant(true as const)),
    onCancel: maybe(fc.oneof(fc.constant("ignore" as const), simpleCommand)),
    dispatch: maybe(fc.constant(true as const)),
  })
  .map((m) => clean({ type: "menu" as const, ...m }) as MenuSpec);

const statement: fc.Arbitrary<StatementSpec> = fc.oneof(
  command,
  menu,
  fc.record({ type: fc.constant("label" as const), name: token }),
  fc.record({
    type: fc.constant("comment" as const),
    text: anyText.filter((t) => !t.endsWith("\\")),
  }),
  fc.constant({ type: "blank" as const }),
);

const script: fc.Arbitrary<ScriptSpec> = fc
  .record({
    signature: maybe(fc.constant("gpxe" as const)),
    body: fc.array(statement, { maxLength: 12 }),
  })
  .map((s) => clean(s) as ScriptSpec);

describe("build/parse round trip (fast-check)", () => {
  fcTest.prop([script], { numRuns: Number(process.env.IPXE_FC_RUNS ?? 300) })(
    "parseScriptSpec(buildScript(x)) deep-equals x",
    (spec) => {
      const text = buildScript(spec);
      expect(parseScriptSpec(text)).toEqual(spec);
      // Built scripts never carry an error-level diagnostic other than goto to labels the
      // generator did not define.
      const errors = analyze(text).diagnostics.filter(
        (d) => d.severity === "error" && d.code !== "undefined-label",
      );
      expect(errors).toEqual([]);
    },
  );
});

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: iPXE scripts use ${...} literally
import {
  analyze,
  COMMANDS,
  commandInfo,
  getopt,
  lint,
  parse,
  parseIpxeInteger,
  type WordToken,
} from "@pxe/ipxe-script";
import { describe, expect, it } from "vitest";

const S = "#!ipxe\n";
function diag(text: string): string[] {
  return lint(S + text).map((d) => `${d.severity}:${d.code}`);
}
function cmd(text: string) {
  const m = analyze(S + text);
  const c = m.commands[0];
  if (!c) throw new Error("no command");
  return c;
}

describe("command table", () => {
  it("has every built-in command of current iPXE", () => {
    expect(COMMANDS.size).toBe(92);
    expect(commandInfo("echo")?.options.map((o) => o.long)).toEqual(["n"]);
    expect(commandInfo("choose")?.options.find((o) => o.long === "retimeout")?.since).toBe("2025");
    expect(commandInfo("goto")).toMatchObject({ minArgs: 1, maxArgs: 1 });
  });
});

describe("option parsing (iPXE getopt rules)", () => {
  it("integers auto-detect the base: a leading 0 is octal", () => {
    expect(parseIpxeInteger("05000")).toBe(2560);
    expect(parseIpxeInteger("0x10")).toBe(16);
    expect(parseIpxeInteger("5000")).toBe(5000);
    expect(parseIpxeInteger("08")).toBeUndefined();
    expect(parseIpxeInteger("5s")).toBeUndefined();
    expect(cmd("choose --timeout 05000 x").options[0]).toMatchObject({
      name: "timeout",
      number: 2560,
    });
  });
  it("options only before the first plain argument; -- ends them", () => {
    const k = cmd("kernel vmlinuz --name x");
    expect(k.options).toEqual([]);
    expect(k.args.map((w) => w.value)).toEqual(["vmlinuz", "--name", "x"]);
    const it = cmd("item --gap -- -- Tools --");
    expect(it.options.map((o) => o.name)).toEqual(["gap"]);
    expect(it.args.map((w) => w.value)).toEqual(["--", "Tools", "--"]);
  });
  it("bundled short options, inline values and --opt=value", () => {
    expect(cmd("boot -ar").options.map((o) => o.name)).toEqual(["autofree", "replace"]);
    expect(cmd("choose -t5000 x").options[0]).toMatchObject({ name: "timeout", number: 5000 });
    expect(cmd("choose --timeout=0x10 x").options[0]).toMatchObject({
      name: "timeout",
      number: 16,
    });
    expect(cmd("item --key=- x Text").options[0]).toMatchObject({ name: "key", value: "-" });
  });
  it("reports what iPXE rejects as errors", () => {
    expect(diag("echo -e hi")).toEqual(["error:unknown-option"]);
    expect(diag("echo hi -e")).toEqual([]);
    expect(diag("kernel --time 5 x")).toEqual(["error:unknown-option"]);
    expect(diag("item --key - x Text")).toContain("error:option-requires-argument");
    expect(diag("sleep 08")).toEqual(["error:bad-integer"]);
    expect(diag("choose --timeout 5s x")).toEqual(["error:bad-integer"]);
    expect(diag("kernel")).toEqual(["error:missing-argument"]);
    expect(diag("iseq a b c")).toEqual(["error:too-many-arguments"]);
    expect(diag("set -x 1")).toEqual(["error:unknown-option"]);
    expect(diag("reboot --warm=1")).toEqual(["error:option-takes-no-argument"]);
  });
  it("accepts dynamic values without judging them", () => {
    expect(diag("set t 1\nchoose --timeout ${t} x")).toEqual([]);
  });
  it("getopt works on words directly", () => {
    const words = parse(`${S}x -q --name n uri a b\n`).tree.lines[1]?.segments[0]?.words.slice(
      1,
    ) as WordToken[];
    const g = getopt(commandInfo("imgfetch") as NonNullable<ReturnType<typeof commandInfo>>, words);
    expect(g.options.map((o) => [o.name, o.value])).toEqual([
      ["quiet", undefined],
      ["name", "n"],
    ]);
    expect(g.args.map((w) => w.value)).toEqual(["uri", "a", "b"]);
  });
});

describe("labels, goto and control flow", () => {
  it("goto to a missing literal label is an error; in a || fallback a warning", () => {
    expect(diag("goto nowhere")).toEqual(["error:undefined-label"]);
    expect(diag("chain x || goto nowhere")).toEqual(["warning:undefined-label-fallback"]);
    expect(diag(":here\ngoto here")).toEqual([]);
  });
  it("duplicate labels: the first wins", () => {
    const m = analyze(`${S}goto a\n:a\nexit\n:a\necho x\n`);
    expect(m.labels.get("a")?.line.index).toBe(2);
    expect(m.labelDefs).toHaveLength(2);
    expect(m.diagnostics.map((d) => d.code)).toEqual(["duplicate-label", "unreachable"]);
  });
  it("unreachable lines after an unconditional goto or exit", () => {
    const m = analyze(`${S}goto end\necho dead\necho dead2\n:end\nexit\necho gone\n`);
    expect(m.flow.reachable).toEqual([true, true, false, false, true, true, false]);
    expect(m.diagnostics.map((d) => [d.code, d.line, d.message.includes("2 lines")])).toEqual([
      ["unreachable", 3, true],
      ["unreachable", 7, false],
    ]);
  });
  it("|| and && decide whether a line falls through", () => {
    const m = analyze(`${S}iseq a b && goto x ||\necho next\n:x\n`);
    expect(m.flow.successors[1]).toEqual([3, 2]);
    const n = analyze(`${S}iseq a b && goto x || goto y\necho dead\n:x\n:y\n`);
    expect(n.flow.reachable[2]).toBe(false);
  });
  it("menu choices feed goto ${target}; items without labels warn", () => {
    const text = `${S}menu M\nitem a A\nitem b B\nitem --gap G\nchoose t || exit\ngoto \${t}\n:a\necho a\n`;
    const m = analyze(text);
    expect(m.menuItems.map((i) => [i.name, i.text, i.gap])).toEqual([
      ["a", "A", false],
      ["b", "B", false],
      [undefined, "G", true],
    ]);
    expect(m.choices[0]).toMatchObject({ setting: "t", menu: "" });
    expect(m.diagnostics.map((d) => `${d.severity}:${d.code}`)).toEqual([
      "warning:item-without-label",
      "info:dynamic-goto",
    ]);
    expect(m.flow.edges.filter((e) => e.kind === "dynamic-goto").map((e) => e.to)).toEqual([7]);
  });
  it("a dynamic goto without a menu is info and may reach every label", () => {
    const m = analyze(`${S}goto \${mac}\n:52:54:00:12:34:56\necho hi\n`);
    expect(m.diagnostics.map((d) => `${d.severity}:${d.code}`)).toEqual(["info:dynamic-goto"]);
    expect(m.flow.reachable).toEqual([true, true, true, true]);
    expect(m.flow.anyLabel).toEqual([1]);
  });
});

describe("commands, fetches and settings", () => {
  it("unknown commands are accepted and warned about", () => {
    const m = analyze(`${S}frobnicate --x 1\n`);
    expect(m.commands[0]).toMatchObject({ name: "frobnicate", info: undefined });
    expect(m.diagnostics.map((d) => `${d.severity}:${d.code}`)).toEqual([
      "warning:unknown-command",
    ]);
  });
  it("lists every URL or image the script can fetch", () => {
    const m = analyze(
      `${S}kernel http://x/vmlinuz initrd=initrd.img console=ttyS0\ninitrd --name boot.wim http://x/boot.wim\nimgverify a.efi a.efi.sig\nsanboot iscsi:10.0.0.1::::iqn.x\nchain --autofree menu.ipxe\n`,
    );
    expect(m.fetches.map((f) => [f.uri, f.role, f.mayBeImageName, f.cmdline])).toEqual([
      ["http://x/vmlinuz", "image", true, "initrd=initrd.img console=ttyS0"],
      ["http://x/boot.wim", "image", false, ""],
      ["a.efi", "image", true, ""],
      ["a.efi.sig", "signature", true, ""],
      ["iscsi:10.0.0.1::::iqn.x", "san", false, ""],
      ["menu.ipxe", "image", true, ""],
    ]);
  });
  it("lists settings read and written; reads before writes are info", () => {
    const m = analyze(
      `${S}echo \${foo} \${net0/mac:hexhyp} \${210:string}\nset foo:int32 1\nclear bar\nchoose --default \${foo} sel\n`,
    );
    expect(m.settings.map((s) => [s.kind, s.key, s.type ?? null])).toEqual([
      ["read", "foo", null],
      ["read", "net0/mac", "hexhyp"],
      ["read", "210", "string"],
      ["write", "foo", "int32"],
      ["delete", "bar", null],
      ["read", "foo", null],
      ["write", "sel", null],
    ]);
    expect(m.diagnostics.map((d) => `${d.severity}:${d.code}`)).toEqual([
      "info:setting-read-before-write",
    ]);
  });
  it("notes commands and options newer than v1.21.1 (Debian's 1.0.0+git-20190125)", () => {
    expect(diag("choose --retimeout 5 x")).toEqual(["info:newer-ipxe"]);
    expect(diag("imgextract x.gz")).toEqual(["info:newer-ipxe"]);
  });
  it("diagnostics carry 1-based line and column", () => {
    const d = lint(`${S}  echo -e x\n`)[0];
    expect(d).toMatchObject({ line: 2, column: 8, code: "unknown-option", severity: "error" });
  });
  it("the model's lists made on demand are plain data to keys, spread and structuredClone", () => {
    const m = analyze(`${S}set a 1\nchain http://x/\${a} || goto end\n:end\n`);
    const copy = structuredClone(m);
    expect(Object.keys(copy)).toEqual(Object.keys(m));
    expect(copy.commands.map((c) => c.name)).toEqual(["set", "chain", "goto"]);
    expect(copy.settings.map((s) => `${s.kind}:${s.key}`)).toEqual(["write:a", "read:a"]);
    expect(copy.fetches.map((f) => f.uri)).toEqual(["http://x/${a}"]);
    expect({ ...m }.commands).toBe(m.commands);
  });
});

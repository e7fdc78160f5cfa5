import {
  buildModel,
  compareReaders,
  type IncludeResolver,
  loadConfig,
  MAX_INCLUDE_DEPTH,
} from "@pxe/pxelinux-cfg";
import { describe, expect, it } from "vitest";

function fsResolver(files: Record<string, string>, calls: string[] = []): IncludeResolver {
  return async (p) => {
    calls.push(p.name);
    return p.kind === "tftp" ? files[p.path] : undefined;
  };
}

describe("INCLUDE resolution", () => {
  it("splices included files as if concatenated, relative to the path prefix", async () => {
    const files = {
      "/tftp/pxelinux.cfg/default":
        "UI menu.c32\nINCLUDE menus/head.cfg\nLABEL a\nINCLUDE menus/tail.cfg\n",
      "/tftp/menus/head.cfg": "MENU TITLE Lab\n",
      "/tftp/menus/tail.cfg": "  KERNEL vmlinuz\nLABEL b\n",
    };
    const calls: string[] = [];
    const loaded = await loadConfig("pxelinux.cfg/default", fsResolver(files, calls), {
      cwd: "::/tftp/",
    });
    expect(calls).toEqual([
      "::/tftp/pxelinux.cfg/default",
      "::/tftp/menus/head.cfg",
      "::/tftp/menus/tail.cfg",
    ]);
    const m = buildModel(loaded);
    expect(m.root.title).toBe("Lab");
    expect(m.labels.map((l) => [l.label, l.kernel])).toEqual([
      ["a", "vmlinuz"],
      ["b", "b"],
    ]);
    expect(m.files).toEqual([
      "::/tftp/pxelinux.cfg/default",
      "::/tftp/menus/head.cfg",
      "::/tftp/menus/tail.cfg",
    ]);
    expect(m.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
  });

  it("MENU INCLUDE with a tag (and INCLUDE with a tag in menu.c32) wraps the file in a submenu", async () => {
    const files = {
      "/main": "UI menu.c32\nMENU INCLUDE tools.cfg Tools\nINCLUDE tools.cfg More\n",
      "tools.cfg": "LABEL hdt\n",
    };
    const m = buildModel(await loadConfig("::/main", fsResolver(files)));
    expect(m.root.items.map((i) => (i.kind === "submenu" ? i.displayName : i.kind))).toEqual([
      "Tools",
      "More",
    ]);
    const core = buildModel(await loadConfig("::/main", fsResolver(files)), { reader: "core" });
    expect(core.root.items.map((i) => i.kind)).toEqual(["submenu", "label"]);
    expect(core.labels.map((l) => l.label)).toEqual(["hdt", "hdt"]);
    expect(m.menus.map((x) => [x.tag, x.items.length])).toEqual([
      [".top", 2],
      [".hidden", 0],
      ["Tools", 1],
      ["More", 1],
    ]);
  });

  it("reports a missing include as a warning and goes on", async () => {
    const m = buildModel(
      await loadConfig("::/main", fsResolver({ "/main": "INCLUDE gtk.cfg\nLABEL a\n" })),
    );
    expect(m.labels).toHaveLength(1);
    expect(m.diagnostics.map((d) => [d.severity, d.code, d.line])).toEqual([
      ["warning", "include-not-found", 1],
    ]);
  });

  it("records resolver failures as missing files", async () => {
    const boom: IncludeResolver = async (p) => {
      if (p.name === "::/main") return "INCLUDE x\n";
      throw new Error("connection refused");
    };
    const m = buildModel(await loadConfig("::/main", boom));
    expect(m.diagnostics[0]?.message).toContain("connection refused");
  });

  it("detects include cycles, fetches each file once, and terminates", async () => {
    const files = { a: "LABEL a\nINCLUDE b\n", b: "LABEL b\nINCLUDE a\n" };
    const calls: string[] = [];
    const m = buildModel(await loadConfig("a", fsResolver(files, calls)));
    expect(calls).toEqual(["::a", "::b"]);
    expect(m.labels.map((l) => l.label)).toEqual(["a", "b"]);
    expect(m.diagnostics.map((d) => d.code)).toEqual(["include-cycle"]);
  });

  it("stops at syslinux's 16 levels of nesting", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 20; i++) files[`f${i}`] = `LABEL l${i}\nINCLUDE f${i + 1}\n`;
    const m = buildModel(await loadConfig("f0", fsResolver(files)));
    expect(MAX_INCLUDE_DEPTH).toBe(16);
    expect(m.labels).toHaveLength(16);
    expect(m.diagnostics.map((d) => d.code)).toEqual(["include-depth"]);
    const deeper = buildModel(await loadConfig("f0", fsResolver(files)), { maxIncludeDepth: 18 });
    expect(deeper.labels).toHaveLength(18);
  });

  it("bounds the number of files a resolver can make it fetch", async () => {
    let n = 0;
    const endless: IncludeResolver = async () => `INCLUDE f${n++}\nINCLUDE g${n++}\n`;
    const loaded = await loadConfig("start", endless, { maxFiles: 50 });
    expect(loaded.files.size).toBe(50);
  });
});

describe("readers and missing tagged includes", () => {
  it("MENU INCLUDE of a missing file: an empty submenu in menu.c32, nothing in the core", async () => {
    const files = { "/main": "MENU INCLUDE nope.cfg Extras\nLABEL a\n" };
    const menu = buildModel(await loadConfig("::/main", fsResolver(files)), { reader: "menu" });
    expect(menu.root.items.map((i) => i.kind)).toEqual(["submenu", "label"]);
    const core = buildModel(await loadConfig("::/main", fsResolver(files)), { reader: "core" });
    expect(core.root.items.map((i) => i.kind)).toEqual(["label"]);
    expect(core.diagnostics.map((d) => d.code)).toEqual([
      "include-not-found",
      "reader-disagreement",
    ]);
  });
});

describe("compareReaders", () => {
  it("lists label, submenu, default and timeout differences between the readers", async () => {
    const files = {
      "/main":
        "DEFAULT md5sum\nLABEL md5sum check\nINCLUDE tools.cfg Tools\nMENU BEGIN s\nTIMEOUT 30\nMENU END\n",
      "tools.cfg": "LABEL hdt\n",
    };
    const d = compareReaders(await loadConfig("::/main", fsResolver(files)));
    expect(d.map((x) => x.kind)).toEqual(["label", "menus", "default", "timeout"]);
    expect(d[0]?.message).toBe(
      'label is "md5sum" for the core reader, "md5sum check" for menu.c32',
    );
    expect(d[1]?.message).toBe("submenus: core [s], menu.c32 [Tools, s]");
  });

  it("finds nothing to report for a config both readers read alike", async () => {
    const d = compareReaders(
      await loadConfig("::/main", fsResolver({ "/main": "UI menu.c32\nDEFAULT a\nLABEL a\n" })),
    );
    expect(d).toEqual([]);
  });
});

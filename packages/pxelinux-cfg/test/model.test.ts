import {
  type LabelEntry,
  type MenuItem,
  modelFromText,
  moduleCandidates,
  type SubmenuEntry,
} from "@pxe/pxelinux-cfg";
import { describe, expect, it } from "vitest";

const label = (items: readonly MenuItem[], i: number) => items[i] as LabelEntry;
const codes = (t: string, o = {}) =>
  modelFromText(t, o).diagnostics.map((d) => `${d.severity}:${d.code}`);

describe("model: labels and command lines", () => {
  it("builds the command line as record() does", () => {
    const m = modelFromText(
      "APPEND quiet\nLABEL linux\n  KERNEL vmlinuz\n  INITRD initrd.gz\n  IPAPPEND 2\nLABEL chain\n  COM32 chain.c32\n  APPEND hd0 1\nLABEL local\n  LOCALBOOT 0\n",
    );
    const [a, b, c] = m.labels;
    expect(a?.commandLine).toBe("vmlinuz quiet initrd=initrd.gz");
    expect(a?.imageType).toBe("linux");
    expect(a?.initrd).toEqual(["initrd.gz"]);
    expect(a?.initrdFrom).toBe("initrd");
    expect(a?.ipappend).toBe(2);
    expect(b?.commandLine).toBe(".com32 chain.c32 hd0 1");
    expect(c?.commandLine).toBe(".localboot 0 quiet");
    expect(c?.kernelPath).toBeUndefined();
  });

  it("a LABEL without kernel boots the label name; APPEND - clears the global append", () => {
    const m = modelFromText("APPEND x\nLABEL memtest\nLABEL y\n  APPEND -\n");
    expect(m.labels[0]?.commandLine).toBe("memtest x");
    expect(m.labels[1]?.commandLine).toBe("y");
    expect(m.diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
  });

  it("derives the image type from KERNEL's extension (case-sensitive)", () => {
    const m = modelFromText(
      "LABEL a\nKERNEL menu.c32\nLABEL b\nKERNEL pxelinux.0\nLABEL c\nKERNEL x.C32\nLABEL d\nKERNEL fd.img\n",
    );
    expect(m.labels.map((l) => l.imageType)).toEqual(["com32", "pxe", "linux", "fdimage"]);
  });

  it("the later kernel-type line wins and kernel lines before LABEL are ignored with a warning", () => {
    const m = modelFromText("KERNEL early\nLABEL a\nKERNEL vesamenu.c32\nCONFIG other.cfg\n");
    expect(m.labels[0]?.kernelType).toBe("config");
    expect(m.labels[0]?.commandLine).toBe(".config other.cfg");
    expect(m.diagnostics.map((d) => d.code)).toContain("outside-label");
  });

  it("takes initrd= from APPEND before INITRD (the loader reads the first initrd=)", () => {
    const m = modelFromText(
      "LABEL a\nKERNEL k\nAPPEND initrd=a.gz,b.gz root=/dev/x\nINITRD c.gz\n",
    );
    const e = m.labels[0];
    expect(e?.initrd).toEqual(["a.gz", "b.gz"]);
    expect(e?.initrdFrom).toBe("append");
    expect(e?.appendRest).toBe("root=/dev/x");
  });

  it("resolves paths against the path prefix, not the config's directory", () => {
    const m = modelFromText("LABEL a\nKERNEL boot/vmlinuz\nINITRD ::/abs/initrd,http://h/i.gz\n", {
      cwd: "::/tftpboot/",
    });
    const e = m.labels[0];
    expect(e?.kernelPath).toEqual({
      kind: "tftp",
      name: "::/tftpboot/boot/vmlinuz",
      server: undefined,
      path: "/tftpboot/boot/vmlinuz",
    });
    expect(e?.initrdPaths.map((p) => p.name)).toEqual(["::/abs/initrd", "http://h/i.gz"]);
  });
});

describe("model: the two readers", () => {
  it("LABEL takes the first word in the core reader, the whole line in menu.c32", () => {
    const t = "LABEL md5sum check test\n  COM32 c32box.c32\n";
    expect(modelFromText(t, { reader: "core" }).labels[0]?.label).toBe("md5sum");
    expect(modelFromText(t, { reader: "menu" }).labels[0]?.label).toBe("md5sum check test");
    expect(codes(t)).toContain("warning:reader-disagreement");
  });

  it("picks the menu reader from UI, or from DEFAULT naming vesamenu.c32, else the core", () => {
    expect(modelFromText("UI menu.c32\nLABEL a\n").reader).toBe("menu");
    expect(modelFromText("DEFAULT vesamenu.c32\nLABEL a\n").reader).toBe("menu");
    expect(modelFromText("DEFAULT a\nLABEL a\n").reader).toBe("core");
    expect(modelFromText("UI gfxboot bootlogo\nLABEL a\n").reader).toBe("core");
  });

  it("UI overrides DEFAULT as the core's command, DEFAULT still picks the entry", () => {
    const m = modelFromText("DEFAULT b\nUI menu.c32\nLABEL a\nLABEL b\n");
    expect(m.defaultCommand).toBe("menu.c32");
    expect(m.defaultEntry?.label).toBe("b");
    expect(m.root.defaultIndex).toBe(1);
    expect(label(m.root.items, 1).isDefault).toBe(true);
  });

  it("menu.c32 uses DEFAULT to choose the entry only with a UI line", () => {
    const t = "LABEL a\nLABEL b\nDEFAULT b\n";
    expect(modelFromText(t, { reader: "menu" }).defaultEntry).toBeUndefined();
    expect(modelFromText(t, { reader: "core" }).defaultEntry?.label).toBe("b");
  });

  it("INCLUDE file tag makes a submenu only in menu.c32 and is reported", () => {
    expect(codes("UI menu.c32\nINCLUDE sub.cfg Tools\n")).toContain("warning:reader-disagreement");
  });

  it("directives the chosen reader ignores are warnings", () => {
    expect(codes("UI vesamenu.c32\nPROMPT 0\n")).toContain("warning:ignored-by-reader");
    expect(codes("DEFAULT a\nLABEL a\n  MENU HELP help.txt\n")).toContain(
      "warning:ignored-by-reader",
    );
    // a lone fragment does not know its reader: nothing is reported as ignored
    expect(codes("MENU CLEAR\n")).toEqual([]);
  });

  it("TIMEOUT in a submenu: per menu in menu.c32, global in the core", () => {
    const t = "UI menu.c32\nTIMEOUT 50\nMENU BEGIN sub\nTIMEOUT 10\nLABEL a\nMENU END\n";
    const menu = modelFromText(t);
    expect(menu.root.timeout).toBe(50);
    expect(menu.menus[2]?.timeout).toBe(10);
    const core = modelFromText(t, { reader: "core" });
    expect(core.timeout).toBe(10);
    expect(menu.diagnostics.map((d) => d.code)).toContain("reader-disagreement");
  });
});

describe("model: menu tree", () => {
  const cfg = [
    "UI vesamenu.c32",
    "MENU TITLE Boot menu",
    "DEFAULT live",
    "TIMEOUT 50",
    "ONTIMEOUT live quiet",
    "MENU MASTER PASSWD secret",
    "LABEL live",
    "  MENU LABEL ^Live",
    "  KERNEL /live/vmlinuz",
    "  APPEND boot=live",
    "  TEXT HELP",
    "  Boots the live system.",
    "  ENDTEXT",
    "MENU SEPARATOR",
    "LABEL -",
    "  MENU LABEL Tools:",
    "  MENU DISABLE",
    "MENU BEGIN advanced",
    "  MENU TITLE Advanced options",
    "  LABEL mainmenu",
    "    MENU LABEL ^Back..",
    "    MENU EXIT",
    "  LABEL hdt",
    "    MENU PASSWD x",
    "    COM32 hdt.c32",
    "  LABEL mainmenu2",
    "    MENU GOTO .top",
    "  LABEL nowhere",
    "    MENU GOTO missing",
    "MENU END",
    "LABEL hidden",
    "  MENU HIDE",
    "  LOCALBOOT 0",
    "",
  ].join("\n");
  const m = modelFromText(cfg);

  it("has the root items, submenu, separator and hidden entries", () => {
    expect(m.reader).toBe("menu");
    expect(m.root.title).toBe("Boot menu");
    expect(m.root.masterPassword).toBe(true);
    expect(m.root.items.map((i) => i.kind)).toEqual(["label", "separator", "label", "submenu"]);
    const live = label(m.root.items, 0);
    expect(live.displayName).toBe("^Live");
    expect(live.hotkey).toBe("L");
    expect(live.help).toBe("  Boots the live system.\n");
    expect(live.isDefault).toBe(true);
    expect(label(m.root.items, 2).action).toBe("disabled");
    expect(m.hidden.items.map((i) => (i as LabelEntry).label)).toEqual(["hidden"]);
    expect(m.timeout).toBe(50);
    expect(m.onTimeoutCommand).toBe("/live/vmlinuz boot=live quiet");
  });

  it("resolves submenus, EXIT and GOTO; an unknown GOTO disables the entry", () => {
    const sub = m.root.items[3] as SubmenuEntry;
    expect(sub.displayName).toBe("Advanced options");
    expect(sub.menu.title).toBe("Advanced options");
    const [back, hdt, top, nowhere] = sub.menu.items as LabelEntry[];
    expect(back?.action).toBe("exit");
    expect(back?.targetMenu).toBe(m.root);
    expect(hdt?.passwd).toBe(true);
    expect(top?.action).toBe("goto");
    expect(top?.targetMenu).toBe(m.root);
    expect(nowhere?.action).toBe("disabled");
    expect(m.diagnostics.map((d) => d.code)).toContain("unresolved-goto");
  });

  it("labels may repeat across submenus but not within one", () => {
    expect(codes("LABEL a\nMENU BEGIN x\nLABEL a\nMENU END\n")).not.toContain(
      "warning:duplicate-label",
    );
    expect(codes("LABEL a\nLABEL b\nLABEL a\n")).toContain("warning:duplicate-label");
  });

  it("MENU END without BEGIN is an error in a full config, a warning in a lone fragment", () => {
    expect(codes("MENU END\n", { standalone: false })).toContain("error:menu-end-without-begin");
    expect(codes("MENU END\n")).toContain("warning:menu-end-without-begin");
  });

  it("MENU BEGIN left open is a warning and keeps later entries inside", () => {
    const x = modelFromText("MENU BEGIN lang\nLABEL a\n");
    expect(x.root.items[0]?.kind).toBe("submenu");
    expect(x.diagnostics.map((d) => d.code)).toContain("unclosed-menu-begin");
  });

  it("does not report what syslinux accepts by design", () => {
    const ok =
      "DEFAULT vesamenu.c32\nONTIMEOUT vesamenu.c32\nLABEL memtest\nMENU BEGIN s\nLABEL back\nMENU EXIT\nMENU END\n";
    expect(modelFromText(ok).diagnostics.filter((d) => d.severity !== "info")).toEqual([]);
  });

  it("reads the core-only globals in the core reader", () => {
    const g = modelFromText(
      "SERIAL 0 115200\nSAY  hello\nPATH /a:/b\nF1 help.txt bg.png\nDISPLAY boot.msg x\nPROMPT 1\nIPAPPEND 0x3\n",
    );
    expect(g.serial).toBe("0 115200");
    expect(g.say).toEqual([" hello"]);
    expect(g.path).toEqual(["/a", "/b"]);
    expect(g.fkeys.get(1)).toEqual({ file: "help.txt", background: "bg.png" });
    const f = modelFromText("F11 eleven.txt\nF0 zero.txt\nF12 twelve.txt\n");
    expect([...f.fkeys.entries()].map(([k, v]) => [k, v.file])).toEqual([
      [11, "zero.txt"],
      [12, "twelve.txt"],
    ]);
    expect(g.display).toBe("boot.msg");
    expect(g.prompt).toBe(1);
    expect(g.ipappend).toBe(3);
  });
});

describe("module search", () => {
  it("tries the working directory, then each PATH entry, for a bare module name", () => {
    const m = modelFromText("PATH /syslinux/modules:/extra/\n", { cwd: "::/tftpboot/" });
    expect(moduleCandidates("vesamenu.c32", m).map((p) => p.name)).toEqual([
      "::/tftpboot/vesamenu.c32",
      "::/tftpboot//syslinux/modules/vesamenu.c32",
      "::/tftpboot//extra/vesamenu.c32",
    ]);
    expect(moduleCandidates("::/x/menu.c32", m).map((p) => p.name)).toEqual(["::/x/menu.c32"]);
  });
});

describe("line endings and cuts in the model", () => {
  it("CRLF files model like LF files; a bare CR hides the rest of its line", () => {
    const lf = modelFromText("DEFAULT a\nLABEL a\n  KERNEL k\n  APPEND x y\n");
    const crlf = modelFromText("DEFAULT a\r\nLABEL a\r\n  KERNEL k\r\n  APPEND x y\r\n");
    expect(crlf.labels.map((l) => l.commandLine)).toEqual(lf.labels.map((l) => l.commandLine));
    const bare = modelFromText("LABEL a\rLABEL b\n  KERNEL k\rAPPEND z\n");
    expect(bare.labels.map((l) => [l.label, l.commandLine])).toEqual([["a", "k"]]);
    expect(bare.diagnostics.filter((d) => d.code === "ignored-tail")).toHaveLength(2);
  });

  it("menu.c32 keeps a label's trailing whitespace, the core does not", () => {
    const t = "LABEL foo  \n";
    expect(modelFromText(t, { reader: "menu" }).labels[0]?.label).toBe("foo  ");
    expect(modelFromText(t, { reader: "core" }).labels[0]?.label).toBe("foo");
  });

  it("a keyword directly followed by NUL still counts (NUL ends the C string)", () => {
    const m = modelFromText("LABEL\u0000junk\nLABEL b\n");
    expect(m.labels.map((l) => l.label)).toEqual(["", "b"]);
  });
});

import { analyze, type MenuSpec, parseScriptSpec } from "@pxe/ipxe-script";
import {
  buildModel,
  type LabelEntry,
  loadConfig,
  modelFromText,
  type PxelinuxModel,
  pathToUrl,
  type ToIpxeResult,
  toIpxe,
} from "@pxe/pxelinux-cfg";
import { describe, expect, it } from "vitest";
import { corpusResolver, haveCorpus, manifest, readCorpus } from "./corpus-helpers.js";

const BASE = "http://10.0.0.1/tftp/";

/** The text of one `:label` section of a script (up to the next blank line). */
function section(script: string, label: string): string {
  const at = script.indexOf(`\n:${label}\n`);
  expect(at, `section :${label}`).toBeGreaterThanOrEqual(0);
  const end = script.indexOf("\n\n", at + 1);
  return `#!ipxe\n${script.slice(at + 1, end < 0 ? undefined : end + 1)}`;
}

/**
 * Parses the generated script with @pxe/ipxe-script and checks that its model matches the
 * PXELINUX model entry for entry: same menus, same items in the same order, same texts, same
 * default and timeout, and for every Linux entry the same kernel, initrds and arguments.
 */
function expectEquivalent(model: PxelinuxModel, res: ToIpxeResult): void {
  const ipxe = analyze(res.script);
  expect(ipxe.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  for (const m of model.menus) {
    if (m === model.hidden) continue;
    const mapped = res.items.filter((i) => i.menu === m.tag && i.ipxeMenu !== undefined);
    const ipxeMenu = mapped[0]?.ipxeMenu;
    if (ipxeMenu === undefined) {
      expect(m.items).toHaveLength(0);
      continue;
    }
    // parseScriptSpec folds the builder's value carriers back, so texts compare as written.
    const spec = parseScriptSpec(res.script).body.find(
      (st): st is MenuSpec => st.type === "menu" && st.name === ipxeMenu,
    );
    const got = (spec?.items ?? []).map((i) => ({
      gap: i.type === "gap",
      name: i.type === "item" ? i.name : undefined,
      text: i.text ?? "",
    }));
    expect(ipxe.menuItems.filter((i) => i.menu === ipxeMenu)).toHaveLength(m.items.length);
    expect(got).toHaveLength(m.items.length);
    m.items.forEach((it, k) => {
      const g = got[k];
      if (!g) throw new Error("missing item");
      if (it.kind === "separator") {
        expect([g.gap, g.text]).toEqual([true, ""]);
      } else if (it.kind === "submenu") {
        expect(g.gap).toBe(false);
        expect(g.text).toBe(it.displayName.replace(/\^/g, ""));
        expect(ipxe.labels.has(g.name ?? "")).toBe(true);
      } else if (it.action === "disabled") {
        expect([g.gap, g.text]).toEqual([true, it.displayName.replace(/\^/g, "")]);
      } else {
        expect(g.gap).toBe(false);
        expect(g.name).toBe(res.labels.get(it));
        expect(g.text).toBe(it.displayName.replace(/\^/g, ""));
        expect(ipxe.labels.has(g.name ?? "")).toBe(true);
      }
    });
    const choice = ipxe.choices.find((c) => c.menu === ipxeMenu);
    expect(choice?.timeoutMs).toBe(m.timeout ? m.timeout * 100 : undefined);
    expect(spec?.timeout).toBe(m.timeout ? m.timeout * 100 : undefined);
    const def = m.defaultIndex !== undefined ? m.items[m.defaultIndex] : undefined;
    if (def?.kind === "label" && m.onTimeout === undefined)
      expect(spec?.default).toBe(res.labels.get(def));
  }
  for (const e of model.labels) {
    const lbl = res.labels.get(e) as string;
    expect(ipxe.labels.has(lbl), lbl).toBe(true);
    if (e.action !== "boot" || e.imageType !== "linux") continue;
    const sec = parseScriptSpec(section(res.script, lbl)).body.filter(
      (st) => st.type === "command",
    );
    const kernel = sec.find((c) => c.name === "kernel");
    expect(kernel?.args?.[0]).toBe(e.kernelPath ? pathToUrl(e.kernelPath, BASE) : "");
    const args = `${e.kernelArgs} ${e.appendRest}`.split(/[ \t]+/).filter((w) => w !== "");
    expect(kernel?.args?.slice(1, 1 + args.length)).toEqual(args);
    expect(sec.filter((c) => c.name === "initrd").map((c) => c.args?.[0])).toEqual(
      e.initrdPaths.map((p) => pathToUrl(p, BASE)),
    );
  }
}

describe("toIpxe", () => {
  const cfg = [
    "UI vesamenu.c32",
    "MENU TITLE Boot menu",
    "DEFAULT live",
    "TIMEOUT 50",
    "LABEL live",
    "  MENU LABEL ^Live system",
    "  KERNEL /live/vmlinuz",
    "  INITRD /live/initrd.img,/live/extra.img",
    "  APPEND boot=live quiet",
    "  IPAPPEND 3",
    "MENU SEPARATOR",
    "LABEL -",
    "  MENU LABEL Tools:",
    "  MENU DISABLE",
    "MENU BEGIN advanced",
    "  MENU TITLE Advanced options",
    "  LABEL mainmenu",
    "    MENU LABEL ^Back..",
    "    MENU EXIT",
    "  LABEL hd",
    "    MENU LABEL Boot first disk",
    "    COM32 chain.c32",
    "    APPEND hd0",
    "  LABEL pxe",
    "    KERNEL http://boot.example/ipxe.0",
    "  LABEL hdt",
    "    COM32 hdt.c32",
    "MENU END",
    "LABEL local",
    "  LOCALBOOT 0",
    "LABEL rescue",
    "  MENU HIDE",
    "  LINUX rescue/vmlinuz",
    "  APPEND single",
    "",
  ].join("\n");

  it("writes an iPXE menu that matches the PXELINUX menu entry for entry", () => {
    const model = modelFromText(cfg, { cwd: "::/tftpboot/" });
    const res = toIpxe(model, { baseUrl: BASE });
    expectEquivalent(model, res);
    expect(res.script).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: iPXE setting references
      "kernel http://10.0.0.1/tftp/tftpboot//live/vmlinuz boot=live quiet ip=${ip}:${next-server}:${gateway}:${netmask} BOOTIF=01-${mac:hexhyp} initrd=initrd0 initrd=initrd1\n",
    );
    expect(res.script).toContain(
      "initrd --name initrd1 http://10.0.0.1/tftp/tftpboot//live/extra.img\n",
    );
    expect(res.script).toContain(
      "choose --menu menu-top --default pl-live --timeout 5000 selected || shell\n",
    );
    expect(res.script).toContain(":pl-hd\nsanboot --no-describe --drive 128\n");
    expect(res.script).toContain(":pl-pxe\nchain http://boot.example/ipxe.0\n");
    expect(res.script).toContain(":pl-mainmenu\ngoto menu-top\n");
    expect(res.script).toContain(":pl-local\nexit\n");
    expect(res.script).toContain(
      ":pl-rescue\nkernel http://10.0.0.1/tftp/tftpboot/rescue/vmlinuz single\n",
    );
    expect(res.notes.map((n) => n.label)).toEqual(["hdt"]);
  });

  it("boots DEFAULT at once for a core config with PROMPT 0", () => {
    const model = modelFromText(
      "DEFAULT linux\nPROMPT 0\nLABEL linux\n  KERNEL vmlinuz\n  APPEND initrd=initrd.gz quiet\n",
    );
    const res = toIpxe(model, { baseUrl: BASE });
    expect(res.script.split("\n").slice(1, 3)).toEqual([
      "# converted from PXELINUX by @pxe/pxelinux-cfg (core reader)",
      "goto pl-linux",
    ]);
    expect(res.script).toContain(
      "kernel http://10.0.0.1/tftp/vmlinuz quiet initrd=initrd\ninitrd --name initrd http://10.0.0.1/tftp/initrd.gz\n",
    );
    expectEquivalent(model, res);
  });

  it("gives unique iPXE names to labels iPXE cannot spell", () => {
    const model = modelFromText(
      "UI menu.c32\nLABEL md5sum check\nLABEL md5sum_check\nLABEL -\nLABEL #x\n",
    );
    const res = toIpxe(model, { baseUrl: BASE });
    expect([...res.labels.values()]).toEqual([
      "pl-md5sum_check",
      "pl-md5sum_check-2",
      "pl-entry",
      "pl-x",
    ]);
    expectEquivalent(model, res);
  });
});

describe.skipIf(!haveCorpus)("toIpxe on the corpus", () => {
  const rows = haveCorpus ? manifest() : [];

  it("converts every corpus file on its own, entry for entry", () => {
    for (const r of rows) {
      const model = modelFromText(readCorpus(r.file), { name: r.file });
      const res = toIpxe(model, { baseUrl: BASE });
      expect(res.script.startsWith("#!ipxe\n"), r.file).toBe(true);
      expectEquivalent(model, res);
    }
  });

  it("converts every top-level corpus config with its INCLUDEs, entry for entry", async () => {
    let entries = 0;
    for (const r of rows.filter((x) => !x.kind.endsWith("-include"))) {
      const model = buildModel(
        await loadConfig(r.path.split("/").pop() ?? r.path, corpusResolver(r, rows)),
      );
      const res = toIpxe(model, { baseUrl: BASE });
      expectEquivalent(model, res);
      entries += res.items.length;
    }
    expect(entries).toBeGreaterThan(50);
  });

  it("keeps the hidden entries bootable by name", () => {
    const r = rows.find((x) => x.path.endsWith("isolinux/hidden.cfg"));
    if (!r) throw new Error("hidden.cfg missing");
    const model = modelFromText(readCorpus(r.file));
    const hidden = model.labels.filter((l: LabelEntry) => l.hidden);
    expect(hidden.length).toBeGreaterThan(5);
    const res = toIpxe(model, { baseUrl: BASE });
    const ipxe = analyze(res.script);
    for (const h of hidden) expect(ipxe.labels.has(res.labels.get(h) ?? "")).toBe(true);
  });
});

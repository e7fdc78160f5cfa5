import { createHash } from "node:crypto";
import {
  buildModel,
  compareReaders,
  formatText,
  lintText,
  loadConfig,
  modelFromText,
  parse,
  print,
} from "@pxe/pxelinux-cfg";
import { describe, expect, it } from "vitest";
import { corpusDir, corpusResolver, haveCorpus, manifest, readCorpus } from "./corpus-helpers.js";

if (!haveCorpus) console.warn(`pxelinux corpus tests skipped: ${corpusDir} is missing`);

describe.skipIf(!haveCorpus)("pxelinux corpus", () => {
  const rows = haveCorpus ? manifest() : [];

  it("has the 45 files the manifest lists", () => {
    expect(rows.length).toBe(45);
  });

  it("every file parses and round-trips byte for byte", () => {
    for (const r of rows) {
      const t = readCorpus(r.file);
      const back = print(parse(t));
      expect(back, r.file).toBe(t);
      const sha = createHash("sha256").update(Buffer.from(back, "latin1")).digest("hex");
      expect(sha, r.file).toBe(r.sha256);
    }
  });

  it("no file linted on its own has an error", () => {
    for (const r of rows) {
      const res = lintText(readCorpus(r.file), r.file);
      expect(res.roundTrip).toBe(true);
      expect(
        res.diagnostics.filter((d) => d.severity === "error"),
        r.file,
      ).toEqual([]);
    }
  });

  it("every top-level config resolves its INCLUDEs and has no error", async () => {
    let labels = 0;
    for (const r of rows.filter((x) => !x.kind.endsWith("-include"))) {
      const loaded = await loadConfig(r.path.split("/").pop() ?? r.path, corpusResolver(r, rows));
      const m = buildModel(loaded);
      expect(
        m.diagnostics.filter((d) => d.severity === "error"),
        r.file,
      ).toEqual([]);
      labels += m.labels.length;
    }
    expect(labels).toBeGreaterThan(50);
  });

  it("follows real include chains (archiso, debian-live)", async () => {
    const arch = rows.find((r) => r.path === "configs/releng/syslinux/archiso_pxe.cfg");
    const deb = rows.find((r) => r.path === "share/bootloaders/isolinux/isolinux.cfg");
    if (!arch || !deb) throw new Error("corpus rows missing");
    const a = buildModel(await loadConfig("archiso_pxe.cfg", corpusResolver(arch, rows)));
    expect(a.reader).toBe("menu");
    expect(a.files).toHaveLength(4);
    expect(a.labels.map((l) => l.label)).toEqual([
      "arch_nbd",
      "arch_nfs",
      "arch_http",
      "existing",
      "memtest",
      "hdt",
      "reboot",
      "poweroff",
    ]);
    const nbd = a.labels[0];
    expect(nbd?.kernelPath?.name).toBe("::/%INSTALL_DIR%/boot/%ARCH%/vmlinuz-linux");
    expect(nbd?.initrd).toEqual(["::/%INSTALL_DIR%/boot/%ARCH%/initramfs-linux.img"]);
    expect(nbd?.ipappend).toBe(3);
    const d = buildModel(await loadConfig("isolinux.cfg", corpusResolver(deb, rows)));
    expect(d.reader).toBe("menu");
    expect(d.root.title).toBe("Boot menu\u0007");
    // live.cfg is generated from live.cfg.in at build time: missing here, a warning
    expect(d.diagnostics.filter((x) => x.severity !== "info").map((x) => x.code)).toEqual([
      "include-not-found",
    ]);
    const adv = d.root.items.find((i) => i.kind === "submenu");
    expect(
      adv?.kind === "submenu" && adv.menu.items.map((i) => (i.kind === "label" ? i.label : i.kind)),
    ).toEqual(["mainmenu", "hdt", "memtest"]);
    expect(d.root.items.map((i) => (i.kind === "label" ? i.label : i.kind))).toEqual([
      "install",
      "installgui",
      "submenu",
    ]);
  });

  it("reports where the two readers differ on real configs (SliTaz)", async () => {
    const r = rows.find((x) => x.path === "syslinux/stuff/isolinux.cfg");
    if (!r) throw new Error("corpus row missing");
    const d = compareReaders(await loadConfig("isolinux.cfg", corpusResolver(r, rows)));
    expect(d.map((x) => x.message)).toEqual([
      'label is "md5sum" for the core reader, "md5sum check test verify" for menu.c32',
    ]);
  });

  it("format keeps every corpus file's meaning and is idempotent", () => {
    for (const r of rows) {
      const t = readCorpus(r.file);
      const f = formatText(t);
      expect(formatText(f), r.file).toBe(f);
      for (const reader of ["core", "menu"] as const) {
        const a = modelFromText(t, { reader });
        const b = modelFromText(f, { reader });
        expect(
          b.labels.map((l) => [l.label, l.commandLine, l.displayName, l.help]),
          r.file,
        ).toEqual(a.labels.map((l) => [l.label, l.commandLine, l.displayName, l.help]));
      }
    }
  });
});

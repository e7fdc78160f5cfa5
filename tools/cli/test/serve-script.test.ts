import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "@pxe/ipxe-script";
import { afterAll, describe, expect, it } from "vitest";
import { generateScript, loadPxelinuxMenu, pxelinuxScript } from "../src/serve/script.js";
import { type ServeHandle, startServe } from "../src/serve/server.js";

const dirs: string[] = [];
const handles: ServeHandle[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "pxe-serve-script-"));
  dirs.push(d);
  return d;
}
afterAll(async () => {
  for (const h of handles) await h.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const PXELINUX = [
  "DEFAULT menu.c32",
  "PROMPT 0",
  "TIMEOUT 50",
  "MENU TITLE Lab boot",
  "LABEL debian",
  "  MENU LABEL Debian ^installer",
  "  KERNEL debian-installer/amd64/linux",
  "  INITRD debian-installer/amd64/initrd.gz",
  "  APPEND priority=low",
  "LABEL local",
  "  MENU LABEL Boot from disk",
  "  LOCALBOOT 0",
  "",
].join("\n");

function pxelinuxRoot(): string {
  const root = tmp();
  mkdirSync(join(root, "pxelinux.cfg"));
  writeFileSync(join(root, "pxelinux.cfg/default"), PXELINUX);
  // A kernel in the root too: the PXELINUX menu must win over the generated one.
  writeFileSync(join(root, "vmlinuz"), "k");
  return root;
}

/** Error diagnostics of iPXE's own reading of a script (via @pxe/ipxe-script's parser). */
function errors(script: string): string[] {
  return parse(script)
    .diagnostics.filter((d) => d.severity === "error")
    .map((d) => `${d.line}: ${d.code} ${d.message}`);
}

describe("PXELINUX menu in the root (pxelinux.cfg/default, converted with @pxe/pxelinux-cfg)", () => {
  it("converts the menu with kernels and initrds relative to the root URL", async () => {
    const menu = await loadPxelinuxMenu(pxelinuxRoot(), "");
    expect(menu).toBeDefined();
    if (!menu) return;
    expect(menu.script).toMatch(/^#!ipxe\n/);
    expect(menu.script).toMatch(/^menu .*Lab boot$/m);
    expect(menu.script).toMatch(/^item .*Debian installer$/m);
    expect(menu.script).toContain("kernel /debian-installer/amd64/linux priority=low");
    expect(menu.script).toContain("initrd /debian-installer/amd64/initrd.gz");
    expect(menu.script).toContain("--timeout 5000");
    const withBase = await loadPxelinuxMenu(pxelinuxRoot(), "http://cdn.example/pxe/");
    expect(withBase?.script).toContain(
      "kernel http://cdn.example/pxe/debian-installer/amd64/linux",
    );
  });
  it("puts the client's identity after #!ipxe and stays a valid script", async () => {
    const menu = await loadPxelinuxMenu(pxelinuxRoot(), "");
    if (!menu) throw new Error("no menu");
    const s = pxelinuxScript({ mac: "52:54:00:00:00:01", arch: 7 }, menu);
    expect(s.split("\n")[0]).toBe("#!ipxe");
    expect(s).toContain("\nset pxe-client-mac 52:54:00:00:00:01\n");
    expect(s).toContain("\nset pxe-client-arch 7\n");
    expect(errors(s)).toEqual([]);
  });
  it("is absent without pxelinux.cfg/default or without a label, and refuses INCLUDEs leaving the root", async () => {
    expect(await loadPxelinuxMenu(tmp(), "")).toBeUndefined();
    const empty = tmp();
    mkdirSync(join(empty, "pxelinux.cfg"));
    writeFileSync(join(empty, "pxelinux.cfg/default"), "PROMPT 0\n");
    expect(await loadPxelinuxMenu(empty, "")).toBeUndefined();
    const outer = tmp();
    writeFileSync(join(outer, "secret.cfg"), "LABEL leak\n  KERNEL leak\n");
    const root = join(outer, "root");
    mkdirSync(join(root, "pxelinux.cfg"), { recursive: true });
    writeFileSync(
      join(root, "pxelinux.cfg/default"),
      "INCLUDE ../secret.cfg\nINCLUDE /../secret.cfg\nLABEL ok\n  KERNEL vmlinuz\n",
    );
    const m = await loadPxelinuxMenu(root, "");
    expect(m?.script).toContain("kernel /vmlinuz");
    expect(m?.script).not.toContain("leak");
  });
  it("is what pxe serve hands iPXE over HTTP when the root has one", async () => {
    const root = pxelinuxRoot();
    const srv = await startServe({
      root,
      address: "127.0.0.1",
      prefix: 8,
      netmask: "255.0.0.0",
      dhcp: "off",
      tftp: false,
      httpPort: 0,
      log: () => {},
    });
    handles.push(srv);
    const r = await fetch(`http://127.0.0.1:${srv.ports.http}/boot.ipxe?mac=52:54:00:00:00:02`);
    const text = await r.text();
    expect(text).toContain("set pxe-client-mac 52:54:00:00:00:02");
    expect(text).toContain("kernel /debian-installer/amd64/linux priority=low");
    expect(text).not.toContain("/vmlinuz");
  });
});

describe("generated menu (written with @pxe/ipxe-script's buildScript)", () => {
  it("is a script iPXE reads without errors, for one entry, several, none", () => {
    const entries = [
      { label: "vmlinuz", kernel: "vmlinuz", initrd: "initrd.gz" },
      { label: "debian installer", kernel: "d i/linux", initrd: "d i/initrd.gz" },
    ];
    const opts = { baseUrl: "http://s:8080", append: "console=ttyS0 quiet" };
    for (const list of [entries.slice(0, 1), entries, []]) {
      const s = generateScript({ mac: "52:54:00:00:00:03", arch: 7 }, { ...opts, entries: list });
      expect(errors(s)).toEqual([]);
    }
    const menu = generateScript({}, { ...opts, entries });
    expect(menu).toContain("choose --default e0 --timeout 10000 target || goto failed");
    expect(menu).toMatch(/^goto \$\{target\}$/m);
  });
});

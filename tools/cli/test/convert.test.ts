import path from "node:path";
import { analyze } from "@pxe/ipxe-script";
import { describe, expect, it } from "vitest";
import { runConvert } from "../src/commands/convert.js";
import { capture, scratch } from "./io.js";

const { dir: root, put } = scratch("pxe-convert-");

const main = put(
  "pxelinux.cfg/default",
  [
    "UI vesamenu.c32",
    "MENU TITLE Lab",
    "TIMEOUT 100",
    "DEFAULT debian",
    "INCLUDE menus/linux.cfg",
    "INCLUDE menus/gtk.cfg",
    "INCLUDE ../../../../etc/hostname",
    "MENU BEGIN tools",
    "  MENU TITLE Tools",
    "  LABEL back",
    "    MENU EXIT",
    "  LABEL memtest",
    "    LINUX memtest/memtest.bin",
    "MENU END",
    "LABEL local",
    "  MENU LABEL Boot from ^disk",
    "  LOCALBOOT 0",
    "",
  ].join("\n"),
);
put(
  "menus/linux.cfg",
  "LABEL debian\n  MENU LABEL ^Debian 12\n  KERNEL debian/linux\n  INITRD debian/initrd.gz\n  APPEND priority=low ---\n  IPAPPEND 2\n",
);

describe("pxe convert", () => {
  it("prints an iPXE script whose menu matches the config, INCLUDEs resolved against --root", async () => {
    const c = capture();
    expect(await runConvert(main, { root, baseUrl: "http://10.0.0.1/tftp" }, c.io)).toBe(0);
    const script = c.out.join("");
    const m = analyze(script);
    expect(m.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(m.menuItems.filter((i) => i.menu === "menu-top").map((i) => [i.name, i.text])).toEqual([
      ["pl-debian", "Debian 12"],
      ["menu-tools", "Tools"],
      ["pl-local", "Boot from disk"],
    ]);
    expect(m.menuItems.filter((i) => i.menu === "menu-tools").map((i) => i.name)).toEqual([
      "pl-back",
      "pl-memtest",
    ]);
    expect(m.choices.find((x) => x.menu === "menu-top")).toMatchObject({
      default: "pl-debian",
      timeoutMs: 10000,
    });
    expect(script).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: iPXE setting references
      "kernel http://10.0.0.1/tftp/debian/linux priority=low --- BOOTIF=01-${mac:hexhyp} initrd=initrd\n",
    );
    expect(script).toContain("initrd --name initrd http://10.0.0.1/tftp/debian/initrd.gz\n");
    // the missing include and the one that tries to leave the root are warnings, not reads
    const err = c.err.join("");
    expect(err).toContain(`${main}:6:1: warning include-not-found`);
    expect(err).toContain(`${main}:7:1: warning include-not-found`);
  });

  it("applies --path-prefix like DHCP option 210", async () => {
    const sub = put("boot/pxelinux.cfg/default", "DEFAULT a\nLABEL a\n  KERNEL vmlinuz\n");
    put("boot/vmlinuz", "x");
    const c = capture();
    expect(await runConvert(sub, { root, baseUrl: "http://h/", pathPrefix: "/boot/" }, c.io)).toBe(
      0,
    );
    expect(c.out.join("")).toContain("kernel http://h/boot/vmlinuz\n");
  });

  it("exits 1 on an error-level diagnostic and 2 on unusable input", async () => {
    const bad = put("bad.cfg", "LABEL a\nTEXT HELP\nnever closed\n");
    const c = capture();
    expect(await runConvert(bad, { root, baseUrl: "http://h/" }, c.io)).toBe(1);
    expect(c.err.join("")).toContain("error unterminated-text");
    expect(
      await runConvert(path.join(root, "nope.cfg"), { root, baseUrl: "http://h/" }, capture().io),
    ).toBe(2);
    expect(await runConvert(main, { root, baseUrl: "not a url" }, capture().io)).toBe(2);
    expect(
      await runConvert(main, { root, baseUrl: "http://h/", reader: "legacy" }, capture().io),
    ).toBe(2);
  });
});

import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runFmt } from "../src/commands/fmt.js";
import { capture, scratch } from "./io.js";

const { dir } = scratch("pxe-fmt-");

describe("pxe fmt", () => {
  it("--check lists files that would change, exits 1, and writes nothing", async () => {
    const messy = path.join(dir, "messy.ipxe");
    const clean = path.join(dir, "clean.ipxe");
    writeFileSync(messy, "#!ipxe\n   echo    hi   \n\n\n");
    writeFileSync(clean, "#!ipxe\necho hi\n");
    const c = capture();
    expect(await runFmt([messy, clean], { check: true }, c.io)).toBe(1);
    expect(c.out.join("")).toBe(`${messy}\n`);
    expect(readFileSync(messy, "utf8")).toBe("#!ipxe\n   echo    hi   \n\n\n");
  });
  it("rewrites files in place; a second run changes nothing", async () => {
    const p = path.join(dir, "fix.ipxe");
    writeFileSync(p, "#!ipxe\r\n  kernel   http://x/k\\\r\n console=ttyS0\r\n");
    expect(await runFmt([p], {}, capture().io)).toBe(0);
    expect(readFileSync(p, "utf8")).toBe("#!ipxe\r\nkernel http://x/k console=ttyS0\r\n");
    expect(await runFmt([p], { check: true }, capture().io)).toBe(0);
  });
  it("exits 2 for unreadable files", async () => {
    expect(await runFmt([path.join(dir, "nope.ipxe")], {}, capture().io)).toBe(2);
  });
});

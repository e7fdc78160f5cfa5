import { isPxelinuxCfgError, PxelinuxCfgError } from "@pxe/pxelinux-cfg";
import { describe, expect, it } from "vitest";

describe("PxelinuxCfgError", () => {
  it("carries code and offset and names the offset in its message", () => {
    const e = new PxelinuxCfgError("truncated", "input ends early", 12);
    expect(e.code).toBe("truncated");
    expect(e.offset).toBe(12);
    expect(e.message).toContain("offset 12");
    expect(isPxelinuxCfgError(e)).toBe(true);
  });

  it("is not confused with other errors", () => {
    expect(isPxelinuxCfgError(new RangeError("x"))).toBe(false);
    expect(isPxelinuxCfgError("PxelinuxCfgError")).toBe(false);
  });
});

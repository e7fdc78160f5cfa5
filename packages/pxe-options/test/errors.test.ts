import { isPxeOptionsError, PxeOptionsError } from "@pxe/pxe-options";
import { describe, expect, it } from "vitest";

describe("PxeOptionsError", () => {
  it("carries code and offset and names the offset in its message", () => {
    const e = new PxeOptionsError("truncated", "input ends early", 12);
    expect(e.code).toBe("truncated");
    expect(e.offset).toBe(12);
    expect(e.message).toContain("offset 12");
    expect(isPxeOptionsError(e)).toBe(true);
  });

  it("is not confused with other errors", () => {
    expect(isPxeOptionsError(new RangeError("x"))).toBe(false);
    expect(isPxeOptionsError("PxeOptionsError")).toBe(false);
  });
});

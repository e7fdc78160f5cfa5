import { IpxeScriptError, isIpxeScriptError } from "@pxe/ipxe-script";
import { describe, expect, it } from "vitest";

describe("IpxeScriptError", () => {
  it("carries code and offset and names the offset in its message", () => {
    const e = new IpxeScriptError("truncated", "input ends early", 12);
    expect(e.code).toBe("truncated");
    expect(e.offset).toBe(12);
    expect(e.message).toContain("offset 12");
    expect(isIpxeScriptError(e)).toBe(true);
  });

  it("is not confused with other errors", () => {
    expect(isIpxeScriptError(new RangeError("x"))).toBe(false);
    expect(isIpxeScriptError("IpxeScriptError")).toBe(false);
  });
});

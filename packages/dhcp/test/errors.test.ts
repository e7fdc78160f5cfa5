import { DhcpError, isDhcpError } from "@pxe/dhcp";
import { describe, expect, it } from "vitest";

describe("DhcpError", () => {
  it("carries code and offset and names the offset in its message", () => {
    const e = new DhcpError("truncated", "input ends early", 12);
    expect(e.code).toBe("truncated");
    expect(e.offset).toBe(12);
    expect(e.message).toContain("offset 12");
    expect(isDhcpError(e)).toBe(true);
  });

  it("is not confused with other errors", () => {
    expect(isDhcpError(new RangeError("x"))).toBe(false);
    expect(isDhcpError("DhcpError")).toBe(false);
  });
});

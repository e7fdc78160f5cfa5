import { isTftpError, TftpError } from "@pxe/tftp";
import { describe, expect, it } from "vitest";

describe("TftpError", () => {
  it("carries code and offset and names the offset in its message", () => {
    const e = new TftpError("truncated", "input ends early", 12);
    expect(e.code).toBe("truncated");
    expect(e.offset).toBe(12);
    expect(e.message).toContain("offset 12");
    expect(isTftpError(e)).toBe(true);
  });

  it("is not confused with other errors", () => {
    expect(isTftpError(new RangeError("x"))).toBe(false);
    expect(isTftpError("TftpError")).toBe(false);
  });
});

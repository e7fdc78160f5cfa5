import { isReplayError, ReplayError } from "@pxe/replay";
import { describe, expect, it } from "vitest";

describe("ReplayError", () => {
  it("carries code and offset and names the offset in its message", () => {
    const e = new ReplayError("truncated", "input ends early", 12);
    expect(e.code).toBe("truncated");
    expect(e.offset).toBe(12);
    expect(e.message).toContain("offset 12");
    expect(isReplayError(e)).toBe(true);
  });

  it("is not confused with other errors", () => {
    expect(isReplayError(new RangeError("x"))).toBe(false);
    expect(isReplayError("ReplayError")).toBe(false);
  });
});

// The one schema of "move an allocation to another lot" (admin move control, review queue, CLI).
import { describe, expect, it } from "vitest";
import { moveAllocationRequest, moveRequestProblems } from "../../app/domain/allocation/move-request";

const problems = (input: Record<string, unknown>) => {
  const r = moveAllocationRequest.safeParse(input);
  return r.success ? {} : moveRequestProblems(r.error);
};

describe("moveAllocationRequest", () => {
  it("reads the admin's lot id or the CLI's lot number; empty units mean every unit not yet returned", () => {
    expect(moveAllocationRequest.parse({ allocationId: "12", lotId: " 34 ", quantity: "" })).toEqual({ allocationId: 12n, lotId: 34n, quantity: undefined });
    expect(moveAllocationRequest.parse({ allocationId: "12", lotNumber: "HON-B", quantity: " 3 " })).toEqual({
      allocationId: 12n,
      lotNumber: "HON-B",
      quantity: 3,
    });
  });

  it("names the field that is refused", () => {
    expect(problems({ allocationId: "12", lotId: "", quantity: "1" })).toEqual({ lotId: "digits" });
    expect(problems({ allocationId: "12", quantity: "1" })).toEqual({ lotId: "choose a lot" });
    expect(problems({ allocationId: "12", lotId: "3", lotNumber: "A" })).toEqual({ lotId: "choose a lot" });
    for (const bad of ["two", "0", "-1", "1.5", "1234567890"])
      expect(problems({ allocationId: "12", lotId: "3", quantity: bad })).toEqual({ quantity: "whole number above 0" });
    expect(problems({ allocationId: "1x", lotId: "3" })).toEqual({ allocationId: "digits" });
    expect(problems({ allocationId: "12345678901234567890", lotId: "3" })).toEqual({ allocationId: "digits" });
  });
});

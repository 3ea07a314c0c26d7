import { describe, expect, it } from "vitest";
import { checkRunDay, daysToRun, parseAlertDays } from "../../app/domain/expiry/expiry-rules";

describe("expiry run days", () => {
  it("a shop that never ran runs today only; one that ran today runs nothing", () => {
    expect(daysToRun(null, "2026-12-04")).toEqual(["2026-12-04"]);
    expect(daysToRun("2026-12-04", "2026-12-04")).toEqual([]);
  });
  it("after downtime every missed day runs, oldest first, over a year end, at most the cap", () => {
    expect(daysToRun("2026-12-30", "2027-01-02")).toEqual(["2026-12-31", "2027-01-01", "2027-01-02"]);
    expect(daysToRun("2026-02-27", "2026-03-01")).toEqual(["2026-02-28", "2026-03-01"]);
    const long = daysToRun("2026-01-01", "2026-12-04");
    expect(long).toHaveLength(31);
    expect(long.at(-1)).toBe("2026-12-04");
  });
  it("a day must be a real calendar day, and one still to come only for a dry run", () => {
    expect(checkRunDay("2026-12-03", "2026-12-04", false)).toBe("2026-12-03");
    expect(() => checkRunDay("2026-12-05", "2026-12-04", false)).toThrow(/has not come yet/);
    expect(checkRunDay("2026-12-05", "2026-12-04", true)).toBe("2026-12-05");
    expect(() => checkRunDay("2026-11-31", "2026-12-04", true)).toThrow(/YYYY-MM-DD/);
  });
  it("an alert window is whole days from 0 to 3650", () => {
    expect(parseAlertDays(" 14 ")).toBe(14);
    expect(parseAlertDays(0)).toBe(0);
    for (const bad of ["-1", "2.5", "3651", "", "ten"]) expect(() => parseAlertDays(bad)).toThrow(/whole days from 0 to 3650/);
  });
});

import { describe, expect, it } from "vitest";
import { formatMarkdownRules, markdownPercent, parseMarkdownRules } from "../../app/domain/expiry/markdown-rules";

describe("markdown rules", () => {
  it("reads days:percent pairs, longest window first, and gives the deepest cut that applies", () => {
    const rules = parseMarkdownRules(" 5:40, 14:20 ");
    expect(rules).toEqual([
      { days: 14, percent: 20 },
      { days: 5, percent: 40 },
    ]);
    expect(formatMarkdownRules(rules)).toBe("14:20, 5:40");
    expect([30, 15, 14, 6, 5, 0, -1].map((d) => markdownPercent(rules, d))).toEqual([0, 0, 20, 20, 40, 40, 0]);
    expect(parseMarkdownRules("")).toEqual([]);
  });
  it("refuses what would discount wrongly: no percentage, over 90 %, a cut that shrinks closer to expiry", () => {
    expect(() => parseMarkdownRules("14")).toThrow(/days:percent/);
    expect(() => parseMarkdownRules("14:95")).toThrow(/from 1 to 90/);
    expect(() => parseMarkdownRules("14:40, 5:20")).toThrow(/closer to expiry must take more off/);
    expect(() => parseMarkdownRules("14:20, 14:30")).toThrow(/same number of days/);
  });
});

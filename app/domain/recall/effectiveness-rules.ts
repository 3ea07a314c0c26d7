// Pure rules of a recall's effectiveness (docs/decisions/106-mass-balance-and-drills.md): the FDA
// effectiveness-check level the merchant chose and how far the case has come against it.
// 21 CFR 7.42(b)(3): the level is the share of consignees the effectiveness checks contact:
//   A: 100 percent; B: some percentage chosen case by case, greater than 10 and less than 100;
//   C: 10 percent; D: 2 percent; E: no effectiveness checks.
import { RecallInputError } from "./errors";

export type EffectivenessLevel = "A" | "B" | "C" | "D" | "E";

export const EFFECTIVENESS_LEVELS: readonly EffectivenessLevel[] = ["A", "B", "C", "D", "E"];

const FIXED_TARGET: Record<Exclude<EffectivenessLevel, "B">, number | null> = { A: 100, C: 10, D: 2, E: null };

export interface EffectivenessChoice {
  level: EffectivenessLevel;
  /** Level B only: the chosen percentage (11-99). */
  percent: number | null;
}

/** "b", "Level B", "B" + percent -> a valid choice; RecallInputError says what is wrong. */
export function parseEffectivenessChoice(level: string, percent?: string | number | null): EffectivenessChoice {
  const v = level
    .trim()
    .toUpperCase()
    .replace(/^LEVEL[ _-]?/, "");
  if (!(EFFECTIVENESS_LEVELS as readonly string[]).includes(v)) {
    throw new RecallInputError(`unknown effectiveness level "${level}": use A (100% of consignees), B (11-99%), C (10%), D (2%) or E (no checks)`);
  }
  const chosen = v as EffectivenessLevel;
  const text = percent === null || percent === undefined ? "" : String(percent).trim();
  if (chosen !== "B") {
    if (text !== "") throw new RecallInputError(`a percentage is chosen only for level B; level ${chosen} checks ${describeLevel(chosen)}`);
    return { level: chosen, percent: null };
  }
  const n = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  // "greater than 10 percent and less than 100 percent" (21 CFR 7.42(b)(3)(ii)).
  if (!Number.isInteger(n) || n <= 10 || n >= 100) {
    throw new RecallInputError(`level B needs a percentage of consignees greater than 10 and less than 100 (e.g. 50), not "${text}"`);
  }
  return { level: "B", percent: n };
}

/** The share of consignees to reach, in percent; null for level E (no effectiveness checks). */
export function targetPercent(choice: EffectivenessChoice): number | null {
  return choice.level === "B" ? choice.percent : FIXED_TARGET[choice.level];
}

export function describeLevel(level: EffectivenessLevel, percent: number | null = null): string {
  switch (level) {
    case "A":
      return "100% of consignees";
    case "B":
      return percent === null ? "a chosen share (11-99%) of consignees" : `${percent}% of consignees`;
    case "C":
      return "10% of consignees";
    case "D":
      return "2% of consignees";
    case "E":
      return "no effectiveness checks";
  }
}

export interface UnitsAccounted {
  /** Units shipped to customers from the lots in scope. */
  shipped: number;
  /** Came back into a lot (refund with restock `return`). */
  returned: number;
  /** Still out, with customers whose contact status is DESTROYED. */
  destroyed: number;
  /** Still out, with customers whose status is RETURNED: they report sending them back, not received yet. */
  acknowledged: number;
}

export interface Effectiveness {
  level: EffectivenessLevel | null;
  levelPercent: number | null;
  /** Percent of consignees to reach; null when no level is chosen or for level E. */
  targetPercent: number | null;
  customers: number;
  customersReached: number;
  /** Customers no longer TO_CONTACT, percent (one decimal); 100 when there are none. */
  customersReachedPercent: number;
  units: UnitsAccounted & { accounted: number; accountedPercent: number };
  /** Reached at least the target; null when there is none to meet (no level, or level E). */
  met: boolean | null;
}

const percentOf = (part: number, whole: number) => (whole === 0 ? 100 : Math.floor((part / whole) * 1000) / 10);

export function effectivenessOf(choice: EffectivenessChoice | null, contacts: { customers: number; toContact: number }, units: UnitsAccounted): Effectiveness {
  const target = choice ? targetPercent(choice) : null;
  const reached = contacts.customers - contacts.toContact;
  const reachedPercent = percentOf(reached, contacts.customers);
  const accounted = units.returned + units.destroyed + units.acknowledged;
  return {
    level: choice?.level ?? null,
    levelPercent: choice?.percent ?? null,
    targetPercent: target,
    customers: contacts.customers,
    customersReached: reached,
    customersReachedPercent: reachedPercent,
    units: { ...units, accounted, accountedPercent: percentOf(accounted, units.shipped) },
    met: target === null ? null : reachedPercent >= target,
  };
}

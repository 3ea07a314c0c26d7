// Shop settings rules (no database): the strategies, and checking what a merchant typed.
import { DomainError } from "../errors";
import { checkAutoLotPattern } from "../lots/lot-rules";

export const STRATEGIES = ["FEFO", "FIFO", "LIFO", "MANUAL"] as const;
export type Strategy = (typeof STRATEGIES)[number];
export const MAX_SHELF_LIFE_DAYS = 3650;

export interface ShopSettings {
  allocationStrategy: Strategy;
  minShelfLifeDays: number;
  autoLotPattern: string;
}

export class SettingsValidationError extends DomainError {
  override name = "SettingsValidationError";
  constructor(readonly problems: { field: string; message: string }[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join("; "));
  }
}

/** Checks raw form values; returns the settings or throws SettingsValidationError listing every problem. */
export function parseShopSettings(input: { allocationStrategy?: unknown; minShelfLifeDays?: unknown; autoLotPattern?: unknown }): ShopSettings {
  const problems: { field: string; message: string }[] = [];
  const strategy = String(input.allocationStrategy ?? "");
  if (!(STRATEGIES as readonly string[]).includes(strategy)) problems.push({ field: "allocationStrategy", message: `must be one of ${STRATEGIES.join(", ")}` });
  const daysText = String(input.minShelfLifeDays ?? "").trim();
  const days = Number(daysText);
  if (!/^\d+$/.test(daysText) || days > MAX_SHELF_LIFE_DAYS) {
    problems.push({ field: "minShelfLifeDays", message: `must be a whole number of days from 0 to ${MAX_SHELF_LIFE_DAYS}` });
  }
  const pattern = String(input.autoLotPattern ?? "").trim();
  // One message per field (the form shows one error under the field): the pattern's problems joined.
  const patternProblems = [...checkAutoLotPattern(pattern), ...(pattern.length > 64 ? ["must be at most 64 characters"] : [])];
  if (patternProblems.length) problems.push({ field: "autoLotPattern", message: patternProblems.join("; ") });
  if (problems.length) throw new SettingsValidationError(problems);
  return { allocationStrategy: strategy as Strategy, minShelfLifeDays: days, autoLotPattern: pattern };
}

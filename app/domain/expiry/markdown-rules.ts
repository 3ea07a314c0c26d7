// Markdowns on short-dated stock (no database): the shop's rules ("14:20, 5:40" = 20 % off from
// 14 days before expiry, 40 % from 5), and the percentage a variant gets from the days its
// earliest-expiring sellable lot has left. Decision 113.
import { ExpiryRunError } from "./expiry-rules";

export interface MarkdownRule {
  /** From this many days left (inclusive)... */
  days: number;
  /** ...this percentage off (1-90). */
  percent: number;
}

export const MAX_MARKDOWN_PERCENT = 90;

/** "14:20, 5:40" -> [{days: 14, percent: 20}, {days: 5, percent: 40}] (longest window first); "" -> none (markdowns off). */
export function parseMarkdownRules(text: string): MarkdownRule[] {
  const parts = text
    .split(/[,;\s]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const rules = parts.map((part) => {
    const m = /^(\d{1,4}):(\d{1,2})%?$/.exec(part);
    const days = Number(m?.[1]);
    const percent = Number(m?.[2]);
    if (!m || percent < 1 || percent > MAX_MARKDOWN_PERCENT) {
      throw new ExpiryRunError(
        `markdown "${part}" must be days:percent with a percentage from 1 to ${MAX_MARKDOWN_PERCENT}, e.g. 14:20 (20 % off from 14 days before expiry)`,
      );
    }
    return { days, percent };
  });
  const sorted = [...rules].sort((a, b) => b.days - a.days);
  if (new Set(sorted.map((r) => r.days)).size !== sorted.length) throw new ExpiryRunError("two markdowns give the same number of days");
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.percent <= sorted[i - 1]!.percent) {
      throw new ExpiryRunError(
        `a markdown closer to expiry must take more off: ${sorted[i]!.days}:${sorted[i]!.percent} after ${sorted[i - 1]!.days}:${sorted[i - 1]!.percent}`,
      );
    }
  }
  return sorted;
}

export function formatMarkdownRules(rules: readonly MarkdownRule[]): string {
  return rules.map((r) => `${r.days}:${r.percent}`).join(", ");
}

/** The percentage off for a lot with `daysLeft` (0 on its last day); 0 when no rule applies yet (or the lot expired). */
export function markdownPercent(rules: readonly MarkdownRule[], daysLeft: number): number {
  if (daysLeft < 0) return 0;
  return rules.filter((r) => daysLeft <= r.days).reduce((best, r) => Math.max(best, r.percent), 0);
}

/** The discount's title in Shopify: also how a create whose answer was lost is found again. */
export function markdownTitle(variantId: bigint | string): string {
  return `Lotkeeper markdown (short-dated stock) variant ${variantId}`;
}

/**
 * Shopify's DiscountAutomaticBasicInput for a variant's markdown: `percent` off that variant only,
 * combining with order and shipping discounts (a merchant's own product discounts stay separate).
 * `startsAt` only when creating (Shopify requires it then).
 */
export function markdownDiscountInput(variantId: bigint | string, percent: number, startsAt?: string): Record<string, unknown> {
  return {
    title: markdownTitle(variantId),
    ...(startsAt ? { startsAt } : {}),
    combinesWith: { orderDiscounts: true, productDiscounts: false, shippingDiscounts: true },
    customerGets: {
      value: { percentage: percent / 100 },
      items: { products: { productVariantsToAdd: [`gid://shopify/ProductVariant/${variantId}`] } },
    },
  };
}

// How the panel names things (pure, usable in the browser).

export function variantLabel(v: { id: bigint | string; productTitle: string | null; title: string | null; sku: string | null }): string {
  const name = [v.productTitle, v.title && v.title !== "Default Title" ? v.title : null].filter(Boolean).join(" - ") || `Variant ${v.id}`;
  return v.sku ? `${name} (${v.sku})` : name;
}

const TASK_NAMES: Record<string, string> = {
  "lots.import": "Lot import",
  "recall.tags": "Recall tagging",
  "recall.export": "Recall export",
  "expiry.daily": "Daily expiry check",
};

/** A task's kind as the merchant reads it ("lots.import" -> "Lot import"). */
export function taskName(kind: string): string {
  return TASK_NAMES[kind] ?? kind;
}

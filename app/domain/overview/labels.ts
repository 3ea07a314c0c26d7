// How the panel names things (pure, usable in the browser).

export function variantLabel(v: { id: bigint | string; productTitle: string | null; title: string | null; sku: string | null }): string {
  const name = [v.productTitle, v.title && v.title !== "Default Title" ? v.title : null].filter(Boolean).join(" - ") || `Variant ${v.id}`;
  return v.sku ? `${name} (${v.sku})` : name;
}

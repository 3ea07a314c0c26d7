// Pure rules of the lots written back on a Shopify order (docs/decisions/102-lots-on-the-order.md):
// what the app-owned order metafield holds (JSON, per line item: SKU, lots, quantities, expiry),
// the note attribute a packing-slip template prints ("Lots" -> "OAT-1L: L1 x2, L2 x1; ..."), how
// both stay within Shopify's sizes (a "+N more" marker instead of a refused write), and how the
// attribute joins the merchant's own attributes (orderUpdate replaces them all).

/** The app-owned metafield: `$app` is the app's reserved namespace (declared in shopify.app.toml). */
export const ORDER_LOTS_METAFIELD = { namespace: "$app", key: "lots", type: "json" } as const;

/** The note attribute's key (order customAttributes; `order.attributes` in Liquid). */
export const LOTS_ATTRIBUTE_KEY = "Lots";

/**
 * Bytes of the metafield's JSON at most. Shopify refuses larger `json` values for this use (the
 * issue's limit: 16 KB); a huge order keeps its first lines and says how many are left out.
 */
export const METAFIELD_MAX_BYTES = 16 * 1024;

/** Characters of the attribute's value at most: a packing slip prints one paragraph, not a ledger. */
export const ATTRIBUTE_MAX_CHARS = 2000;

/** One allocation's units, as the database holds them (reversed allocations are not passed). */
export interface AllocatedUnits {
  lineItemId: bigint;
  sku: string | null;
  /** null: the units are on the unknown-lot record, waiting for review. */
  lotNumber: string | null;
  /** 'YYYY-MM-DD' or null. */
  expiresOn: string | null;
  bestBeforeOn: string | null;
  quantity: number;
  returnedQuantity: number;
}

export interface OrderLotEntry {
  /** null: units shipped whose lot is not known yet (the merchant reviews them). */
  lot: string | null;
  /** Units shipped from this lot on this line. */
  qty: number;
  expiry?: string;
  bestBefore?: string;
  /** Units of them that came back (refund with restock `return`). */
  returned?: number;
}

export interface OrderLotLine {
  lineItemId: string;
  sku: string | null;
  lots: OrderLotEntry[];
}

/** The metafield's value. `more` (present only when lines were left out): how many line items did not fit. */
export interface OrderLotsDocument {
  v: 1;
  lines: OrderLotLine[];
  more?: number;
}

/** Sums the allocations per line item and lot (a line shipped in several fulfilments from one lot is one entry), in line item order. */
export function orderLotLines(units: readonly AllocatedUnits[]): OrderLotLine[] {
  const lines = new Map<bigint, { sku: string | null; lots: Map<string, OrderLotEntry> }>();
  const sorted = [...units].sort((a, b) => (a.lineItemId < b.lineItemId ? -1 : a.lineItemId > b.lineItemId ? 1 : 0));
  for (const u of sorted) {
    if (u.quantity <= 0) continue;
    const line = lines.get(u.lineItemId) ?? { sku: u.sku, lots: new Map<string, OrderLotEntry>() };
    lines.set(u.lineItemId, line);
    line.sku ??= u.sku;
    const key = u.lotNumber ?? "\u0000unknown";
    const entry = line.lots.get(key) ?? {
      lot: u.lotNumber,
      qty: 0,
      ...(u.expiresOn ? { expiry: u.expiresOn } : {}),
      ...(u.bestBeforeOn ? { bestBefore: u.bestBeforeOn } : {}),
    };
    entry.qty += u.quantity;
    if (u.returnedQuantity > 0) entry.returned = (entry.returned ?? 0) + u.returnedQuantity;
    line.lots.set(key, entry);
  }
  return [...lines.entries()].map(([lineItemId, line]) => ({
    lineItemId: lineItemId.toString(),
    sku: line.sku,
    // Known lots by lot number, the unknown-lot units last.
    lots: [...line.lots.values()].sort((a, b) => (a.lot === null ? 1 : b.lot === null ? -1 : a.lot < b.lot ? -1 : a.lot > b.lot ? 1 : 0)),
  }));
}

const byteLength = (text: string) => Buffer.byteLength(text, "utf8");

/**
 * The metafield's value, at most METAFIELD_MAX_BYTES: the first lines that fit whole, then
 * `more` = the number of line items left out (the app's own pages and exports still have them all).
 */
export function orderLotsDocument(lines: readonly OrderLotLine[], maxBytes = METAFIELD_MAX_BYTES): OrderLotsDocument {
  const whole: OrderLotsDocument = { v: 1, lines: [...lines] };
  if (byteLength(JSON.stringify(whole)) <= maxBytes) return whole;
  // Room for the marker with the largest count it can carry.
  const budget = maxBytes - byteLength(`,"more":${lines.length}`);
  let used = byteLength(JSON.stringify({ v: 1, lines: [] }));
  const kept: OrderLotLine[] = [];
  for (const line of lines) {
    const size = byteLength(JSON.stringify(line)) + (kept.length > 0 ? 1 : 0);
    if (used + size > budget) break;
    kept.push(line);
    used += size;
  }
  return { v: 1, lines: kept, more: lines.length - kept.length };
}

/** "L1 x2", "no lot yet x1": what a packer reads for one entry. */
const entryText = (e: OrderLotEntry) => `${e.lot ?? "no lot yet"} x${e.qty}`;

/**
 * The attribute's value: "OAT-1L: L1 x2, L2 x1; GRAN-500: G7 x1", at most ATTRIBUTE_MAX_CHARS;
 * when it does not fit, the lines that fit and "+N more". null when no line has units (no attribute).
 */
export function lotsAttributeValue(lines: readonly OrderLotLine[], maxChars = ATTRIBUTE_MAX_CHARS): string | null {
  const parts = lines.filter((l) => l.lots.length > 0).map((l) => `${l.sku ?? `line ${l.lineItemId}`}: ${l.lots.map(entryText).join(", ")}`);
  if (parts.length === 0) return null;
  const all = parts.join("; ");
  if (all.length <= maxChars) return all;
  const kept: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const marker = `; +${parts.length - i - 1} more`;
    const next = [...kept, parts[i]!].join("; ");
    if (next.length + marker.length > maxChars) break;
    kept.push(parts[i]!);
  }
  return kept.length > 0 ? `${kept.join("; ")}; +${parts.length - kept.length} more` : `+${parts.length} more`;
}

export interface Attribute {
  key: string;
  value: string;
}

/**
 * The order's attributes after the write: the merchant's own (and other apps') kept as they are,
 * in their order; ours replaced in place, added at the end, or removed when there is nothing to say.
 * orderUpdate(customAttributes) replaces the whole list, so everything not ours must be sent back.
 */
export function mergeLotsAttribute(current: readonly { key: string; value: string | null }[], value: string | null): Attribute[] {
  const merged: Attribute[] = [];
  let placed = false;
  for (const a of current) {
    if (a.key === LOTS_ATTRIBUTE_KEY) {
      if (value !== null && !placed) merged.push({ key: a.key, value });
      placed = true;
      continue;
    }
    // AttributeInput.value is a non-null String: an attribute Shopify holds without a value goes back empty.
    merged.push({ key: a.key, value: a.value ?? "" });
  }
  if (!placed && value !== null) merged.push({ key: LOTS_ATTRIBUTE_KEY, value });
  return merged;
}

/** True when the attributes Shopify holds already say what we would write (nothing to send). */
export function sameAttributes(current: readonly { key: string; value: string | null }[], next: readonly Attribute[]): boolean {
  return current.length === next.length && current.every((a, i) => a.key === next[i]!.key && (a.value ?? "") === next[i]!.value);
}

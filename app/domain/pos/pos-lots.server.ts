// Selling by lot at the point of sale (issue #12 item 5, docs/decisions/103): for the variant of a
// POS cart line and the POS location, the lots that may be sold there in the allocation's order,
// the suggestion (what the allocation would take first), and the check of a scanned GS1 barcode.
// The POS extension (extensions/pos-lot-picker) sets the chosen lot as the line property `_lot`;
// the allocation takes that lot when the sale's fulfilment arrives. Read-only: nothing is reserved
// or moved here. Which balances may be sold is SHIPPABLE_BALANCES_SQL, the statement the
// allocation locks, so the POS never offers a lot the allocation would refuse.
import { pool } from "../../db.server";
import type { Db } from "../../lib/sql.server";
import { effectiveStrategy, type AllocationStrategy } from "../allocation/allocation-rules";
import { SHIPPABLE_BALANCES_SQL, type ShippableBalanceRow } from "../allocation/shippable-balances.server";
import { gs1Summary, Gs1Error, parseGs1 } from "../gs1/gs1";
import { shelfRule } from "../shops/settings.server";
import { VariantNotFoundError } from "./errors";
import { lotsInSaleOrder, scanRefusal, type SellableLot, type ScannedLotFacts } from "./pos-lot-rules";

export interface PosVariant {
  id: bigint;
  /** "Product - Variant" as the merchant named them in Shopify. */
  title: string | null;
  sku: string | null;
  barcode: string | null;
  lotTracked: boolean;
  strategy: AllocationStrategy;
}

export interface LotsForSale {
  variant: PosVariant;
  locationId: bigint;
  /** The lots that may be sold at the location, in the strategy's order. */
  lots: SellableLot[];
  /** What the allocation would take first; null under the manual strategy or without lots. */
  suggestion: SellableLot | null;
}

/** A scanned barcode checked against the sellable lots: the lot to set, or why not. */
export type ScanVerdict = { accepted: true; lotNumber: string; scanned: string } | { accepted: false; message: string; scanned: string };

interface Options {
  db?: Db;
  now?: Date;
}

/** The lots of the variant the cashier may sell at the POS location, the suggestion first. */
export async function lotsForSale(shopId: number, variantId: bigint, locationId: bigint, options: Options = {}): Promise<LotsForSale> {
  const db = options.db ?? pool();
  const now = options.now ?? new Date();
  const variant = await posVariant(db, shopId, variantId);
  const lots = variant.lotTracked ? await sellableLots(db, shopId, variantId, locationId, (await shelfRule(db, shopId, now)).earliestShelfDate) : [];
  return { variant, locationId, ...lotsInSaleOrder(variant.strategy, lots) };
}

/**
 * Reads a barcode scanned at the POS (GS1 element string, AI text or Digital Link, parsed by
 * app/domain/gs1) and accepts its lot only when it is one of the sellable lots of this variant at
 * this location; anything else (not a GS1 code with a lot, another product, recalled, quarantined,
 * expired, no units here) is refused with the reason, and nothing is set.
 */
export async function checkScannedLot(forSale: LotsForSale, shopId: number, scan: string, options: Options = {}): Promise<ScanVerdict> {
  const db = options.db ?? pool();
  const now = options.now ?? new Date();
  const scanned = scan.trim();
  let lot: string | null;
  let gtin: string | null;
  try {
    ({ lot, gtin } = gs1Summary(parseGs1(scanned, { today: now })));
  } catch (error) {
    if (!(error instanceof Gs1Error)) throw error;
    return { accepted: false, scanned, message: `Barcode not read: ${error.message}` };
  }
  if (lot === null)
    return { accepted: false, scanned, message: "This barcode has no lot number (AI 10): scan the code on the lot label, or choose the lot from the list." };
  const facts = await scannedLotFacts(db, shopId, forSale.variant.id, forSale.locationId, lot);
  if (gtin !== null && !isThisItemsGtin(gtin, [forSale.variant.barcode, facts?.gtin ?? null])) {
    return {
      accepted: false,
      scanned,
      message: `Lot ${lot} is from a barcode of another product (GTIN ${gtin}), not ${forSale.variant.title ?? "this item"}. Scan this item's label.`,
    };
  }
  if (forSale.lots.some((l) => l.lotNumber === lot)) return { accepted: true, scanned, lotNumber: lot };
  if (facts === null) return { accepted: false, scanned, message: await unknownLotMessage(db, shopId, forSale.variant, lot) };
  const { today, earliestShelfDate } = await shelfRule(db, shopId, now);
  return { accepted: false, scanned, message: scanRefusal(facts, today, earliestShelfDate) };
}

/**
 * Whether a scanned GTIN is this item's: the variant's barcode or the lot's own GTIN (a supplier's,
 * which lot labels print first, decision 097), compared as 14 digits. Without either as a number
 * nothing contradicts the scan, and the lot number decides.
 */
function isThisItemsGtin(gtin: string, known: (string | null)[]): boolean {
  const numeric = known.filter((g): g is string => g !== null && /^[0-9]{8,14}$/.test(g));
  return numeric.length === 0 || numeric.some((g) => g.padStart(14, "0") === gtin.padStart(14, "0"));
}

async function posVariant(db: Db, shopId: number, variantId: bigint): Promise<PosVariant> {
  const r = await db.query<{
    product_title: string | null;
    title: string | null;
    sku: string | null;
    barcode: string | null;
    lot_tracked: boolean;
    allocation_strategy: AllocationStrategy;
    strategy_override: AllocationStrategy | null;
  }>(
    `select v.product_title, v.title, v.sku, v.barcode, v.lot_tracked, v.strategy_override, s.allocation_strategy
     from variants v join shops s on s.id = v.shop_id
     where v.shop_id = $1 and v.id = $2`,
    [shopId, variantId.toString()],
  );
  const row = r.rows[0];
  if (!row) throw new VariantNotFoundError(variantId);
  return {
    id: variantId,
    title: [row.product_title, row.title].filter((t) => t && t !== "Default Title").join(" - ") || null,
    sku: row.sku,
    barcode: row.barcode,
    lotTracked: row.lot_tracked,
    strategy: effectiveStrategy(row.allocation_strategy, row.strategy_override),
  };
}

/** The very statement the allocation locks (on hand, not quarantined, lot active, shelf life), read without a lock. */
async function sellableLots(db: Db, shopId: number, variantId: bigint, locationId: bigint, earliest: string): Promise<SellableLot[]> {
  const r = await db.query<ShippableBalanceRow>(SHIPPABLE_BALANCES_SQL, [shopId, locationId.toString(), [variantId.toString()], earliest]);
  return r.rows.map((row) => ({
    lotId: row.lot_id,
    lotNumber: row.lot_number,
    quantity: row.quantity,
    shelfDate: row.shelf_date,
    receivedAt: row.received_at,
    bin: row.bin,
  }));
}

/** The scanned lot of this variant as the refusal rules need it, with its own GTIN (null: no such lot of the variant). */
async function scannedLotFacts(
  db: Db,
  shopId: number,
  variantId: bigint,
  locationId: bigint,
  lotNumber: string,
): Promise<(ScannedLotFacts & { gtin: string | null }) | null> {
  const r = await db.query<{
    status: ScannedLotFacts["status"];
    expires_on: string | null;
    best_before_on: string | null;
    quantity: number | null;
    quarantined: boolean | null;
    gtin: string | null;
  }>(
    `select l.status, l.expires_on, l.best_before_on, b.quantity, b.quarantined, l.gtin
     from lots l left join lot_balances b on b.shop_id = l.shop_id and b.lot_id = l.id and b.location_id = $4
     where l.shop_id = $1 and l.variant_id = $2 and l.lot_number = $3`,
    [shopId, variantId.toString(), lotNumber, locationId.toString()],
  );
  const row = r.rows[0];
  if (!row) return null;
  return {
    lotNumber,
    status: row.status,
    expiresOn: row.expires_on,
    bestBeforeOn: row.best_before_on,
    atLocation: row.quantity === null ? null : { quantity: row.quantity, quarantined: row.quarantined ?? false },
    gtin: row.gtin,
  };
}

/** A lot number this variant does not have: another product's lot, or none the shop knows. */
async function unknownLotMessage(db: Db, shopId: number, variant: PosVariant, lotNumber: string): Promise<string> {
  const r = await db.query<{ product_title: string | null }>(
    `select v.product_title from lots l left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id
     where l.shop_id = $1 and l.lot_number = $2 and l.variant_id <> $3 order by l.id limit 1`,
    [shopId, lotNumber, variant.id.toString()],
  );
  const item = variant.title ?? "this item";
  if (r.rows.length > 0) return `Lot ${lotNumber} is a lot of another product (${r.rows[0]!.product_title ?? "unnamed"}), not ${item}. Scan this item's label.`;
  return `Lotkeeper has no lot ${lotNumber} of ${item}. Check the label, or choose the lot from the list.`;
}

// Receiving: units of a variant arrive at a location under a lot number (given, or generated from
// the shop's pattern). The lot is created on first receipt; a later receipt of the same
// (shop, variant, lot number) adds to it when its dates agree. Units move through moveLotUnits
// (balance + ledger) and Shopify is raised through the outbox, all in one transaction.
import { withTransaction, type Db } from "../../lib/sql.server";
import { pool } from "../../db.server";
import { moveLotUnitsWithEntries, type LedgerCause } from "../ledger/ledger.server";
import { addOutboxEntry, queueOutboxEntries } from "../sync/outbox.server";
import { adjustPayload, lotkeeperUri } from "../sync/inventory-changes";
import { resolveLocation, resolveVariant, type KnownVariant } from "../catalog/catalog.server";
import { nextAutoLotNumber } from "./auto-lot.server";
import { dateConflicts, validateReceipt, type ReceiptInput, type ValidReceipt } from "./lot-rules";
import { LotConflictError, ShopifyLookupError } from "./lot-errors";

export interface MovementContext {
  cause: LedgerCause;
  /** Who or what: staff user id, "cli", import task id ... */
  causeRef?: string | null;
}

export interface ReceiveResult {
  lotId: bigint;
  lotNumber: string;
  variantId: bigint;
  /** True when this receipt created the lot. */
  created: boolean;
  locationId: bigint;
  locationName: string | null;
  quantity: number;
  /** Units of the lot at that location after the receipt. */
  balanceAfter: number;
  ledgerEntryId: bigint;
  /** The outbox row raising Shopify's quantity (null: nothing to send). */
  outboxId: bigint | null;
}

/** Receives units into a lot. Validates, checks the variant and location with Shopify when unknown. */
export async function receiveLot(shopId: number, input: ReceiptInput, ctx: MovementContext = { cause: "USER" }): Promise<ReceiveResult> {
  const receipt = validateReceipt(input);
  // Lookups that may call Shopify happen before the transaction: no lock is held over the network.
  const db = pool();
  const [variant, location] = await Promise.all([resolveVariant(db, shopId, receipt.variantId), resolveLocation(db, shopId, receipt.locationId)]);
  const locationName = location.name;
  requireInventoryItem(variant);
  const result = await withTransaction((sql) => receiveInTransaction(sql, shopId, receipt, variant, ctx));
  await queueOutboxEntries(result.outboxId ? [result.outboxId] : []);
  return { ...result, locationName };
}

export function requireInventoryItem(variant: KnownVariant): void {
  if (!variant.inventoryItemId) {
    throw new ShopifyLookupError(`variant ${variant.id} has no inventory item id yet (Shopify could not be asked); try again in a minute`);
  }
}

export interface LotRow {
  id: bigint;
  lot_number: string;
  status: string;
  expires_on: string | null;
  best_before_on: string | null;
  produced_on: string | null;
}

/**
 * The receipt inside the caller's transaction (also used by the CSV import). With `sync: false`
 * the caller writes the outbox rows itself (the import batches them).
 */
export async function receiveInTransaction(
  sql: Db,
  shopId: number,
  receipt: ValidReceipt,
  variant: KnownVariant,
  ctx: MovementContext,
  options: { sync?: boolean } = {},
): Promise<Omit<ReceiveResult, "locationName"> & { quarantined: boolean }> {
  const lotNumber =
    receipt.lotNumber ?? (await nextAutoLotNumber(sql, shopId, { at: receipt.receivedAt, purchaseOrder: receipt.purchaseOrder, sku: variant.sku }));
  const { lot, created } = await createOrCompleteLot(sql, shopId, receipt, variant, lotNumber);
  const moved = await addReceivedUnits(sql, shopId, lot.id, receipt, ctx);
  // The balance row exists (and is locked by the move) now; a receipt without a bin keeps the one it has.
  if (receipt.bin) {
    await sql.query("update lot_balances set bin = $3 where lot_id = $1 and location_id = $2 and shop_id = $4", [
      lot.id,
      receipt.locationId,
      receipt.bin,
      shopId,
    ]);
  }
  const quarantined = await keepOutOfSaleWhenHeld(sql, lot, created, receipt.locationId);
  const outboxId = options.sync !== false ? await raiseShopify(sql, shopId, receipt, variant, moved.ledgerEntryId, quarantined) : null;
  return {
    lotId: lot.id,
    lotNumber: lot.lot_number,
    variantId: receipt.variantId,
    created,
    locationId: receipt.locationId,
    quantity: receipt.quantity,
    balanceAfter: moved.balanceAfter,
    ledgerEntryId: moved.ledgerEntryId,
    outboxId,
    quarantined,
  };
}

/** The lot on first receipt; a later receipt must agree with its dates and fills what it left empty. */
async function createOrCompleteLot(
  sql: Db,
  shopId: number,
  receipt: ValidReceipt,
  variant: KnownVariant,
  lotNumber: string,
): Promise<{ lot: LotRow; created: boolean }> {
  const inserted = await sql.query<LotRow>(
    `insert into lots (shop_id, variant_id, lot_number, expires_on, best_before_on, produced_on, received_at, supplier, supplier_lot,
                       purchase_order, unit_cost, currency, notes, gtin, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, now())
     on conflict (shop_id, variant_id, lot_number) do nothing
     returning id, lot_number, status, expires_on::text, best_before_on::text, produced_on::text`,
    [
      shopId,
      receipt.variantId,
      lotNumber,
      receipt.expiresOn,
      receipt.bestBeforeOn,
      receipt.producedOn,
      receipt.receivedAt,
      receipt.supplier,
      receipt.supplierLot,
      receipt.purchaseOrder,
      receipt.unitCost,
      receipt.currency,
      receipt.notes,
      receipt.gtin ?? variant.barcode,
    ],
  );
  if (inserted.rows[0]) return { lot: inserted.rows[0], created: true };
  const lot = await lockAgreeingLot(sql, shopId, receipt, lotNumber);
  // Later receipts complete what the first one left empty; they never overwrite.
  await sql.query(
    `update lots set expires_on = coalesce(expires_on, $2), best_before_on = coalesce(best_before_on, $3), produced_on = coalesce(produced_on, $4),
       supplier = coalesce(supplier, $5), supplier_lot = coalesce(supplier_lot, $6), purchase_order = coalesce(purchase_order, $7),
       unit_cost = coalesce(unit_cost, $8), currency = coalesce(currency, $9), notes = coalesce(notes, $10), updated_at = now()
     where id = $1`,
    [
      lot.id,
      receipt.expiresOn,
      receipt.bestBeforeOn,
      receipt.producedOn,
      receipt.supplier,
      receipt.supplierLot,
      receipt.purchaseOrder,
      receipt.unitCost,
      receipt.currency,
      receipt.notes,
    ],
  );
  return { lot, created: false };
}

/** Locks the existing lot; refused when the receipt's dates disagree with it. */
async function lockAgreeingLot(sql: Db, shopId: number, receipt: ValidReceipt, lotNumber: string): Promise<LotRow> {
  const existing = await sql.query<LotRow>(
    `select id, lot_number, status, expires_on::text, best_before_on::text, produced_on::text from lots
     where shop_id = $1 and variant_id = $2 and lot_number = $3 for update`,
    [shopId, receipt.variantId, lotNumber],
  );
  const lot = existing.rows[0]!;
  const conflicts = dateConflicts(
    { expiresOn: lot.expires_on, bestBeforeOn: lot.best_before_on, producedOn: lot.produced_on },
    { expiresOn: receipt.expiresOn, bestBeforeOn: receipt.bestBeforeOn, producedOn: receipt.producedOn },
  );
  if (conflicts.length > 0) {
    throw new LotConflictError(
      `lot "${lotNumber}" of variant ${receipt.variantId} already exists and this receipt does not match it: ${conflicts.join("; ")}. ` +
        `Receive it under another lot number, or correct the dates`,
    );
  }
  return lot;
}

/** The units into the lot's balance at the location, with their RECEIVED ledger entry. */
async function addReceivedUnits(
  sql: Db,
  shopId: number,
  lotId: bigint,
  receipt: ValidReceipt,
  ctx: MovementContext,
): Promise<{ balanceAfter: number; ledgerEntryId: bigint }> {
  const [moved] = await moveLotUnitsWithEntries(sql, [
    {
      shopId,
      lotId,
      locationId: receipt.locationId,
      delta: receipt.quantity,
      kind: "RECEIVED",
      cause: ctx.cause,
      causeRef: ctx.causeRef ?? null,
      reason: receipt.purchaseOrder ? `PO ${receipt.purchaseOrder}` : null,
    },
  ]);
  return moved!;
}

/** Units received into a quarantined or recalled lot stay out of sale: they go to quality_control. */
async function keepOutOfSaleWhenHeld(sql: Db, lot: LotRow, created: boolean, locationId: bigint): Promise<boolean> {
  const quarantined = !created && (lot.status !== "ACTIVE" || (await balanceQuarantined(sql, lot.id, locationId)));
  if (quarantined) await sql.query("update lot_balances set quarantined = true where lot_id = $1 and location_id = $2", [lot.id, locationId]);
  return quarantined;
}

/** The outbox row raising Shopify's quantity (available, or quality_control for held units); null without an inventory item. */
async function raiseShopify(
  sql: Db,
  shopId: number,
  receipt: ValidReceipt,
  variant: KnownVariant,
  ledgerEntryId: bigint,
  quarantined: boolean,
): Promise<bigint | null> {
  if (!variant.inventoryItemId) return null;
  return addOutboxEntry(sql, {
    shopId,
    kind: "inventory.adjust",
    idempotencyKey: `ledger:${ledgerEntryId}`,
    payload: adjustPayload({
      name: quarantined ? "quality_control" : "available",
      reason: "received",
      referenceDocumentUri: lotkeeperUri("LedgerEntry", ledgerEntryId),
      changes: [{ inventoryItemId: variant.inventoryItemId, locationId: receipt.locationId, delta: receipt.quantity }],
    }),
  });
}

async function balanceQuarantined(sql: Db, lotId: bigint, locationId: bigint): Promise<boolean> {
  const r = await sql.query<{ quarantined: boolean }>("select quarantined from lot_balances where lot_id = $1 and location_id = $2", [lotId, locationId]);
  return r.rows[0]?.quarantined ?? false;
}

// Reconciliation: Shopify's on_hand (read over GraphQL) against the lot balances, per variant and
// location, counting the app's own changes not yet applied. Runs when inventory_levels/update
// arrives (a job per level) and periodically per shop.
//   - Units Shopify has and no lot explains become an auto-created lot named from the receipt date,
//     flagged incomplete for the merchant to complete (no Shopify change: Shopify already has them).
//   - Units the lots have and Shopify lacks become an open discrepancy the merchant resolves.
//   - The echo of the app's own adjustments matches once discounted, and creates neither.
import { withTransaction, type Db } from "../../lib/sql.server";
import { pool } from "../../db.server";
import { getQueue, jobIdFor, QUEUE_NAMES } from "../../lib/queues.server";
import { fetchLevelOnHand, fetchOnHand, ON_HAND_BATCH } from "../../lib/shopify-admin.server";
import { moveLotUnitsWithEntries } from "../ledger/ledger.server";
import { findShopDomain } from "../shops/shops.server";
import { fillMissingLocationNames } from "../catalog/catalog.server";
import { decideReconciliation, type LevelFacts, type ReconcileDecision } from "./reconcile-rules";
import { RECONCILE_SHOP_JOB } from "./inventory-level-webhook.server";

export interface LevelResult {
  variantId: bigint;
  inventoryItemId: bigint;
  locationId: bigint;
  shopifyOnHand: number;
  lotsOnHand: number;
  decision: ReconcileDecision;
  /** The lot created for unexplained units, or the discrepancy recorded. */
  lotId?: bigint;
  lotNumber?: string;
  discrepancyId?: bigint;
}

export interface TrackedVariant {
  variantId: bigint;
  inventoryItemId: bigint;
}

/** Reconciles one inventory item at one location (inventory_levels/update). Unknown item: nothing to do. */
export async function reconcileLevel(shopId: number, inventoryItemId: bigint, locationId: bigint): Promise<LevelResult | null> {
  const variant = await pool().query<{ id: bigint }>("select id from variants where shop_id = $1 and inventory_item_id = $2 and lot_tracked", [
    shopId,
    inventoryItemId,
  ]);
  if (!variant.rows[0]) return null;
  const domain = await shopDomain(shopId);
  const variantId = variant.rows[0].id;
  const before = await lotsOnHandByLevel(shopId, [variantId], locationId);
  const onHand = await fetchLevelOnHand(domain, inventoryItemId, locationId);
  return applyLevel(shopId, { variantId, inventoryItemId }, locationId, onHand, before.get(`${variantId}:${locationId}`) ?? 0);
}

/**
 * The lots' units per level ("variantId:locationId"), read BEFORE Shopify is: applyLevel compares
 * them with what it finds under its lock, so a shipment, return or receipt processed between the
 * two reads is seen instead of being taken for a difference with Shopify.
 */
async function lotsOnHandByLevel(shopId: number, variantIds: bigint[], locationId?: bigint): Promise<Map<string, number>> {
  const r = await pool().query<{ variant_id: bigint; location_id: bigint; total: number }>(
    `select variant_id, location_id, coalesce(sum(quantity), 0)::int as total from lot_balances
      where shop_id = $1 and variant_id = any($2::bigint[]) and ($3::bigint is null or location_id = $3)
      group by variant_id, location_id`,
    [shopId, variantIds.map(String), locationId?.toString() ?? null],
  );
  return new Map(r.rows.map((l) => [`${l.variant_id}:${l.location_id}`, l.total]));
}

/**
 * Reconciles every lot-tracked variant of a shop that has lots or Shopify stock, ON_HAND_BATCH
 * inventory items per GraphQL call. Returns the levels that needed an action.
 */
export async function reconcileShop(shopId: number): Promise<LevelResult[]> {
  const domain = await shopDomain(shopId);
  const variants = await pool().query<{ id: bigint; inventory_item_id: bigint }>(
    `select id, inventory_item_id from variants where shop_id = $1 and lot_tracked and inventory_item_id is not null order by id`,
    [shopId],
  );
  const results: LevelResult[] = [];
  for (let i = 0; i < variants.rows.length; i += ON_HAND_BATCH) {
    const chunk = variants.rows.slice(i, i + ON_HAND_BATCH);
    const lots = await lotsOnHandByLevel(
      shopId,
      chunk.map((v) => v.id),
    );
    const shopify = await fetchOnHand(
      domain,
      chunk.map((v) => v.inventory_item_id),
    );
    await fillMissingLocationNames(pool(), shopId, shopify);
    const levels = new Map<string, { variant: TrackedVariant; locationId: bigint; onHand: number }>();
    for (const v of chunk) {
      for (const l of shopify.filter((s) => s.inventoryItemId === v.inventory_item_id)) {
        levels.set(`${v.id}:${l.locationId}`, {
          variant: { variantId: v.id, inventoryItemId: v.inventory_item_id },
          locationId: l.locationId,
          onHand: l.onHand,
        });
      }
    }
    for (const key of lots.keys()) {
      const [variantId, locationId] = key.split(":").map(BigInt) as [bigint, bigint];
      const v = chunk.find((x) => x.id === variantId)!;
      // Lots at a location Shopify does not stock the item at: Shopify has 0 there.
      if (!levels.has(key)) levels.set(key, { variant: { variantId: v.id, inventoryItemId: v.inventory_item_id }, locationId, onHand: 0 });
    }
    for (const [key, level] of levels) {
      const r = await applyLevel(shopId, level.variant, level.locationId, level.onHand, lots.get(key) ?? 0);
      if (r.decision.action !== "none") results.push(r);
    }
  }
  return results;
}

export async function shopDomain(shopId: number): Promise<string> {
  const domain = await findShopDomain(pool(), shopId);
  if (domain === undefined) throw new Error(`shop ${shopId} does not exist`);
  return domain;
}

/** What a bulk read recorded of a level before Shopify was asked (reconcile_bulk_levels). */
export interface LevelRead {
  /** Ledger entries of the level's lots then. */
  moves: number;
  /** The app's on_hand changes to the level still PENDING then. */
  unsettled: number;
}

/**
 * Compares and acts for one level, in one transaction that locks the level's balances. No call to
 * Shopify is made in it. `read` (bulk path) also compares the level's ledger with what it was when
 * the lots were recorded.
 */
export async function applyLevel(
  shopId: number,
  variant: TrackedVariant,
  locationId: bigint,
  shopifyOnHand: number,
  lotsOnHandBefore: number,
  read?: LevelRead,
): Promise<LevelResult> {
  return withTransaction(async (sql) => {
    // Lock the level's balances so a receipt or allocation cannot slip in between reading and acting,
    // in lot id order: the order allocation locks them in, so the two never deadlock.
    const lots = await sql.query<{ total: number }>(
      `select coalesce(sum(quantity), 0)::int as total from (
         select quantity from lot_balances where shop_id = $1 and variant_id = $2 and location_id = $3
         order by lot_id for update) b`,
      [shopId, variant.variantId, locationId],
    );
    const pending = await sql.query<{ unsent: number; in_flight: number }>(
      `select coalesce(sum(((l->>'onHandDelta')::int)) filter (where o.attempts = 0), 0)::int as unsent,
              count(distinct o.id) filter (where o.attempts > 0 and (l->>'onHandDelta')::int <> 0)::int as in_flight
       from outbox_entries o cross join lateral jsonb_array_elements(o.payload->'levels') l
       where o.shop_id = $1 and o.status = 'PENDING' and o.kind = 'inventory.adjust'
         and l->>'inventoryItemId' = $2 and l->>'locationId' = $3`,
      [shopId, variant.inventoryItemId.toString(), locationId.toString()],
    );
    const lotsOnHand = lots.rows[0]!.total;
    const inbox = await sql.query<{ n: number }>(
      `select count(*)::int as n from webhook_events e join shops s on s.domain = e.shop_domain
       where s.id = $1 and e.status = 'PENDING' and (e.topic like 'orders/%' or e.topic like 'fulfillments/%' or e.topic like 'refunds/%')`,
      [shopId],
    );
    let lotMovesSinceRead: number | undefined;
    if (read) {
      const moves = await sql.query<{ n: number }>(
        `select count(*)::int as n from ledger_entries e join lots l on l.id = e.lot_id
         where e.shop_id = $1 and l.shop_id = $1 and l.variant_id = $2 and e.location_id = $3`,
        [shopId, variant.variantId, locationId],
      );
      lotMovesSinceRead = moves.rows[0]!.n - read.moves;
    }
    const facts: LevelFacts = {
      shopifyOnHand,
      lotsOnHand,
      pendingUnsentDelta: pending.rows[0]!.unsent,
      inFlightRows: pending.rows[0]!.in_flight,
      unprocessedStockWebhooks: inbox.rows[0]!.n,
      lotsOnHandBefore,
      lotMovesSinceRead,
      appChangesUnsettledAtRead: read?.unsettled,
    };
    const decision = decideReconciliation(facts);
    const result: LevelResult = { variantId: variant.variantId, inventoryItemId: variant.inventoryItemId, locationId, shopifyOnHand, lotsOnHand, decision };
    if (decision.action === "create-incomplete-lot") {
      Object.assign(result, await createIncompleteLot(sql, shopId, variant.variantId, locationId, decision.units));
    } else if (decision.action === "record-discrepancy") {
      result.discrepancyId = await recordDiscrepancy(sql, shopId, variant.variantId, locationId, shopifyOnHand, lotsOnHand);
    } else if (decision.action === "none") {
      // The level agrees again (the merchant fixed it in Shopify, or a late sync arrived).
      await sql.query(
        `update discrepancies set status = 'RESOLVED', resolved_at = now() where shop_id = $1 and variant_id = $2 and location_id = $3 and status = 'OPEN'`,
        [shopId, variant.variantId, locationId],
      );
    }
    return result;
  });
}

/**
 * Unexplained units in Shopify: a lot named from today's date ("UNLOTTED-20261126"), flagged
 * incomplete. The same day's lot of the variant takes later unexplained units too.
 */
async function createIncompleteLot(
  sql: Db,
  shopId: number,
  variantId: bigint,
  locationId: bigint,
  units: number,
): Promise<{ lotId: bigint; lotNumber: string }> {
  const today = new Date().toISOString().slice(0, 10).replace(/-/g, "");
  const lotNumber = `UNLOTTED-${today}`;
  const lot = await sql.query<{ id: bigint }>(
    `insert into lots (shop_id, variant_id, lot_number, incomplete, notes, updated_at)
     values ($1, $2, $3, true, 'Created by reconciliation: units found in Shopify that no lot explained. Add the lot details.', now())
     on conflict (shop_id, variant_id, lot_number) do update set incomplete = true, updated_at = now()
     returning id`,
    [shopId, variantId, lotNumber],
  );
  const lotId = lot.rows[0]!.id;
  await moveLotUnitsWithEntries(sql, [
    {
      shopId,
      lotId,
      locationId,
      delta: units,
      kind: "RECONCILED",
      cause: "JOB",
      causeRef: "reconciliation",
      reason: `${units} unit(s) in Shopify that no lot explained`,
    },
  ]);
  return { lotId, lotNumber };
}

async function recordDiscrepancy(sql: Db, shopId: number, variantId: bigint, locationId: bigint, shopifyOnHand: number, lotsOnHand: number): Promise<bigint> {
  const open = await sql.query<{ id: bigint }>(
    `update discrepancies set shopify_on_hand = $4, lots_on_hand = $5 where shop_id = $1 and variant_id = $2 and location_id = $3 and status = 'OPEN' returning id`,
    [shopId, variantId, locationId, shopifyOnHand, lotsOnHand],
  );
  if (open.rows[0]) return open.rows[0].id;
  const created = await sql.query<{ id: bigint }>(
    `insert into discrepancies (shop_id, variant_id, location_id, shopify_on_hand, lots_on_hand) values ($1, $2, $3, $4, $5) returning id`,
    [shopId, variantId, locationId, shopifyOnHand, lotsOnHand],
  );
  return created.rows[0]!.id;
}

export interface DiscrepancyView {
  id: bigint;
  variantId: bigint;
  sku: string | null;
  locationId: bigint;
  locationName: string | null;
  shopifyOnHand: number;
  lotsOnHand: number;
  missingUnits: number;
  createdAt: Date;
}

/** Open discrepancies of the shop, for the merchant to resolve. */
export async function listDiscrepancies(shopId: number): Promise<DiscrepancyView[]> {
  const r = await pool().query<{
    id: bigint;
    variant_id: bigint;
    sku: string | null;
    location_id: bigint;
    name: string | null;
    shopify_on_hand: number;
    lots_on_hand: number;
    created_at: Date;
  }>(
    `select d.id, d.variant_id, v.sku, d.location_id, loc.name, d.shopify_on_hand, d.lots_on_hand, d.created_at
     from discrepancies d
     left join variants v on v.shop_id = d.shop_id and v.id = d.variant_id
     left join locations loc on loc.shop_id = d.shop_id and loc.id = d.location_id
     where d.shop_id = $1 and d.status = 'OPEN' order by d.created_at`,
    [shopId],
  );
  return r.rows.map((d) => ({
    id: d.id,
    variantId: d.variant_id,
    sku: d.sku,
    locationId: d.location_id,
    locationName: d.name,
    shopifyOnHand: d.shopify_on_hand,
    lotsOnHand: d.lots_on_hand,
    missingUnits: d.lots_on_hand - d.shopify_on_hand,
    createdAt: d.created_at,
  }));
}

/** The merchant resolved it (adjusted a lot, or corrected Shopify). Scoped by shop. */
export async function resolveDiscrepancy(shopId: number, discrepancyId: bigint): Promise<boolean> {
  const r = await pool().query(`update discrepancies set status = 'RESOLVED', resolved_at = now() where shop_id = $1 and id = $2 and status = 'OPEN'`, [
    shopId,
    discrepancyId,
  ]);
  return (r.rowCount ?? 0) > 0;
}

/**
 * The periodic reconciliation fans out: one reconcile-shop job per installed shop, so shops run in
 * parallel and fail alone. `run` (the periodic job's timestamp) makes the job ids of one run unique.
 * Returns how many shops were queued.
 */
export async function queueShopReconciliations(run: number): Promise<number> {
  const shops = await pool().query<{ id: number }>("select id from shops where installed order by id");
  await getQueue(QUEUE_NAMES.maintenance).addBulk(
    shops.rows.map(({ id }) => ({ name: RECONCILE_SHOP_JOB, data: { shopId: id }, opts: { jobId: jobIdFor("reconcile-shop", `${id}-${run}`) } })),
  );
  return shops.rows.length;
}

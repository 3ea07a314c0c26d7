// Full reconciliation of a large shop through one Shopify bulk query (decision 082) instead of
// paging inventory items through the throttle.
//   1. start: the lots of every level are recorded (units, ledger entries, the app's unsettled
//      changes) BEFORE Shopify is asked, then bulkOperationRunQuery is submitted and its id stored.
//   2. finish: bulk_operations/finish (or the poll of the sweep, when the webhook is lost) queues
//      finishBulkReconciliation, which claims the row (state + lease), asks Shopify for the result
//      URL, streams the JSONL and applies every level with the paging path's rules (applyLevel).
//      A level whose lots moved since step 1 is not compared: Shopify's figure may predate it.
// Applying twice changes nothing: a level already reconciled compares equal (or moved) the next
// time, and the claim lets one worker apply a result at a time.
import { z } from "zod";
import { pool } from "../../db.server";
import { withTransaction } from "../../lib/sql.server";
import { getQueue, jobIdFor, QUEUE_NAMES } from "../../lib/queues.server";
import { bulkOnHandLevels, fetchBulkOperation, startBulkOnHand, type BulkOperationView } from "../../lib/shopify-admin.server";
import { InvalidPayloadError, type TopicHandler } from "../webhooks/handler";
import { applyLevel, reconcileShop, shopDomain, type LevelRead, type LevelResult } from "./reconcile.server";
import { chooseReconcileMode, type ReconcileMode } from "./reconcile-rules";

export const RECONCILE_BULK_FINISH_JOB = "reconcile-bulk-finish";
export const SWEEP_BULK_RECONCILE_JOB = "sweep-bulk-reconciliations";

/** A claimed result not applied within this long (a worker died) may be claimed again. */
const LEASE_MS = 10 * 60_000;
/** A row Shopify never confirmed (the process died between submitting and recording). */
const STARTING_STALE_MS = 10 * 60_000;
/** How often the sweep asks Shopify about an operation whose finish webhook has not come. */
export const BULK_POLL_EVERY_MS = 60_000;
/** After this long Shopify's own limit (10 days) is near: stop waiting. */
const RUNNING_GIVE_UP_MS = 10 * 24 * 3600_000;

export interface BulkReconciliation {
  id: bigint;
  shopId: number;
  operationId: string | null;
  state: "STARTING" | "RUNNING" | "APPLYING" | "APPLIED" | "FAILED";
  shopifyStatus: string | null;
  errorCode: string | null;
  error: string | null;
  levelsRead: number;
  acted: number;
  waiting: number;
  createdAt: Date;
  finishedAt: Date | null;
}

const COLUMNS = `id, shop_id, operation_id, state::text as state, shopify_status, error_code, error, levels_read, acted, waiting, created_at, finished_at`;
interface Row {
  id: bigint;
  shop_id: number;
  operation_id: string | null;
  state: BulkReconciliation["state"];
  shopify_status: string | null;
  error_code: string | null;
  error: string | null;
  levels_read: number;
  acted: number;
  waiting: number;
  created_at: Date;
  finished_at: Date | null;
}
const view = (r: Row): BulkReconciliation => ({
  id: r.id,
  shopId: r.shop_id,
  operationId: r.operation_id,
  state: r.state,
  shopifyStatus: r.shopify_status,
  errorCode: r.error_code,
  error: r.error,
  levelsRead: r.levels_read,
  acted: r.acted,
  waiting: r.waiting,
  createdAt: r.created_at,
  finishedAt: r.finished_at,
});

export async function getBulkReconciliation(shopId: number, id: bigint): Promise<BulkReconciliation | null> {
  const r = await pool().query<Row>(`select ${COLUMNS} from reconcile_bulk_operations where shop_id = $1 and id = $2`, [shopId, id]);
  return r.rows[0] ? view(r.rows[0]) : null;
}

/** Levels a full reconciliation would read: lot-tracked inventory items x active locations. */
export async function estimatedLevels(shopId: number): Promise<number> {
  const r = await pool().query<{ items: number; locations: number }>(
    `select (select count(*) from variants where shop_id = $1 and lot_tracked and inventory_item_id is not null)::int as items,
            (select count(*) from locations where shop_id = $1 and active)::int as locations`,
    [shopId],
  );
  return r.rows[0]!.items * Math.max(1, r.rows[0]!.locations);
}

export type ShopReconciliation = { mode: "paging"; levels: LevelResult[] } | { mode: "bulk"; bulk: BulkReconciliation; started: boolean };

/** The periodic job and `lots reconcile`: paging for a small shop, a bulk query from BULK_RECONCILE_MIN_LEVELS on. */
export async function runShopReconciliation(shopId: number, requested: ReconcileMode | "auto" = "auto"): Promise<ShopReconciliation> {
  const mode = chooseReconcileMode(requested === "auto" ? await estimatedLevels(shopId) : 0, requested);
  if (mode === "paging") return { mode, levels: await reconcileShop(shopId) };
  return { mode, ...(await startBulkReconciliation(shopId)) };
}

/**
 * Records the lots of every level, then submits the bulk query. A shop has one reconciliation in
 * progress at a time: asking again while one runs returns it (started: false).
 */
export async function startBulkReconciliation(shopId: number): Promise<{ bulk: BulkReconciliation; started: boolean }> {
  const domain = await shopDomain(shopId);
  const recorded = await withTransaction(async (sql): Promise<{ existing: BulkReconciliation } | { existing: null; id: bigint }> => {
    await sql.query("select pg_advisory_xact_lock(hashtext('lotkeeper:reconcile-bulk'), $1)", [shopId]);
    const active = await sql.query<Row>(
      `select ${COLUMNS} from reconcile_bulk_operations
       where shop_id = $1 and (state in ('RUNNING', 'APPLYING') or (state = 'STARTING' and created_at > now() - $2 * interval '1 millisecond'))
       order by id desc limit 1`,
      [shopId, STARTING_STALE_MS],
    );
    if (active.rows[0]) return { existing: view(active.rows[0]) };
    const row = await sql.query<{ id: bigint }>(`insert into reconcile_bulk_operations (shop_id) values ($1) returning id`, [shopId]);
    const id = row.rows[0]!.id;
    // One statement: one consistent view of balances, ledger and outbox.
    await sql.query(
      `with bal as (
         select variant_id, location_id, sum(quantity)::int as units from lot_balances where shop_id = $2 group by variant_id, location_id
       ), moves as (
         select l.variant_id, e.location_id, count(*)::int as n
         from ledger_entries e join lots l on l.id = e.lot_id
         where e.shop_id = $2 and l.shop_id = $2 and e.location_id is not null group by l.variant_id, e.location_id
       ), unsettled as (
         select v.id as variant_id, (lv->>'locationId')::bigint as location_id, count(distinct o.id)::int as n
         from outbox_entries o cross join lateral jsonb_array_elements(o.payload->'levels') lv
         join variants v on v.shop_id = o.shop_id and v.inventory_item_id::text = lv->>'inventoryItemId'
         where o.shop_id = $2 and o.status = 'PENDING' and o.kind = 'inventory.adjust' and (lv->>'onHandDelta')::int <> 0
         group by v.id, (lv->>'locationId')::bigint
       ), levels as (
         select variant_id, location_id from bal union select variant_id, location_id from moves union select variant_id, location_id from unsettled
       )
       insert into reconcile_bulk_levels (bulk_id, shop_id, variant_id, location_id, units, moves, unsettled)
       select $1, $2, k.variant_id, k.location_id, coalesce(bal.units, 0), coalesce(moves.n, 0), coalesce(unsettled.n, 0)
       from levels k
       left join bal on bal.variant_id = k.variant_id and bal.location_id = k.location_id
       left join moves on moves.variant_id = k.variant_id and moves.location_id = k.location_id
       left join unsettled on unsettled.variant_id = k.variant_id and unsettled.location_id = k.location_id`,
      [id, shopId],
    );
    return { existing: null, id };
  });
  if (recorded.existing) return { bulk: recorded.existing, started: false };
  let operation: { id: string; status: string };
  try {
    operation = await startBulkOnHand(domain);
  } catch (error) {
    await fail(recorded.id, null, (error as Error).message);
    throw error;
  }
  const r = await pool().query<Row>(
    `update reconcile_bulk_operations set operation_id = $2, shopify_status = $3, state = 'RUNNING', polled_at = now() where id = $1 returning ${COLUMNS}`,
    [recorded.id, operation.id, operation.status],
  );
  return { bulk: view(r.rows[0]!), started: true };
}

export type FinishOutcome =
  | { applied: true; bulk: BulkReconciliation; levels: LevelResult[] }
  | { applied: false; reason: "not-found" | "not-claimable" | "still-running" | "failed"; bulk: BulkReconciliation | null };

/**
 * Applies the result of a finished bulk query once. Called for bulk_operations/finish and by the
 * sweep's poll; a second call (duplicate webhook, both paths) finds the row applied and does nothing.
 * `known` is Shopify's answer when the caller just asked for it.
 */
export async function finishBulkReconciliation(shopId: number, bulkId: bigint, known?: BulkOperationView): Promise<FinishOutcome> {
  const claimed = await pool().query<{ operation_id: string }>(
    `update reconcile_bulk_operations set state = 'APPLYING', lease_until = now() + $3 * interval '1 millisecond'
     where shop_id = $1 and id = $2 and operation_id is not null and (state = 'RUNNING' or (state = 'APPLYING' and lease_until < now()))
     returning operation_id`,
    [shopId, bulkId, LEASE_MS],
  );
  if (!claimed.rows[0]) {
    const bulk = await getBulkReconciliation(shopId, bulkId);
    return { applied: false, reason: bulk ? "not-claimable" : "not-found", bulk };
  }
  const operationId = claimed.rows[0].operation_id;
  try {
    const domain = await shopDomain(shopId);
    const operation = known?.id === operationId ? known : await fetchBulkOperation(domain, operationId);
    if (!operation) {
      await fail(bulkId, null, `Shopify has no bulk operation ${operationId} for this shop`);
      return { applied: false, reason: "failed", bulk: await getBulkReconciliation(shopId, bulkId) };
    }
    if (operation.status === "CREATED" || operation.status === "RUNNING" || operation.status === "CANCELING") {
      await pool().query(`update reconcile_bulk_operations set state = 'RUNNING', lease_until = null, shopify_status = $2, polled_at = now() where id = $1`, [
        bulkId,
        operation.status,
      ]);
      return { applied: false, reason: "still-running", bulk: await getBulkReconciliation(shopId, bulkId) };
    }
    if (operation.status !== "COMPLETED") {
      // Partial data (partialDataUrl) is never used: a level missing from it would read as 0.
      await fail(
        bulkId,
        operation.errorCode,
        `Shopify's bulk query ended ${operation.status}${operation.errorCode ? ` (${operation.errorCode})` : ""}`,
        operation.status,
      );
      return { applied: false, reason: "failed", bulk: await getBulkReconciliation(shopId, bulkId) };
    }
    const { levels, read } = await applyBulkResult(shopId, bulkId, operation.url);
    const acted = levels.filter((l) => l.decision.action !== "wait").length;
    const r = await pool().query<Row>(
      `update reconcile_bulk_operations set state = 'APPLIED', shopify_status = 'COMPLETED', lease_until = null, finished_at = now(),
              acted = $2, waiting = $3, levels_read = $4
       where id = $1 returning ${COLUMNS}`,
      [bulkId, acted, levels.length - acted, read],
    );
    await pool().query("delete from reconcile_bulk_levels where bulk_id = $1", [bulkId]);
    return { applied: true, bulk: view(r.rows[0]!), levels };
  } catch (error) {
    const retryable = (error as { retryable?: boolean }).retryable === true;
    if (retryable) {
      // Back to RUNNING: the job's retry or the next poll applies it.
      await pool().query(`update reconcile_bulk_operations set state = 'RUNNING', lease_until = null, error = $2 where id = $1`, [
        bulkId,
        (error as Error).message,
      ]);
    } else {
      await fail(bulkId, null, (error as Error).message);
    }
    throw error;
  }
}

async function fail(bulkId: bigint, errorCode: string | null, message: string, shopifyStatus?: string): Promise<void> {
  await pool().query(
    `update reconcile_bulk_operations set state = 'FAILED', error_code = $2, error = $3, shopify_status = coalesce($4, shopify_status), lease_until = null, finished_at = now() where id = $1`,
    [bulkId, errorCode, message.slice(0, 1000), shopifyStatus ?? null],
  );
  await pool().query("delete from reconcile_bulk_levels where bulk_id = $1", [bulkId]);
}

interface LevelNow {
  variantId: bigint;
  inventoryItemId: bigint;
  locationId: bigint;
}

/**
 * Streams the JSONL and applies each level that may need an action. A level whose Shopify figure
 * equals the lots plus the app's unsent changes, and that has no open discrepancy, needs none
 * (decideReconciliation: "none"), so only the others take the level's lock. Levels the lots hold
 * that Shopify did not list are compared with 0, as the paging path does.
 */
async function applyBulkResult(shopId: number, bulkId: bigint, url: string | null): Promise<{ levels: LevelResult[]; read: number }> {
  const tracked = new Map<string, bigint>();
  for (const v of (
    await pool().query<{ id: bigint; inventory_item_id: bigint }>(
      `select id, inventory_item_id from variants where shop_id = $1 and lot_tracked and inventory_item_id is not null`,
      [shopId],
    )
  ).rows) {
    tracked.set(String(v.inventory_item_id), v.id);
  }
  const itemOf = new Map<bigint, bigint>([...tracked].map(([item, variant]) => [variant, BigInt(item)]));
  const lotsNow = new Map<string, number>();
  for (const b of (
    await pool().query<{ variant_id: bigint; location_id: bigint; total: number }>(
      `select variant_id, location_id, sum(quantity)::int as total from lot_balances where shop_id = $1 group by variant_id, location_id`,
      [shopId],
    )
  ).rows) {
    lotsNow.set(`${b.variant_id}:${b.location_id}`, b.total);
  }
  const unsent = new Map<string, number>();
  for (const u of (
    await pool().query<{ item: string; location: string; delta: number }>(
      `select l->>'inventoryItemId' as item, l->>'locationId' as location, sum((l->>'onHandDelta')::int)::int as delta
     from outbox_entries o cross join lateral jsonb_array_elements(o.payload->'levels') l
     where o.shop_id = $1 and o.status = 'PENDING' and o.kind = 'inventory.adjust' and o.attempts = 0 group by 1, 2`,
      [shopId],
    )
  ).rows) {
    const variant = tracked.get(u.item);
    if (variant !== undefined) unsent.set(`${variant}:${u.location}`, u.delta);
  }
  const open = new Set(
    (
      await pool().query<{ key: string }>(`select variant_id || ':' || location_id as key from discrepancies where shop_id = $1 and status = 'OPEN'`, [shopId])
    ).rows.map((d) => d.key),
  );
  const reads = new Map<string, { units: number } & LevelRead>();
  for (const s of (
    await pool().query<{ variant_id: bigint; location_id: bigint; units: number; moves: number; unsettled: number }>(
      `select variant_id, location_id, units, moves, unsettled from reconcile_bulk_levels where bulk_id = $1 and shop_id = $2`,
      [bulkId, shopId],
    )
  ).rows) {
    reads.set(`${s.variant_id}:${s.location_id}`, { units: s.units, moves: s.moves, unsettled: s.unsettled });
  }

  const results: LevelResult[] = [];
  const seen = new Set<string>();
  let read = 0;
  const consider = async (level: LevelNow, onHand: number) => {
    const key = `${level.variantId}:${level.locationId}`;
    const difference = onHand + (unsent.get(key) ?? 0) - (lotsNow.get(key) ?? 0);
    if (difference === 0 && !open.has(key)) return;
    const before = reads.get(key) ?? { units: 0, moves: 0, unsettled: 0 };
    const r = await applyLevel(shopId, { variantId: level.variantId, inventoryItemId: level.inventoryItemId }, level.locationId, onHand, before.units, before);
    if (r.decision.action !== "none") results.push(r);
  };
  if (url) {
    for await (const level of bulkOnHandLevels(url)) {
      read += 1;
      const variantId = tracked.get(String(level.inventoryItemId));
      if (variantId === undefined) continue; // not lot-tracked: nothing to compare
      const key = `${variantId}:${level.locationId}`;
      seen.add(key);
      await consider({ variantId, inventoryItemId: level.inventoryItemId, locationId: level.locationId }, level.onHand);
      if (read % 5000 === 0) await extendLease(bulkId, read);
    }
  }
  for (const key of new Set([...lotsNow.keys(), ...reads.keys()])) {
    if (seen.has(key)) continue;
    const [variantId, locationId] = key.split(":").map(BigInt) as [bigint, bigint];
    const inventoryItemId = itemOf.get(variantId);
    if (inventoryItemId === undefined) continue;
    await consider({ variantId, inventoryItemId, locationId }, 0);
  }
  return { levels: results, read };
}

async function extendLease(bulkId: bigint, read: number): Promise<void> {
  await pool().query(`update reconcile_bulk_operations set lease_until = now() + $2 * interval '1 millisecond', levels_read = $3 where id = $1`, [
    bulkId,
    LEASE_MS,
    read,
  ]);
}

/**
 * The sweep (repeatable, every minute): asks Shopify about operations whose finish webhook has not
 * come (webhooks can be lost) and applies the completed ones; gives up on rows Shopify never
 * confirmed; claims again results whose worker died. Returns what it did.
 */
export async function sweepBulkReconciliations(): Promise<{ polled: number; applied: number; failed: number; abandoned: number }> {
  const abandoned = await pool().query<{ id: bigint }>(
    `update reconcile_bulk_operations set state = 'FAILED', error = $2, finished_at = now()
     where (state = 'STARTING' and created_at < now() - $1 * interval '1 millisecond')
        or (state = 'RUNNING' and created_at < now() - $3 * interval '1 millisecond')
     returning id`,
    [STARTING_STALE_MS, "Shopify never confirmed the bulk query, or it ran past Shopify's 10-day limit; the next run starts a new one", RUNNING_GIVE_UP_MS],
  );
  if (abandoned.rows.length)
    await pool().query("delete from reconcile_bulk_levels where bulk_id = any($1::bigint[])", [abandoned.rows.map((r) => r.id.toString())]);
  const due = await pool().query<{ id: bigint; shop_id: number; operation_id: string; state: string }>(
    `select id, shop_id, operation_id, state::text as state from reconcile_bulk_operations
     where operation_id is not null
       and ((state = 'RUNNING' and coalesce(polled_at, created_at) < now() - $1 * interval '1 millisecond') or (state = 'APPLYING' and lease_until < now()))
     order by id limit 50`,
    [BULK_POLL_EVERY_MS],
  );
  let applied = 0;
  let failed = 0;
  for (const row of due.rows) {
    // One shop's trouble (uninstalled, Shopify down for it) does not hold up the others.
    try {
      const domain = await shopDomain(row.shop_id);
      const operation = await fetchBulkOperation(domain, row.operation_id);
      await pool().query("update reconcile_bulk_operations set polled_at = now(), shopify_status = coalesce($2, shopify_status) where id = $1", [
        row.id,
        operation?.status ?? null,
      ]);
      if (operation && (operation.status === "CREATED" || operation.status === "RUNNING" || operation.status === "CANCELING")) continue;
      const outcome = await finishBulkReconciliation(row.shop_id, row.id, operation ?? undefined);
      if (outcome.applied) applied += 1;
    } catch (error) {
      failed += 1;
      await pool().query("update reconcile_bulk_operations set polled_at = now(), error = $2 where id = $1", [row.id, (error as Error).message.slice(0, 1000)]);
    }
  }
  return { polled: due.rows.length, applied, failed, abandoned: abandoned.rows.length };
}

const finishPayload = z.object({
  admin_graphql_api_id: z.string().regex(/^gid:\/\/shopify\/BulkOperation\/\d+$/),
  status: z.string(),
  type: z.string().optional(),
  error_code: z.string().nullable().optional(),
});

/**
 * bulk_operations/finish: Shopify finished (completed, failed or cancelled) a bulk operation of
 * the app in this shop. Only an operation this shop started is acted on (looked up by shop AND
 * id); the result is applied by a job after commit (it downloads from Shopify).
 */
export const recordBulkOperationFinish: TopicHandler = async (ctx) => {
  const parsed = finishPayload.safeParse(ctx.payload);
  if (!parsed.success) throw new InvalidPayloadError(`bulk_operations/finish without admin_graphql_api_id/status: ${parsed.error.issues[0]?.message}`);
  if (parsed.data.type !== undefined && parsed.data.type.toLowerCase() !== "query") return; // a bulk mutation: not reconciliation's
  const row = await ctx.sql.query<{ id: bigint; state: string }>(
    `select id, state::text as state from reconcile_bulk_operations where shop_id = $1 and operation_id = $2`,
    [ctx.shopId, parsed.data.admin_graphql_api_id],
  );
  const found = row.rows[0];
  if (!found || found.state !== "RUNNING") return; // not this shop's, or applied/applying already
  const data = { shopId: ctx.shopId, bulkId: found.id.toString() };
  ctx.afterCommit(async () => {
    await getQueue(QUEUE_NAMES.maintenance).add(RECONCILE_BULK_FINISH_JOB, data, { jobId: jobIdFor("reconcile-bulk", ctx.webhookId) });
  });
};

// Allocation end to end: signed fulfillments/create deliveries posted over HTTP to the production
// server's POST /webhooks while two worker processes (WORKER_CONCURRENCY=4 each) allocate them,
// measured until every allocation is committed. In the same run, the floor: a bare SQL allocation
// transaction (lock the variant's balances at the location, pick FEFO, decrement, insert the
// allocation and its ledger row) from 8 concurrent Node clients.
//
// Phase 1 (throughput): N fulfilments of 4 line items each posted as fast as the intake takes
//   them (16 connections); line items/s = line items / (last allocation committed - first
//   delivery recorded).
// Phase 2 (latency): deliveries at half the phase-1 rate, open loop, for a fixed time; delay of
//   each = from sending the request to seeing its allocation committed (polled every 10 ms).
// Finally the invariants of allocation (app/domain/allocation/invariants.server.ts) are checked
// on the shop's final state.
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { BenchOptions, BenchReport } from "../run";
import { ensureProductionBuild } from "../lib/processes";
import { BENCH_SECRET, measureFloor, measurePipeline, startPipeline, appAndFloorShops } from "../lib/webhook-pipeline";
import { applyMigrations, ensureDatabase } from "../../app/lib/migrations.server";

const LOCATION = 71230000001n;
const VARIANTS = 20;
const LOTS_PER_VARIANT = 5;
const LINES_PER_FULFILMENT = 4;
/** Per worker process (the issue asks for at least 4); BENCH_WORKER_CONCURRENCY overrides it. */
const WORKER_CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 4);
const FLOOR_CLIENTS = 8;

/** The floor's transaction: one bare allocation of one line item (lock, FEFO pick, decrement, allocation + ledger row). */
function bareAllocation(shopId: number, variants: bigint[]) {
  return async (client: pg.PoolClient, n: number): Promise<void> => {
    const variant = variants[Math.floor(Math.random() * variants.length)]!;
    const quantity = 1 + Math.floor(Math.random() * 3);
    const locked = await client.query<{ lot_id: string; quantity: number; expires_on: string | null }>(
      `select b.lot_id, b.quantity, l.expires_on from lot_balances b join lots l on l.id = b.lot_id
       where b.shop_id = $1 and b.location_id = $2 and b.variant_id = $3 and b.quantity > 0 and l.status = 'ACTIVE'
       order by b.lot_id for update of b`,
      [shopId, String(LOCATION), String(variant)],
    );
    const lot = locked.rows.sort((x, y) => ((x.expires_on ?? "9999") < (y.expires_on ?? "9999") ? -1 : 1))[0]!;
    await client.query("update lot_balances set quantity = quantity - $3, updated_at = now() where lot_id = $1 and location_id = $2", [
      lot.lot_id,
      String(LOCATION),
      quantity,
    ]);
    const a = await client.query<{ id: string }>(
      `insert into allocations (shop_id, fulfillment_id, line_item_id, order_id, variant_id, customer_key, lot_id, unknown_lot, location_id, quantity, fulfilled_at, updated_at)
       values ($1, $2, $2, $2, $3, $7, $4, false, $5, $6, now(), now()) returning id`,
      [shopId, String(9_000_000_000 + n), String(variant), lot.lot_id, String(LOCATION), quantity, `order:${9_000_000_000 + n}`],
    );
    await client.query(
      `insert into ledger_entries (shop_id, lot_id, location_id, kind, delta, balance_after, cause, cause_ref) values ($1, $2, $3, 'ALLOCATED', $4, $5, 'WEBHOOK', $6)`,
      [shopId, lot.lot_id, String(LOCATION), -quantity, lot.quantity - quantity, `allocation/${a.rows[0]!.id}`],
    );
  };
}

function fulfilmentBody(n: number, variants: bigint[]): Buffer {
  const orderId = 6_000_000_000 + n;
  const lines = Array.from({ length: LINES_PER_FULFILMENT }, (_, i) => ({
    id: orderId * 10 + i,
    variant_id: Number(variants[Math.floor(Math.random() * variants.length)]),
    quantity: 1 + Math.floor(Math.random() * 3),
    sku: "SKU",
    fulfillment_status: "fulfilled",
  }));
  return Buffer.from(
    JSON.stringify({
      id: 5_000_000_000 + n,
      order_id: orderId,
      status: "success",
      location_id: Number(LOCATION),
      name: `#${n}.1`,
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
      tracking_number: "9400100000000000000001",
      line_items: lines,
    }),
  );
}

export default async function run(options: BenchOptions): Promise<BenchReport> {
  const { root, quick, log } = options;
  const database = `postgresql://postgres@127.0.0.1:5432/lotkeeper_bench_allocate`;
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const throughputFulfilments = quick ? 300 : 2500;
  const latencySeconds = quick ? 3 : 10;
  const floorMs = quick ? 2000 : 8000;
  await ensureDatabase(database);
  await applyMigrations(database);
  ensureProductionBuild(root, log);
  // The app code used in-process (invariants) reads the same configuration as the processes.
  Object.assign(process.env, {
    DATABASE_URL: database,
    SHOPIFY_API_KEY: process.env.SHOPIFY_API_KEY ?? "bench-key",
    SHOPIFY_API_SECRET: BENCH_SECRET,
    SHOPIFY_APP_URL: "http://127.0.0.1",
  });
  const db = new pg.Pool({ connectionString: database, max: FLOOR_CLIENTS + 2 });
  await db.query(
    `truncate shops, variants, lots, lot_balances, ledger_entries, allocations, allocation_returns, fulfillment_lines, fulfillments,
              orders, order_lines, refund_lines, webhook_events restart identity cascade`,
  );
  const appShop = `bench-allocate-${randomUUID().slice(0, 6)}.myshopify.com`;
  const { appShopId, floorShopId, appVariants, floorVariants } = await appAndFloorShops(db, appShop, {
    variants: VARIANTS,
    lotsPerVariant: LOTS_PER_VARIANT,
    locationId: LOCATION,
  });

  const pipeline = await startPipeline({ root, database, redisUrl, port: 39993, shop: appShop, workerConcurrency: WORKER_CONCURRENCY });
  try {
    // The floor first (workers idle), on its own shop's lots.
    log(`floor: bare SQL allocation, ${FLOOR_CLIENTS} clients, ${floorMs / 1000} s`);
    const f = await measureFloor(db, FLOOR_CLIENTS, floorMs, bareAllocation(floorShopId, floorVariants));
    log(`floor ${f.perSecond.toFixed(0)} line items/s`);

    const m = await measurePipeline(db, pipeline, {
      shop: appShop,
      topic: "fulfillments/create",
      body: (n) => fulfilmentBody(n, appVariants),
      count: throughputFulfilments,
      latencySeconds,
      log,
    });
    const lineItemsPerSecond = m.perSecond * LINES_PER_FULFILMENT;
    const { p50, p99 } = m;

    // Invariants on the final state.
    const { allocationInvariantViolations } = await import("../../app/domain/allocation/invariants.server");
    const violations = await allocationInvariantViolations(appShopId, db);
    const allocated = (
      await db.query<{ lines: number; units: number; unknown: number }>(
        `select count(distinct (fulfillment_id, line_item_id))::int as lines, coalesce(sum(quantity), 0)::int as units,
                coalesce(sum(quantity) filter (where unknown_lot), 0)::int as unknown
         from allocations where shop_id = $1 and status = 'ALLOCATED'`,
        [appShopId],
      )
    ).rows[0]!;
    const expectedLines = m.delivered * LINES_PER_FULFILMENT;
    const invariantText =
      violations.length === 0 && allocated.lines === expectedLines
        ? `all hold (${allocated.lines} line items, ${allocated.units} units allocated, ${allocated.unknown} on an unknown lot; every balance = its ledger = receipts - allocations, none negative)`
        : `VIOLATED: ${allocated.lines}/${expectedLines} line items allocated; ${violations.slice(0, 5).join("; ")}`;
    const ratio = lineItemsPerSecond / f.perSecond;
    const goal = `${lineItemsPerSecond >= 500 ? "throughput goal met" : "throughput goal NOT met"} (>= 500 line items/s; moonshot 1000), ${p99 < 1000 ? "latency goal met" : "latency goal NOT met"} (p99 < 1 s at half rate)`;
    return {
      name: "allocate",
      summary: `${lineItemsPerSecond.toFixed(0)} line items/s end to end (${(ratio * 100).toFixed(0)}% of the bare SQL floor ${f.perSecond.toFixed(0)}/s); p99 ${p99.toFixed(0)} ms at half rate; invariants ${violations.length === 0 ? "hold" : "VIOLATED"}; ${goal}`,
      markdown: [
        "### allocate: fulfilment webhooks over HTTP -> two worker processes -> allocations committed",
        "",
        `Production server (app/server/web-server.ts) and two \`workers/main.ts\` processes (WORKER_QUEUES=webhooks, WORKER_CONCURRENCY=${WORKER_CONCURRENCY} each) on one queue prefix and database; ${VARIANTS} variants x ${LOTS_PER_VARIANT} FEFO lots at one location; each fulfilment has ${LINES_PER_FULFILMENT} line items of random variants (1-3 units), so transactions contend on the same balances. Phase 1: ${throughputFulfilments} fulfilments posted at 16 connections, timed from the first delivery recorded to the last allocation committed. Phase 2: half the phase-1 rate for ${latencySeconds} s, open loop; delay = request sent -> allocation committed (visible to another connection, polled every 10 ms, so up to ~10 ms pessimistic). Floor: ${FLOOR_CLIENTS} Node clients running the bare SQL allocation transaction (lock the variant's balances FOR UPDATE, FEFO pick, decrement, insert allocation + ledger row), one line item per transaction, ${floorMs / 1000} s, run in the same process sequence on the same machine.`,
        "",
        "| measure | value |",
        "|---|---|",
        `| floor: bare SQL allocation transactions/s (line items) | ${f.perSecond.toFixed(0)} (p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms, ${f.count} transactions) |`,
        `| app: line items/s end to end (phase 1) | ${lineItemsPerSecond.toFixed(0)} (${m.perSecond.toFixed(0)} fulfilments/s, ${m.seconds.toFixed(1)} s) |`,
        `| app / floor | ${(ratio * 100).toFixed(0)}% |`,
        `| delay delivery sent -> allocation committed at ${(m.rate * LINES_PER_FULFILMENT).toFixed(0)} line items/s (phase 2) | p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms (${m.delays} fulfilments; polled every 10 ms) |`,
        `| of which recorded -> allocating transaction started (Postgres clocks) | p50 ${m.inDbP50.toFixed(0)} ms, p99 ${m.inDbP99.toFixed(0)} ms |`,
        `| HTTP answers other than 200 | ${m.otherStatuses} |`,
        `| invariants on the final state | ${invariantText} |`,
        "",
        `Goals: ${goal}.`,
      ],
    };
  } finally {
    await pipeline.close();
    await db.end();
    const { closeDb } = await import("../../app/db.server");
    await closeDb().catch(() => undefined);
  }
}

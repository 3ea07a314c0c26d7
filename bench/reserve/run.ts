// Reservation when an order is placed (issue #12 item 8): signed orders/create deliveries posted
// over HTTP to the production server's POST /webhooks while two worker processes
// (WORKER_CONCURRENCY=4 each) record each order and reserve its lot-tracked lines on their lots,
// measured until every reservation is committed (same transaction that marks the delivery
// processed). Phases as bench/lib/webhook-pipeline.ts says. In the same run, the floor: a bare SQL
// reservation transaction per order line (lock the variant's balances at the location FOR UPDATE,
// FEFO pick among lots with units not yet reserved, raise `reserved`, insert the reservation row)
// from 8 concurrent Node clients.
// Finally: no lot has more reserved than on hand, and every line's reservation equals its quantity.
import { randomUUID } from "node:crypto";
import pg from "pg";
import type { BenchOptions, BenchReport } from "../run";
import { ensureProductionBuild } from "../lib/processes";
import { measureFloor, measurePipeline, startPipeline, appAndFloorShops } from "../lib/webhook-pipeline";
import { applyMigrations, ensureDatabase } from "../../app/lib/migrations.server";

const LOCATION = 71230000001n;
const VARIANTS = 20;
const LOTS_PER_VARIANT = 5;
const LINES_PER_ORDER = 4;
const WORKER_CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 4);
const FLOOR_CLIENTS = 8;

/** The floor's transaction: one bare reservation of one order line. */
function bareReservation(shopId: number, variants: bigint[]) {
  return async (client: pg.PoolClient, n: number): Promise<void> => {
    const variant = variants[Math.floor(Math.random() * variants.length)]!;
    const quantity = 1 + Math.floor(Math.random() * 3);
    const locked = await client.query<{ lot_id: string; available: number; expires_on: string | null }>(
      `select b.lot_id, b.quantity - b.reserved as available, l.expires_on from lot_balances b join lots l on l.id = b.lot_id
       where b.shop_id = $1 and b.location_id = $2 and b.variant_id = $3 and b.quantity > 0 and l.status = 'ACTIVE'
       order by b.lot_id for update of b`,
      [shopId, String(LOCATION), String(variant)],
    );
    const lot = locked.rows.filter((r) => r.available >= quantity).sort((x, y) => ((x.expires_on ?? "9999") < (y.expires_on ?? "9999") ? -1 : 1))[0]!;
    await client.query("update lot_balances set reserved = reserved + $3, updated_at = now() where lot_id = $1 and location_id = $2", [
      lot.lot_id,
      String(LOCATION),
      quantity,
    ]);
    await client.query(
      `insert into lot_reservations (shop_id, order_id, line_item_id, variant_id, lot_id, location_id, quantity, source, created_at, updated_at)
       values ($1, $2, $2, $3, $4, $5, $6, 'PLAN', now(), now())`,
      [shopId, String(9_000_000_000 + n), String(variant), lot.lot_id, String(LOCATION), quantity],
    );
  };
}

function orderBody(n: number, variants: bigint[]): Buffer {
  const orderId = 6_000_000_000 + n;
  const now = new Date().toISOString();
  const lines = Array.from({ length: LINES_PER_ORDER }, (_, i) => ({
    id: orderId * 10 + i,
    variant_id: Number(variants[Math.floor(Math.random() * variants.length)]),
    product_id: 8_000_000_001,
    quantity: 1 + Math.floor(Math.random() * 3),
    current_quantity: undefined as number | undefined,
    sku: "SKU",
    title: "Bench item",
    properties: [],
    fulfillment_status: null,
  }));
  for (const l of lines) l.current_quantity = l.quantity;
  return Buffer.from(
    JSON.stringify({
      id: orderId,
      name: `#${n}`,
      email: `buyer${n}@example.com`,
      created_at: now,
      updated_at: now,
      cancelled_at: null,
      financial_status: "paid",
      fulfillment_status: null,
      customer: { id: 7_000_000_000 + n, email: `buyer${n}@example.com`, first_name: "Bench", last_name: `Buyer ${n}` },
      line_items: lines,
      fulfillments: [],
      refunds: [],
    }),
  );
}

export default async function run(options: BenchOptions): Promise<BenchReport> {
  const { root, quick, log } = options;
  const database = `postgresql://postgres@127.0.0.1:5432/lotkeeper_bench_reserve`;
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const throughputOrders = quick ? 300 : 2500;
  const latencySeconds = quick ? 3 : 10;
  const floorMs = quick ? 2000 : 8000;
  await ensureDatabase(database);
  await applyMigrations(database);
  ensureProductionBuild(root, log);
  const db = new pg.Pool({ connectionString: database, max: FLOOR_CLIENTS + 2 });
  await db.query(
    `truncate shops, locations, variants, lots, lot_balances, lot_reservations, ledger_entries, allocations, fulfillment_lines, fulfillments,
              orders, order_lines, refund_lines, webhook_events restart identity cascade`,
  );
  const appShop = `bench-reserve-${randomUUID().slice(0, 6)}.myshopify.com`;
  const { appShopId, floorShopId, appVariants, floorVariants } = await appAndFloorShops(db, appShop, {
    variants: VARIANTS,
    lotsPerVariant: LOTS_PER_VARIANT,
    locationId: LOCATION,
    locationRow: true,
  });

  const pipeline = await startPipeline({ root, database, redisUrl, port: 39994, shop: appShop, workerConcurrency: WORKER_CONCURRENCY });
  try {
    log(`floor: bare SQL reservation, ${FLOOR_CLIENTS} clients, ${floorMs / 1000} s`);
    const f = await measureFloor(db, FLOOR_CLIENTS, floorMs, bareReservation(floorShopId, floorVariants));
    log(`floor ${f.perSecond.toFixed(0)} order lines/s`);

    const m = await measurePipeline(db, pipeline, {
      shop: appShop,
      topic: "orders/create",
      body: (n) => orderBody(n, appVariants),
      count: throughputOrders,
      latencySeconds,
      log,
    });
    const linesPerSecond = m.perSecond * LINES_PER_ORDER;

    const check = (
      await db.query<{ lines: number; reserved_lines: number; over: number; units: number }>(
        `select (select count(*)::int from order_lines where shop_id = $1) as lines,
                (select count(*)::int from order_lines ol where ol.shop_id = $1
                   and ol.quantity = (select coalesce(sum(r.quantity), 0) from lot_reservations r where r.shop_id = $1 and r.line_item_id = ol.id)) as reserved_lines,
                (select count(*)::int from lot_balances where shop_id = $1 and reserved > quantity) as over,
                (select coalesce(sum(reserved), 0)::int from lot_balances where shop_id = $1) as units`,
        [appShopId],
      )
    ).rows[0]!;
    const expectedLines = m.delivered * LINES_PER_ORDER;
    const checkText =
      check.lines === expectedLines && check.reserved_lines === expectedLines && check.over === 0
        ? `all hold (${check.lines} order lines each reserved in full, ${check.units} units reserved, no lot reserved beyond its units)`
        : `VIOLATED: ${check.reserved_lines}/${expectedLines} order lines reserved in full (${check.lines} recorded), ${check.over} balances reserved beyond their units`;
    const ratio = linesPerSecond / f.perSecond;
    return {
      name: "reserve",
      summary: `${m.perSecond.toFixed(0)} orders/s (${linesPerSecond.toFixed(0)} order lines/s, ${(ratio * 100).toFixed(0)}% of the bare SQL floor ${f.perSecond.toFixed(0)}/s); p99 ${m.p99.toFixed(0)} ms at half rate (floor p99 ${f.p99.toFixed(0)} ms); checks ${checkText.startsWith("all") ? "hold" : "VIOLATED"}`,
      markdown: [
        "### reserve: orders/create over HTTP -> two worker processes -> order recorded and its lines reserved on lots",
        "",
        `Production server and two \`workers/main.ts\` processes (WORKER_QUEUES=webhooks, WORKER_CONCURRENCY=${WORKER_CONCURRENCY} each); the shop has one active location, ${VARIANTS} lot-tracked variants x ${LOTS_PER_VARIANT} FEFO lots; each order has ${LINES_PER_ORDER} lines of random variants (1-3 units), so transactions contend on the same balances. Phase 1: ${throughputOrders} orders posted at 16 connections, first delivery recorded -> last reservation committed. Phase 2: half the phase-1 rate for ${latencySeconds} s, open loop; delay = request sent -> reservation committed (polled every 10 ms). Floor: ${FLOOR_CLIENTS} Node clients running the bare SQL reservation transaction (lock the variant's balances FOR UPDATE, FEFO pick among lots with units free, raise reserved, insert the reservation row), one order line per transaction, ${floorMs / 1000} s, same run.`,
        "",
        "| measure | value |",
        "|---|---|",
        `| floor: bare SQL reservation transactions/s (order lines) | ${f.perSecond.toFixed(0)} (p50 ${f.p50.toFixed(1)} ms, p99 ${f.p99.toFixed(1)} ms, ${f.count} transactions) |`,
        `| app: orders/s end to end (phase 1) | ${m.perSecond.toFixed(0)} (${linesPerSecond.toFixed(0)} order lines/s, ${m.seconds.toFixed(1)} s) |`,
        `| app / floor (order lines) | ${(ratio * 100).toFixed(0)}% |`,
        `| delay order sent -> reservation committed at ${m.rate.toFixed(0)} orders/s (phase 2) | p50 ${m.p50.toFixed(0)} ms, p99 ${m.p99.toFixed(0)} ms (${m.delays} orders; polled every 10 ms) |`,
        `| of which recorded -> processed (Postgres clocks) | p50 ${m.inDbP50.toFixed(0)} ms, p99 ${m.inDbP99.toFixed(0)} ms |`,
        `| HTTP answers other than 200 | ${m.otherStatuses} |`,
        `| checks on the final state | ${checkText} |`,
      ],
    };
  } finally {
    await pipeline.close();
    await db.end();
  }
}

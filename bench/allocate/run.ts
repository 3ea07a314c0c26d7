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
import { createHmac, randomUUID } from "node:crypto";
import http from "node:http";
import path from "node:path";
import pg from "pg";
import type { BenchOptions, BenchReport } from "../run";
import { ensureProductionBuild, obliterateQueue, start, stop, waitUntilUp } from "../lib/processes";
import { percentile } from "../lib/stats";
import { applyMigrations, ensureDatabase } from "../../app/lib/migrations.server";

const SECRET = "bench-secret";
const LOCATION = 71230000001n;
const VARIANTS = 20;
const LOTS_PER_VARIANT = 5;
const LINES_PER_FULFILMENT = 4;
/** Per worker process (the issue asks for at least 4); BENCH_WORKER_CONCURRENCY overrides it. */
const WORKER_CONCURRENCY = Number(process.env.BENCH_WORKER_CONCURRENCY ?? 4);
const FLOOR_CLIENTS = 8;

/** Variants with FEFO lots (different expiries), plenty of stock: receipts written with their ledger rows. */
async function stock(db: pg.Pool, shopId: number, variantBase: bigint): Promise<bigint[]> {
  const variants = Array.from({ length: VARIANTS }, (_, i) => variantBase + BigInt(i));
  await db.query(
    `insert into variants (shop_id, id, sku, title, lot_tracked, updated_at) select $1, v, 'SKU-' || v, 'Bench', true, now() from unnest($2::bigint[]) v`,
    [shopId, variants.map(String)],
  );
  await db.query(
    `with l as (
       insert into lots (shop_id, variant_id, lot_number, expires_on, received_at, updated_at)
       select $1, v, 'L' || n, date '2028-01-01' + n * 30, now() - interval '1 day' * n, now()
       from unnest($2::bigint[]) v, generate_series(1, $3) n
       returning id, variant_id
     ), b as (
       insert into lot_balances (lot_id, location_id, shop_id, variant_id, quantity, updated_at)
       select id, $4, $1, variant_id, 1000000, now() from l returning lot_id
     )
     insert into ledger_entries (shop_id, lot_id, location_id, kind, delta, balance_after, cause, cause_ref)
     select $1, lot_id, $4, 'RECEIVED', 1000000, 1000000, 'USER', 'bench' from b`,
    [shopId, variants.map(String), LOTS_PER_VARIANT, String(LOCATION)],
  );
  return variants;
}

/** The floor: one bare allocation transaction per line item, from `clients` connections, for `ms`. */
async function floor(db: pg.Pool, shopId: number, variants: bigint[], ms: number): Promise<{ perSecond: number; p50: number; p99: number; count: number }> {
  const latencies: number[] = [];
  const deadline = Date.now() + ms;
  let next = 1;
  const worker = async () => {
    const client = await db.connect();
    try {
      while (Date.now() < deadline) {
        const variant = variants[Math.floor(Math.random() * variants.length)]!;
        const quantity = 1 + Math.floor(Math.random() * 3);
        const t0 = performance.now();
        for (;;) {
          try {
            await client.query("begin");
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
            const id = next++;
            const a = await client.query<{ id: string }>(
              `insert into allocations (shop_id, fulfillment_id, line_item_id, order_id, variant_id, customer_key, lot_id, unknown_lot, location_id, quantity, fulfilled_at, updated_at)
               values ($1, $2, $2, $2, $3, $7, $4, false, $5, $6, now(), now()) returning id`,
              [shopId, String(9_000_000_000 + id), String(variant), lot.lot_id, String(LOCATION), quantity, `order:${9_000_000_000 + id}`],
            );
            await client.query(
              `insert into ledger_entries (shop_id, lot_id, location_id, kind, delta, balance_after, cause, cause_ref) values ($1, $2, $3, 'ALLOCATED', $4, $5, 'WEBHOOK', $6)`,
              [shopId, lot.lot_id, String(LOCATION), -quantity, lot.quantity - quantity, `allocation/${a.rows[0]!.id}`],
            );
            await client.query("commit");
            break;
          } catch (error) {
            await client.query("rollback").catch(() => undefined);
            if (!["40001", "40P01"].includes((error as { code?: string }).code ?? "")) throw error;
          }
        }
        latencies.push(performance.now() - t0);
      }
    } finally {
      client.release();
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: FLOOR_CLIENTS }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((x, y) => x - y);
  return { perSecond: latencies.length / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), count: latencies.length };
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

function post(agent: http.Agent, port: number, shop: string, body: Buffer, webhookId: string = randomUUID()): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path: "/webhooks",
        method: "POST",
        agent,
        headers: {
          "Content-Type": "application/json",
          "Content-Length": String(body.length),
          "X-Shopify-Topic": "fulfillments/create",
          "X-Shopify-Hmac-Sha256": createHmac("sha256", SECRET).update(body).digest("base64"),
          "X-Shopify-Shop-Domain": shop,
          "X-Shopify-API-Version": "2026-10",
          "X-Shopify-Webhook-Id": webhookId,
          "X-Shopify-Triggered-At": new Date().toISOString(),
          "X-Shopify-Event-Id": randomUUID(),
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", () => resolve(0));
    req.end(body);
  });
}

async function waitProcessed(db: pg.Pool, shop: string, expected: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const r = await db.query<{ done: number; failed: number }>(
      "select count(*) filter (where status = 'PROCESSED')::int as done, count(*) filter (where status = 'FAILED')::int as failed from webhook_events where shop_domain = $1",
      [shop],
    );
    if (r.rows[0]!.failed > 0) throw new Error(`${r.rows[0]!.failed} deliveries failed`);
    if (r.rows[0]!.done >= expected) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`not every delivery was processed within ${timeoutMs / 1000} s`);
}

export default async function run(options: BenchOptions): Promise<BenchReport> {
  const { root, quick, log } = options;
  const database = `postgresql://postgres@127.0.0.1:5432/lotkeeper_bench_allocate`;
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const prefix = `{lk-bench-${randomUUID().slice(0, 8)}}`;
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
    SHOPIFY_API_SECRET: SECRET,
    SHOPIFY_APP_URL: "http://127.0.0.1",
  });
  const db = new pg.Pool({ connectionString: database, max: FLOOR_CLIENTS + 2 });
  await db.query(
    `truncate shops, variants, lots, lot_balances, ledger_entries, allocations, allocation_returns, fulfillment_lines, fulfillments,
              orders, order_lines, refund_lines, webhook_events restart identity cascade`,
  );
  const appShop = `bench-allocate-${randomUUID().slice(0, 6)}.myshopify.com`;
  const appShopId = (await db.query<{ id: number }>("insert into shops (domain, updated_at) values ($1, now()) returning id", [appShop])).rows[0]!.id;
  const floorShopId = (await db.query<{ id: number }>("insert into shops (domain, updated_at) values ($1, now()) returning id", [`floor-${appShop}`])).rows[0]!
    .id;
  const appVariants = await stock(db, appShopId, 46_120_000_000n);
  const floorVariants = await stock(db, floorShopId, 46_120_000_000n);

  const port = 39993;
  const common = {
    DATABASE_URL: database,
    REDIS_URL: redisUrl,
    SHOPIFY_API_SECRET: SECRET,
    SHOPIFY_API_KEY: "bench-key",
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: "warn",
    NODE_ENV: "production",
  };
  const tsx = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");
  const web = start(process.execPath, [tsx, path.join(root, "app", "server", "web-server.ts")], root, {
    ...common,
    PORT: String(port),
    SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
  });
  const workers = [0, 1].map(() =>
    start(process.execPath, [tsx, path.join(root, "workers", "main.ts")], root, {
      ...common,
      SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
      WORKER_QUEUES: "webhooks",
      WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
    }),
  );
  const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
  try {
    await waitUntilUp(port);
    await new Promise((r) => setTimeout(r, 2000)); // workers connected

    // The floor first (workers idle), on its own shop's lots.
    log(`floor: bare SQL allocation, ${FLOOR_CLIENTS} clients, ${floorMs / 1000} s`);
    const f = await floor(db, floorShopId, floorVariants, floorMs);
    log(`floor ${f.perSecond.toFixed(0)} line items/s`);

    // Phase 1: throughput.
    log(`phase 1: ${throughputFulfilments} fulfilments x ${LINES_PER_FULFILMENT} line items, as fast as the intake takes them`);
    let n = 0;
    const statuses: Record<number, number> = {};
    const sender = async (count: () => boolean) => {
      while (count()) {
        const s = await post(agent, port, appShop, fulfilmentBody(++n, appVariants));
        statuses[s] = (statuses[s] ?? 0) + 1;
      }
    };
    let sent = 0;
    await Promise.all(Array.from({ length: 16 }, () => sender(() => sent++ < throughputFulfilments)));
    await waitProcessed(db, appShop, throughputFulfilments, 600_000);
    const t = (
      await db.query<{ seconds: number }>(
        "select extract(epoch from max(processed_at) - min(received_at))::float8 as seconds from webhook_events where shop_domain = $1",
        [appShop],
      )
    ).rows[0]!.seconds;
    const lineItemsPerSecond = (throughputFulfilments * LINES_PER_FULFILMENT) / t;
    log(`phase 1: ${lineItemsPerSecond.toFixed(0)} line items/s end to end`);
    const phase1Max = (await db.query<{ id: string }>("select max(id)::text as id from webhook_events where shop_domain = $1", [appShop])).rows[0]!.id;

    // Phase 2: latency at half that rate, open loop.
    const rate = lineItemsPerSecond / LINES_PER_FULFILMENT / 2;
    const total = Math.max(1, Math.round(rate * latencySeconds));
    log(`phase 2: ${total} fulfilments at ${rate.toFixed(0)}/s (${(rate * LINES_PER_FULFILMENT).toFixed(0)} line items/s) for ${latencySeconds} s`);
    // Each delivery's delay: from the moment the request is sent to the moment its allocation is
    // visible to another connection (committed), seen by polling every 10 ms (so at most ~10 ms
    // late). Also the in-database part: allocating transaction start - delivery recorded.
    const pending: Promise<number>[] = [];
    const sentAt = new Map<string, number>();
    const delays: number[] = [];
    let sending = true;
    const poller = (async () => {
      while (sending || sentAt.size > 0) {
        await new Promise((r) => setTimeout(r, 10));
        if (sentAt.size === 0) continue;
        const seen = await db.query<{ webhook_id: string }>("select webhook_id from webhook_events where webhook_id = any($1) and status = 'PROCESSED'", [
          [...sentAt.keys()],
        ]);
        const now = performance.now();
        for (const r of seen.rows) {
          delays.push(now - sentAt.get(r.webhook_id)!);
          sentAt.delete(r.webhook_id);
        }
      }
    })();
    const t0 = performance.now();
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const webhookId = randomUUID();
      sentAt.set(webhookId, performance.now());
      pending.push(post(agent, port, appShop, fulfilmentBody(++n, appVariants), webhookId));
    }
    for (const s of await Promise.all(pending)) statuses[s] = (statuses[s] ?? 0) + 1;
    await waitProcessed(db, appShop, throughputFulfilments + total, 300_000);
    sending = false;
    await poller;
    delays.sort((x, y) => x - y);
    const inDb = (
      await db.query<{ ms: number }>(
        "select extract(epoch from processed_at - received_at)::float8 * 1000 as ms from webhook_events where shop_domain = $1 and id > $2 order by 1",
        [appShop, phase1Max],
      )
    ).rows.map((r) => r.ms);
    const p50 = percentile(delays, 0.5);
    const p99 = percentile(delays, 0.99);
    log(`phase 2: p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms`);

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
    const expectedLines = (throughputFulfilments + total) * LINES_PER_FULFILMENT;
    const invariantText =
      violations.length === 0 && allocated.lines === expectedLines
        ? `all hold (${allocated.lines} line items, ${allocated.units} units allocated, ${allocated.unknown} on an unknown lot; every balance = its ledger = receipts - allocations, none negative)`
        : `VIOLATED: ${allocated.lines}/${expectedLines} line items allocated; ${violations.slice(0, 5).join("; ")}`;
    const ratio = lineItemsPerSecond / f.perSecond;
    const goal = `${lineItemsPerSecond >= 500 ? "throughput goal met" : "throughput goal NOT met"} (>= 500 line items/s; moonshot 1000), ${p99 < 1000 ? "latency goal met" : "latency goal NOT met"} (p99 < 1 s at half rate)`;
    const other = Object.entries(statuses).filter(([s]) => s !== "200");
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
        `| app: line items/s end to end (phase 1) | ${lineItemsPerSecond.toFixed(0)} (${(lineItemsPerSecond / LINES_PER_FULFILMENT).toFixed(0)} fulfilments/s, ${t.toFixed(1)} s) |`,
        `| app / floor | ${(ratio * 100).toFixed(0)}% |`,
        `| delay delivery sent -> allocation committed at ${(rate * LINES_PER_FULFILMENT).toFixed(0)} line items/s (phase 2) | p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms (${delays.length} fulfilments; polled every 10 ms) |`,
        `| of which recorded -> allocating transaction started (Postgres clocks) | p50 ${percentile(inDb, 0.5).toFixed(0)} ms, p99 ${percentile(inDb, 0.99).toFixed(0)} ms |`,
        `| HTTP answers other than 200 | ${other.length ? other.map(([s, c]) => `${s}: ${c}`).join(", ") : "none"} |`,
        `| invariants on the final state | ${invariantText} |`,
        "",
        `Goals: ${goal}.`,
      ],
    };
  } finally {
    agent.destroy();
    await Promise.all([stop(web), ...workers.map(stop)]);
    await obliterateQueue(redisUrl, "webhooks", prefix);
    await db.end();
    const { closeDb } = await import("../../app/db.server");
    await closeDb().catch(() => undefined);
  }
}

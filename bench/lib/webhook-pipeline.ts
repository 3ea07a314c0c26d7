// What the benchmarks of the webhook pipeline share (bench/allocate, bench/reserve): the production
// server and two worker processes on one queue prefix and database, signed deliveries posted over
// HTTP, and the two phases every such benchmark reports:
//   Phase 1 (throughput): `count` deliveries posted as fast as the intake takes them (16
//     connections), timed from the first delivery recorded to the last one processed (its effect
//     committed in the same transaction that marks the inbox row processed).
//   Phase 2 (latency): deliveries at half the phase-1 rate, open loop, for a fixed time; delay of
//     each = from sending the request to seeing it processed (polled every 10 ms, so up to ~10 ms
//     pessimistic), plus the in-database part (recorded -> processed, Postgres clocks).
import { createHmac, randomUUID } from "node:crypto";
import http from "node:http";
import path from "node:path";
import type pg from "pg";
import { obliterateQueue, start, stop, waitUntilUp } from "./processes";
import { percentile } from "./stats";

export const BENCH_SECRET = "bench-secret";
const CONNECTIONS = 16;

export interface Pipeline {
  post(topic: string, body: Buffer, webhookId?: string): Promise<number>;
  close(): Promise<void>;
}

/** Starts the web server and two `workers/main.ts` processes (WORKER_QUEUES=webhooks) and waits until they are up. */
export async function startPipeline(options: {
  root: string;
  database: string;
  redisUrl: string;
  port: number;
  shop: string;
  workerConcurrency: number;
}): Promise<Pipeline> {
  const { root, database, redisUrl, port, shop, workerConcurrency } = options;
  const prefix = `{lk-bench-${randomUUID().slice(0, 8)}}`;
  const common = {
    DATABASE_URL: database,
    REDIS_URL: redisUrl,
    SHOPIFY_API_SECRET: BENCH_SECRET,
    SHOPIFY_API_KEY: "bench-key",
    SHOPIFY_APP_URL: `http://127.0.0.1:${port}`,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: "warn",
    NODE_ENV: "production",
  };
  const tsx = path.join(root, "node_modules", "tsx", "dist", "cli.mjs");
  const web = start(process.execPath, [tsx, path.join(root, "app", "server", "web-server.ts")], root, { ...common, PORT: String(port) });
  const workers = [0, 1].map(() =>
    start(process.execPath, [tsx, path.join(root, "workers", "main.ts")], root, {
      ...common,
      WORKER_QUEUES: "webhooks",
      WORKER_CONCURRENCY: String(workerConcurrency),
    }),
  );
  const agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  const close = async () => {
    agent.destroy();
    await Promise.all([stop(web), ...workers.map(stop)]);
    await obliterateQueue(redisUrl, "webhooks", prefix);
  };
  try {
    await waitUntilUp(port);
    await new Promise((r) => setTimeout(r, 2000)); // workers connected
  } catch (error) {
    await close();
    throw error;
  }
  return { post: (topic, body, webhookId) => signedPost(agent, port, shop, topic, body, webhookId), close };
}

/** One delivery as Shopify sends it (HMAC of the raw body); resolves to the HTTP status (0 on a socket error). */
function signedPost(agent: http.Agent, port: number, shop: string, topic: string, body: Buffer, webhookId: string = randomUUID()): Promise<number> {
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
          "X-Shopify-Topic": topic,
          "X-Shopify-Hmac-Sha256": createHmac("sha256", BENCH_SECRET).update(body).digest("base64"),
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

export interface PipelineMeasurement {
  /** Phase 1: deliveries per second, first recorded -> last processed. */
  perSecond: number;
  seconds: number;
  /** Phase 2: deliveries per second offered (half of phase 1). */
  rate: number;
  /** Phase 2 deliveries measured. */
  delays: number;
  p50: number;
  p99: number;
  inDbP50: number;
  inDbP99: number;
  /** Phase 1 + 2 deliveries. */
  delivered: number;
  /** HTTP answers other than 200, "none" when there were none. */
  otherStatuses: string;
}

/** Runs phase 1 then phase 2 against a started pipeline; `body(n)` builds the n-th delivery. */
export async function measurePipeline(
  db: pg.Pool,
  pipeline: Pipeline,
  options: { shop: string; topic: string; body: (n: number) => Buffer; count: number; latencySeconds: number; log(message: string): void },
): Promise<PipelineMeasurement> {
  const { shop, topic, body, count, latencySeconds, log } = options;
  let n = 0;
  const statuses: Record<number, number> = {};
  let sent = 0;
  const sender = async () => {
    while (sent++ < count) {
      const s = await pipeline.post(topic, body(++n));
      statuses[s] = (statuses[s] ?? 0) + 1;
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, sender));
  await waitProcessed(db, shop, count, 600_000);
  const seconds = (
    await db.query<{ seconds: number }>(
      "select extract(epoch from max(processed_at) - min(received_at))::float8 as seconds from webhook_events where shop_domain = $1",
      [shop],
    )
  ).rows[0]!.seconds;
  const perSecond = count / seconds;
  log(`phase 1: ${count} deliveries in ${seconds.toFixed(1)} s (${perSecond.toFixed(0)}/s)`);
  const phase1Max = (await db.query<{ id: string }>("select max(id)::text as id from webhook_events where shop_domain = $1", [shop])).rows[0]!.id;

  const rate = perSecond / 2;
  const total = Math.max(1, Math.round(rate * latencySeconds));
  log(`phase 2: ${total} deliveries at ${rate.toFixed(0)}/s for ${latencySeconds} s`);
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
    const wait = t0 + (i * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const webhookId = randomUUID();
    sentAt.set(webhookId, performance.now());
    pending.push(pipeline.post(topic, body(++n), webhookId));
  }
  for (const s of await Promise.all(pending)) statuses[s] = (statuses[s] ?? 0) + 1;
  await waitProcessed(db, shop, count + total, 300_000);
  sending = false;
  await poller;
  delays.sort((x, y) => x - y);
  const inDb = (
    await db.query<{ ms: number }>(
      "select extract(epoch from processed_at - received_at)::float8 * 1000 as ms from webhook_events where shop_domain = $1 and id > $2 order by 1",
      [shop, phase1Max],
    )
  ).rows.map((r) => r.ms);
  const p50 = percentile(delays, 0.5);
  const p99 = percentile(delays, 0.99);
  log(`phase 2: p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms`);
  const other = Object.entries(statuses).filter(([s]) => s !== "200");
  return {
    perSecond,
    seconds,
    rate,
    delays: delays.length,
    p50,
    p99,
    inDbP50: percentile(inDb, 0.5),
    inDbP99: percentile(inDb, 0.99),
    delivered: count + total,
    otherStatuses: other.length ? other.map(([s, c]) => `${s}: ${c}`).join(", ") : "none",
  };
}

/** Runs `transaction` on `clients` connections for `ms`, retrying serialization failures and deadlocks; per-transaction latencies. */
export async function measureFloor(
  db: pg.Pool,
  clients: number,
  ms: number,
  transaction: (client: pg.PoolClient, n: number) => Promise<void>,
): Promise<{ perSecond: number; p50: number; p99: number; count: number }> {
  const latencies: number[] = [];
  const deadline = Date.now() + ms;
  let next = 1;
  const worker = async () => {
    const client = await db.connect();
    try {
      while (Date.now() < deadline) {
        const n = next++;
        const t0 = performance.now();
        for (;;) {
          try {
            await client.query("begin");
            await transaction(client, n);
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
  await Promise.all(Array.from({ length: clients }, worker));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((x, y) => x - y);
  return { perSecond: latencies.length / seconds, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), count: latencies.length };
}

/**
 * Variants with FEFO lots (different expiries) at one location and plenty of stock, receipts
 * written with their ledger rows; `locationRow` also records the location as the shop's only
 * active one (so orders/create reserves there).
 */
export async function stockFefoLots(
  db: pg.Pool,
  shopId: number,
  options: { variantBase: bigint; variants: number; lotsPerVariant: number; locationId: bigint; locationRow?: boolean },
): Promise<bigint[]> {
  const variants = Array.from({ length: options.variants }, (_, i) => options.variantBase + BigInt(i));
  if (options.locationRow) {
    await db.query("insert into locations (shop_id, id, name, active) values ($1, $2, 'Bench warehouse', true)", [shopId, String(options.locationId)]);
  }
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
    [shopId, variants.map(String), options.lotsPerVariant, String(options.locationId)],
  );
  return variants;
}

/**
 * The app's shop (its deliveries go through the pipeline) and the floor's shop (bare SQL), each
 * stocked alike by stockFefoLots, so the two measure the same contention.
 */
export async function appAndFloorShops(
  db: pg.Pool,
  appShop: string,
  stock: Omit<Parameters<typeof stockFefoLots>[2], "variantBase">,
): Promise<{ appShopId: number; floorShopId: number; appVariants: bigint[]; floorVariants: bigint[] }> {
  const shop = async (domain: string) =>
    (await db.query<{ id: number }>("insert into shops (domain, updated_at) values ($1, now()) returning id", [domain])).rows[0]!.id;
  const appShopId = await shop(appShop);
  const floorShopId = await shop(`floor-${appShop}`);
  const options = { ...stock, variantBase: 46_120_000_000n };
  return { appShopId, floorShopId, appVariants: await stockFefoLots(db, appShopId, options), floorVariants: await stockFefoLots(db, floorShopId, options) };
}

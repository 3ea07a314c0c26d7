// Workers against outages (decision 084): Postgres stopped in the middle of a job's transaction
// and in the middle of an export, Redis flushed and restarted empty. This file runs its own
// Postgres cluster and Redis server on other ports (test/helpers/private-services.ts) and one
// real worker process (`node --import tsx workers/main.ts`) for all its tests: the same process
// must live through every fault, and every job must take effect exactly once.
import pg from "pg";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { deliver, eventually, inboxRow } from "../helpers/webhook-pipeline";
import { fixture } from "../helpers/webhooks";
import { startWorkerProcess, type WorkerProcess } from "../helpers/worker-process";
import { startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from "../helpers/private-services";
import { createTestShop, uniqueQueuePrefix } from "../helpers/shops";
import { createAllocation, createLocation, createLot, createVariant, newId } from "../helpers/factories";
import { closeDb, pool } from "../../app/db.server";
import { resetEnvForTests } from "../../app/env.server";
import { closeQueues, getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { withTransaction } from "../../app/lib/sql.server";
import { recallEpcisStream } from "../../app/domain/exports/recall-exports.server";
import { repeatableJobs } from "../../workers/registry";

let postgres: PrivatePostgres;
let redis: PrivateRedis;
let worker: WorkerProcess;
const prefix = uniqueQueuePrefix();

beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
  // This process (deliveries, checks) and the worker use the private services only.
  Object.assign(process.env, { DATABASE_URL: postgres.url, REDIS_URL: redis.url, QUEUE_PREFIX: prefix, WORKER_LOCK_MS: "1000" });
  resetEnvForTests();
  worker = startWorkerProcess({
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: prefix,
    WORKER_LOCK_MS: "1000",
    WORKER_SCHEDULE_CHECK_MS: "500",
    WORKER_QUEUES: "webhooks,maintenance",
    WORKER_CONCURRENCY: "2",
    LOG_LEVEL: "info",
    NODE_ENV: "test",
  });
  await eventually(async () => worker.output().includes('"msg":"worker started"'), "the worker to start", 60_000).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; the worker said:\n${worker.output()}`);
  });
}, 180_000);

afterAll(async () => {
  if (worker && worker.exitCode === null) worker.kill("SIGKILL");
  await closeQueues();
  await closeDb().catch(() => undefined);
  await Promise.all([postgres?.destroy(), redis?.destroy()]);
}, 60_000);

/** The worker process has not exited since the file started (it is the same process throughout). */
function expectWorkerAlive() {
  expect({ exitCode: worker.exitCode, signal: worker.signalCode }, worker.output()).toEqual({ exitCode: null, signal: null });
}

/** Waits for `check` while Postgres may still be coming back: a failed query counts as "not yet". */
function eventuallyDb(check: () => Promise<boolean>, what: string, timeoutMs = 60_000) {
  return eventually(() => check().catch(() => false), what, timeoutMs).catch((error: unknown) => {
    throw new Error(`${(error as Error).message}; the worker said:\n${worker.output()}`);
  });
}

async function orderCount(shopId: number, orderId: string) {
  const r = await pool().query<{ orders: number; lines: number }>(
    "select (select count(*)::int from orders where shop_id = $1 and id = $2) as orders, (select count(*)::int from order_lines where shop_id = $1 and order_id = $2) as lines",
    [shopId, orderId],
  );
  return r.rows[0]!;
}

const newOrder = () => ({ ...fixture<Record<string, unknown> & { line_items: Array<{ id: number }> }>("orders-create"), id: String(newId()) });

describe("Postgres stops while a worker's job is inside its transaction", () => {
  for (const [round, mode] of [
    [1, "fast"],
    [2, "immediate"],
    [3, "fast"],
  ] as const) {
    it(`round ${round} (pg_ctl stop -m ${mode}): the worker stays up, retries the job once Postgres is back, and the order is written once`, async () => {
      const shop = await createTestShop(`pg-down-${round}`);
      const variantId = await createVariant(shop.id);
      const locationId = await createLocation(shop.id);
      const lotId = await createLot(shop.id, { variantId, lotNumber: "L-1", quantity: 5, locationId });
      const order = newOrder();
      await createAllocation(shop.id, { orderId: BigInt(order.id), lineItemId: BigInt(order.line_items[0]!.id), variantId, lotId, locationId, quantity: 1 });
      // The test holds the allocation's row lock: the worker's transaction stops half-way (order and lines written, uncommitted).
      const locker = new pg.Client({ connectionString: postgres.url });
      locker.on("error", () => undefined); // it dies with the cluster
      await locker.connect();
      const lockerPid = (await locker.query<{ pid: number }>("select pg_backend_pid() as pid")).rows[0]!.pid;
      await locker.query("begin");
      await locker.query("select id from allocations where shop_id = $1 and order_id = $2 for update", [shop.id, order.id]);

      const { webhookId } = await deliver({ topic: "orders/create", shop: shop.domain, body: order });
      await eventuallyDb(
        async () => ((await pool().query("select 1 from pg_stat_activity where $1 = any(pg_blocking_pids(pid))", [lockerPid])).rowCount ?? 0) > 0,
        "the worker to be inside its transaction",
      );
      await postgres.stop(mode);
      try {
        await locker.end().catch(() => undefined);
        await new Promise((r) => setTimeout(r, 500)); // the worker's job fails while Postgres is down
        expectWorkerAlive();
      } finally {
        await postgres.start();
      }

      await eventuallyDb(async () => (await inboxRow(webhookId))?.status === "PROCESSED", "the job to be retried and processed");
      expect(await orderCount(shop.id, order.id)).toEqual({ orders: 1, lines: 2 });
      const allocations = await pool().query("select customer_id, quantity from allocations where shop_id = $1 and order_id = $2", [shop.id, order.id]);
      expect(allocations.rows).toEqual([{ customer_id: 7301188550001n, quantity: 1 }]);
      expect((await inboxRow(webhookId))?.attempts).toBeGreaterThanOrEqual(1);
      expectWorkerAlive();
    }, 120_000);
  }
});

describe("Postgres stops while an export streams", () => {
  for (const round of [1, 2, 3]) {
    it(`round ${round}: the download fails with the connection's error, this process lives on, and the next export is complete`, async () => {
      const shop = await createTestShop(`export-down-${round}`);
      const variantId = await createVariant(shop.id);
      const locationId = await createLocation(shop.id);
      const lotId = await createLot(shop.id, { variantId, lotNumber: "EXP-1", quantity: 1, locationId });
      // 5,000 receipts: five cursor fetches, far more than the stream buffers before it is read.
      await pool().query(
        `insert into ledger_entries (shop_id, lot_id, location_id, kind, delta, cause, cause_ref)
         select $1, $2, $3, 'RECEIVED'::"LedgerKind", 1, 'USER'::"LedgerCause", 'bulk' from generate_series(1, 4999)`,
        [shop.id, lotId, locationId],
      );
      // An 'error' nobody listens for would end a web or CLI process: here it would reach this list.
      const uncaught: unknown[] = [];
      const onUncaught = (error: unknown) => void uncaught.push(error);
      process.on("uncaughtException", onUncaught);
      const stream = await recallEpcisStream(shop.id, [{ lotId }]);
      const chunks = stream[Symbol.asyncIterator]();
      expect((await chunks.next()).done).toBe(false); // the export has begun: its transaction and cursor are open
      await postgres.stop("fast");
      try {
        const rest = (async () => {
          for (;;) if ((await chunks.next()).done) return "ended";
        })();
        // The server going away reaches the stream as its FATAL "terminating connection" or, when the
        // socket closes first, as ECONNRESET: both are the connection's error.
        await expect(rest).rejects.toThrow(/terminat|connection|ECONNRESET/i);
      } finally {
        process.off("uncaughtException", onUncaught);
        await postgres.start();
      }
      expect(uncaught).toEqual([]);
      expectWorkerAlive();

      // The broken client was discarded: every pooled connection works, and a new export is whole.
      await eventuallyDb(
        async () => (await Promise.all(Array.from({ length: 12 }, () => withTransaction((sql) => sql.query("select 1"))))).length === 12,
        "the pool to work",
      );
      let text = "";
      for await (const chunk of await recallEpcisStream(shop.id, [{ lotId }])) text += String(chunk);
      const document = JSON.parse(text) as { epcisBody: { eventList: { type: string }[] } };
      expect(document.epcisBody.eventList.filter((e) => e.type === "ObjectEvent")).toHaveLength(5000);
    }, 120_000);
  }
});

/** A delivery recorded while Redis could not take its job (so only a sweep can find it), received a minute ago. */
async function pendingDeliveryWithoutJob(label: string) {
  const shop = await createTestShop(label);
  const order = newOrder();
  process.env.REDIS_URL = "redis://127.0.0.1:1"; // nothing listens there
  resetEnvForTests();
  await closeQueues();
  try {
    const { status, webhookId } = await deliver({ topic: "orders/create", shop: shop.domain, body: order });
    expect(status).toBe(200);
    return { shop, order, webhookId };
  } finally {
    process.env.REDIS_URL = redis.url;
    resetEnvForTests();
    await closeQueues();
  }
}

async function schedulerIds(): Promise<string[]> {
  const schedulers = await getQueue(QUEUE_NAMES.maintenance).getJobSchedulers(0, -1);
  return schedulers.map((s) => s.key).sort();
}

const expectedSchedulers = repeatableJobs.map((j) => j.name).sort();

describe("Redis comes back empty", () => {
  async function lostAndFound(label: string, empty: () => Promise<void>) {
    const deliveries = [await pendingDeliveryWithoutJob(`${label}-a`), await pendingDeliveryWithoutJob(`${label}-b`)];
    for (const d of deliveries) expect(await inboxRow(d.webhookId)).toMatchObject({ status: "PENDING", attempts: 0 });
    // Backdated past the sweep's 30 s in a transaction committed only once Redis is empty: no
    // sweep of the old schedules can have seen them, only a schedule re-created afterwards.
    const backdate = new pg.Client({ connectionString: postgres.url });
    await backdate.connect();
    await backdate.query("begin");
    await backdate.query("update webhook_events set received_at = received_at - interval '1 minute' where webhook_id = any($1::text[])", [
      deliveries.map((d) => d.webhookId),
    ]);
    await empty();
    await backdate.query("commit");
    await backdate.end();

    await eventuallyDb(
      async () => JSON.stringify(await schedulerIds()) === JSON.stringify(expectedSchedulers),
      "the worker to re-create every schedule",
      30_000,
    );
    for (const d of deliveries) {
      await eventuallyDb(async () => (await inboxRow(d.webhookId))?.status === "PROCESSED", "the lost delivery to be swept and processed", 45_000);
      expect(await inboxRow(d.webhookId)).toMatchObject({ status: "PROCESSED", attempts: 1 });
      expect(await orderCount(d.shop.id, d.order.id)).toEqual({ orders: 1, lines: 2 });
    }
    expectWorkerAlive();
  }

  for (const round of [1, 2, 3]) {
    it(`round ${round}: after FLUSHALL the running worker re-creates its schedules and the pending inbox rows are processed once`, async () => {
      await lostAndFound(`flushed-${round}`, async () => {
        const client = new Redis(redis.url);
        await client.set("lk-test-sentinel", "1");
        await client.flushall(); // (the worker may re-create schedules at once: only the sentinel is checked here)
        expect(await client.exists("lk-test-sentinel")).toBe(0);
        client.disconnect();
      });
    }, 120_000);
  }

  it("after Redis restarts empty the worker reconnects, re-creates its schedules and the pending rows are processed once", async () => {
    await lostAndFound("restarted", async () => {
      await redis.stop();
      await redis.start();
    });
  }, 120_000);
});

// Nothing lost, nothing doubled: Redis unreachable when a delivery arrives, a worker killed with
// SIGKILL in the middle of a job, a worker stopped with SIGTERM while a job runs. Workers here
// are real child processes (`node --import tsx workers/main.ts`) on this file's queue prefix.
import type { ChildProcess } from "node:child_process";
import pg from "pg";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { deliver, eventually, inboxRow, jobCounts, processWebhookQueue, useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { fixture } from "../helpers/webhooks";
import { startWorkerProcess, type WorkerProcess } from "../helpers/worker-process";
import { createTestShop } from "../helpers/shops";
import { createAllocation, createLocation, createLot, createVariant, newId } from "../helpers/factories";
import { pool } from "../../app/db.server";
import { resetEnvForTests } from "../../app/env.server";
import { closeQueues } from "../../app/lib/queues.server";
import { sweepInbox } from "../../app/domain/webhooks/requeue.server";

// Short job locks here, in this process too: BullMQ throttles stalled-job checks per queue with a
// key that lives for the stalledInterval of whichever worker checked last.
process.env.WORKER_LOCK_MS = "1000";
const prefix = useOwnQueuePrefix();
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
});
afterAll(() => closeQueues());

function startWorker(): WorkerProcess {
  const child = startWorkerProcess({
    QUEUE_PREFIX: prefix,
    WORKER_LOCK_MS: "1000",
    WORKER_QUEUES: "webhooks",
    WORKER_CONCURRENCY: "2",
    LOG_LEVEL: "info",
    NODE_ENV: "test",
  });
  children.push(child);
  return child;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
}

/** An order whose allocation row the test locks, so the worker's transaction stops half-way (after writing the order and its lines). */
async function orderWithLockedAllocation(label: string) {
  const shop = await createTestShop(label);
  const variantId = await createVariant(shop.id);
  const locationId = await createLocation(shop.id);
  const lotId = await createLot(shop.id, { variantId, lotNumber: "L-1", quantity: 5, locationId });
  const order = { ...fixture<Record<string, unknown> & { line_items: Array<{ id: number }> }>("orders-create"), id: String(newId()) };
  await createAllocation(shop.id, { orderId: BigInt(order.id), lineItemId: BigInt(order.line_items[0]!.id), variantId, lotId, locationId, quantity: 1 });
  const locker = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await locker.connect();
  const lockerPid = (await locker.query<{ pid: number }>("select pg_backend_pid() as pid")).rows[0]!.pid;
  await locker.query("begin");
  await locker.query("select id from allocations where shop_id = $1 and order_id = $2 for update", [shop.id, order.id]);
  const release = async () => {
    await locker.query("rollback").catch(() => undefined);
    await locker.end().catch(() => undefined);
  };
  return { shop, order, release, lockerPid };
}

/**
 * The backend of the worker's transaction once it waits for this test's lock (blocked by the
 * locker's backend, not merely some lock wait: the other test files share the database).
 */
async function backendWaitingFor(lockerPid: number): Promise<number | undefined> {
  const r = await pool().query<{ pid: number }>(
    "select pid from pg_stat_activity where datname = current_database() and $1 = any(pg_blocking_pids(pid)) and query ilike 'update allocations set customer_id%'",
    [lockerPid],
  );
  return r.rows[0]?.pid;
}

async function backendAlive(pid: number): Promise<boolean> {
  return ((await pool().query("select 1 from pg_stat_activity where pid = $1", [pid])).rowCount ?? 0) > 0;
}

async function orderCount(shopId: number, orderId: string) {
  const r = await pool().query<{ orders: number; lines: number }>(
    "select (select count(*)::int from orders where shop_id = $1 and id = $2) as orders, (select count(*)::int from order_lines where shop_id = $1 and order_id = $2) as lines",
    [shopId, orderId],
  );
  return r.rows[0]!;
}

describe("Redis unreachable at delivery time", () => {
  it("answers 200 from the durable inbox, then the sweep queues the event once Redis is back and it is processed once", async () => {
    const shop = await createTestShop("redis-down");
    const order = { ...fixture<Record<string, unknown>>("orders-create"), id: String(newId()) };
    const realRedis = process.env.REDIS_URL;
    process.env.REDIS_URL = "redis://127.0.0.1:1"; // nothing listens there
    resetEnvForTests();
    await closeQueues();
    let delivery: { status: number; webhookId: string };
    try {
      delivery = await deliver({ topic: "orders/create", shop: shop.domain, body: order });
      // Shopify retries the same delivery while we cannot queue: still recorded once.
      const again = await deliver({ topic: "orders/create", shop: shop.domain, body: order, webhookId: delivery.webhookId });
      expect([delivery.status, again.status]).toEqual([200, 200]);
    } finally {
      if (realRedis === undefined) delete process.env.REDIS_URL;
      else process.env.REDIS_URL = realRedis;
      resetEnvForTests();
      await closeQueues();
    }
    expect(await inboxRow(delivery.webhookId)).toMatchObject({ status: "PENDING", attempts: 0 });
    expect((await jobCounts()).waiting).toBe(0);

    const swept = await sweepInbox({ olderThanMs: 0, shopDomains: [shop.domain] });
    expect(swept.queued).toBe(1);
    expect((await sweepInbox({ olderThanMs: 0, shopDomains: [shop.domain] })).queued).toBe(0); // already queued
    await processWebhookQueue();
    expect(await inboxRow(delivery.webhookId)).toMatchObject({ status: "PROCESSED", attempts: 1 });
    expect(await orderCount(shop.id, String(order.id))).toEqual({ orders: 1, lines: 2 });
  });
});

describe("a worker killed with SIGKILL in the middle of a job", () => {
  it("leaves nothing half-written; another worker retries the job and the effect happens once", async () => {
    const { shop, order, release, lockerPid } = await orderWithLockedAllocation("sigkill");
    const first = startWorker();
    const { webhookId } = await deliver({ topic: "orders/create", shop: shop.domain, body: order });
    let killedBackend: number | undefined;
    try {
      await eventually(async () => (killedBackend = await backendWaitingFor(lockerPid)) !== undefined, "the worker to be inside its transaction");
      first.kill("SIGKILL");
      await exited(first);
      // Its transaction dies with it (Postgres rolls it back once the lock wait ends and it finds
      // the client gone): nothing of it is visible, now or later.
      expect(await orderCount(shop.id, String(order.id))).toEqual({ orders: 0, lines: 0 });
      expect((await inboxRow(webhookId))?.status).toBe("PENDING");
    } finally {
      await release();
    }
    await eventually(async () => !(await backendAlive(killedBackend!)), "the killed transaction to end");
    expect(await orderCount(shop.id, String(order.id))).toEqual({ orders: 0, lines: 0 });
    const second = startWorker();
    await eventually(async () => (await inboxRow(webhookId))?.status === "PROCESSED", "the job to be retried and processed", 30_000).catch(
      async (error: unknown) => {
        throw new Error(
          `${(error as Error).message}; exit ${second.exitCode}/${second.signalCode}; jobs ${JSON.stringify(await jobCounts())}; first worker said:\n${first.output()}\nsecond worker said:\n${second.output()}`,
        );
      },
    );
    expect(await orderCount(shop.id, String(order.id))).toEqual({ orders: 1, lines: 2 });
    expect((await inboxRow(webhookId))?.attempts).toBe(2);
    const allocations = await pool().query("select customer_id from allocations where shop_id = $1 and order_id = $2", [shop.id, order.id]);
    expect(allocations.rows).toEqual([{ customer_id: 7301188550001n }]);
    second.kill("SIGTERM");
    expect(await exited(second)).toEqual({ code: 0, signal: null });
  }, 60_000);
});

describe("SIGTERM while a job runs", () => {
  it("lets the running job finish and commit, then exits 0", async () => {
    const { shop, order, release, lockerPid } = await orderWithLockedAllocation("sigterm");
    const worker = startWorker();
    const { webhookId } = await deliver({ topic: "orders/create", shop: shop.domain, body: order });
    try {
      await eventually(async () => (await backendWaitingFor(lockerPid)) !== undefined, "the worker to be inside its transaction");
      worker.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 300));
      expect(worker.exitCode).toBeNull(); // still finishing its job
    } finally {
      await release();
    }
    expect(await exited(worker)).toEqual({ code: 0, signal: null });
    expect(await inboxRow(webhookId)).toMatchObject({ status: "PROCESSED", attempts: 1 });
    expect(await orderCount(shop.id, String(order.id))).toEqual({ orders: 1, lines: 2 });
    expect(worker.output()).toContain('"msg":"worker stopped"');
  });
});

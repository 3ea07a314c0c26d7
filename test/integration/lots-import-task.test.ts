// The admin's CSV import as a background task, end to end: the Receive action checks the file and
// answers with a redirect to the task, the real maintenance worker imports it in one transaction
// while the task row shows the progress (read on another connection while that transaction is
// open), a rerun of the job imports nothing twice, a row that fails at import time leaves the task
// FAILED and nothing imported, and another shop cannot open the task.
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type pg from "pg";
import { pool } from "../../app/db.server";
import { getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { action as receiveAction } from "../../app/routes/app.receive";
import { loader as taskLoader } from "../../app/routes/app.tasks_.$id";
import { LOTS_IMPORT_JOB, SWEEP_IMPORT_TASKS_JOB } from "../../app/domain/lots/import-task.server";
import { jobIdFor } from "../../app/lib/queues.server";
import { createQueueWorker } from "../../workers/main";
import { adminHeaders } from "../helpers/session";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant, newId } from "../helpers/factories";
import { eventually, useOwnQueuePrefix } from "../helpers/webhook-pipeline";

useOwnQueuePrefix();

const BASE = "https://lotkeeper.test";
const workers: ReturnType<typeof createQueueWorker>[] = [];

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
});
afterAll(async () => {
  for (const name of [QUEUE_NAMES.shopifySync, QUEUE_NAMES.maintenance]) await getQueue(name).obliterate({ force: true });
});

async function setup(label: string) {
  const shop = await createTestShop(label);
  const location = await createLocation(shop.id, { name: "Main" });
  const variant = await createVariant(shop.id, { productTitle: "Oat milk" });
  await pool().query("update variants set inventory_item_id = $3 where shop_id = $1 and id = $2", [shop.id, variant, newId()]);
  // Row 3 of the file goes into this lot, so a test can hold the import there (a row lock).
  const existingLot = await createLot(shop.id, { variantId: variant, lotNumber: "OAT-EXIST", quantity: 2, locationId: location, expiresOn: "2027-03-01" });
  const csv = [
    "variant_id,lot_number,quantity,location_id,expires_on",
    `${variant},OAT-1,10,${location},2027-01-01`,
    `${variant},OAT-2,20,${location},2027-02-01`,
    `${variant},OAT-EXIST,5,${location},2027-03-01`,
    `${variant},OAT-3,30,${location},2027-04-01`,
  ].join("\n");
  return { shop, location, variant, existingLot, csv };
}

/** POSTs a real import through the Receive action; returns the task id it redirected to. */
async function startImport(shopDomain: string, csv: string, mode = "opening-stock"): Promise<string> {
  const request = new Request(`${BASE}/app/receive`, {
    method: "POST",
    headers: adminHeaders(shopDomain),
    body: new URLSearchParams({ intent: "import", csv, dryRun: "false", mode }),
  });
  const thrown = await receiveAction({ request, params: {}, context: {} }).then(
    (value) => value,
    (error: unknown) => error,
  );
  expect(thrown).toBeInstanceOf(Response);
  const response = thrown as Response;
  expect(response.status).toBe(302);
  return /^\/app\/tasks\/(\d+)$/.exec(response.headers.get("Location") ?? "")![1]!;
}

async function task(id: string) {
  const r = await pool().query<{
    status: string;
    done: number;
    total: number;
    error: string | null;
    input: string | null;
    result: Record<string, unknown> | null;
  }>("select status::text, done, total, error, input, result from tasks where id = $1", [id]);
  return r.rows[0]!;
}

async function lotNumbers(shopId: number): Promise<string[]> {
  const r = await pool().query<{ lot_number: string }>("select lot_number from lots where shop_id = $1 order by lot_number", [shopId]);
  return r.rows.map((l) => l.lot_number);
}

async function balance(lotId: bigint): Promise<number> {
  return (await pool().query<{ q: number }>("select coalesce(sum(quantity), 0)::int as q from lot_balances where lot_id = $1", [lotId])).rows[0]!.q;
}

/** Holds a row lock on the lot row 3 of the file goes into, so the import waits there with its transaction open. */
async function holdLot(lotId: bigint): Promise<pg.PoolClient> {
  const client = await pool().connect();
  await client.query("begin");
  await client.query("select id from lots where id = $1 for update", [lotId]);
  return client;
}

function startMaintenanceWorker() {
  const worker = createQueueWorker(QUEUE_NAMES.maintenance, { concurrency: 2 });
  workers.push(worker);
  return worker;
}

describe("CSV import as a background task", () => {
  it("redirects to a RUNNING task, shows progress while the one transaction is open, ends DONE with every row, and a rerun imports nothing twice", async () => {
    const { shop, existingLot, csv } = await setup("bg-ok");
    const blocker = await holdLot(existingLot);
    let released = false;
    try {
      const taskId = await startImport(shop.domain, csv, "receipts");
      expect(await task(taskId)).toMatchObject({ status: "RUNNING", done: 0, total: 4, error: null });
      expect((await task(taskId)).input).toContain("OAT-3");
      expect(await lotNumbers(shop.id)).toEqual(["OAT-EXIST"]);

      startMaintenanceWorker();
      // Rows 1 and 2 are in, row 3 waits for the lock: the progress is visible, the lots are not.
      await eventually(async () => (await task(taskId)).done === 2, "progress 2 of 4 while the import waits on row 3");
      expect((await task(taskId)).status).toBe("RUNNING");
      expect(await lotNumbers(shop.id)).toEqual(["OAT-EXIST"]);
      const running = await taskLoader({
        request: new Request(`${BASE}/app/tasks/${taskId}`, { headers: adminHeaders(shop.domain) }),
        params: { id: taskId },
        context: {},
      });
      expect(running.task).toMatchObject({ status: "RUNNING", done: 2, total: 4 });

      await blocker.query("commit");
      released = true;
      await eventually(async () => (await task(taskId)).status !== "RUNNING", "the import to end");
      const finished = await task(taskId);
      expect(finished).toMatchObject({ status: "DONE", done: 4, total: 4, error: null, input: null });
      expect(finished.result).toMatchObject({ mode: "receipts", imported: 4, units: 65, lotsCreated: 3 });
      expect(await lotNumbers(shop.id)).toEqual(["OAT-1", "OAT-2", "OAT-3", "OAT-EXIST"]);
      expect(await balance(existingLot)).toBe(7);
      const outbox = async () =>
        (
          await pool().query<{ n: number }>("select count(*)::int as n from outbox_entries where shop_id = $1 and idempotency_key like $2", [
            shop.id,
            `shop${shop.id}:import:${taskId}:%`,
          ])
        ).rows[0]!.n;
      expect(await outbox()).toBe(1);

      // The job runs again (a retry after a crash, a stalled job): the task is DONE, nothing changes.
      const again = await getQueue(QUEUE_NAMES.maintenance).add(LOTS_IMPORT_JOB, { taskId }, { jobId: `lots-import-again-${taskId}` });
      await eventually(async () => (await again.getState()) === "completed", "the repeated job to complete");
      expect((await getQueue(QUEUE_NAMES.maintenance).getJob(again.id!))?.returnvalue).toEqual({ outcome: "already-ended" });
      expect(await lotNumbers(shop.id)).toEqual(["OAT-1", "OAT-2", "OAT-3", "OAT-EXIST"]);
      expect(await balance(existingLot)).toBe(7);
      expect(await outbox()).toBe(1);
      const ledger = await pool().query<{ n: number }>("select count(*)::int as n from ledger_entries where shop_id = $1 and kind = 'RECEIVED'", [shop.id]);
      expect(ledger.rows[0]!.n).toBe(5); // the lot made by the test, then one per row
    } finally {
      if (!released) await blocker.query("rollback");
      blocker.release();
    }
  });

  it("a row that fails only at import time leaves the task FAILED with the reason, and nothing imported", async () => {
    const { shop, existingLot, csv } = await setup("bg-fail");
    const blocker = await holdLot(existingLot);
    let released = false;
    try {
      const taskId = await startImport(shop.domain, csv);
      startMaintenanceWorker();
      await eventually(async () => (await task(taskId)).done === 2, "progress 2 of 4 while the import waits on row 3");
      // While the import waits, someone corrects the stored lot's expiry: row 3 no longer matches it.
      await blocker.query("update lots set expires_on = '2027-09-30' where id = $1", [existingLot]);
      await blocker.query("commit");
      released = true;
      await eventually(async () => (await task(taskId)).status !== "RUNNING", "the import to end");
      const failed = await task(taskId);
      expect(failed.status).toBe("FAILED");
      expect(failed.error).toMatch(/^1 problem, nothing was imported; first: row 4: lot "OAT-EXIST" .* already exists and this receipt does not match it/);
      expect(failed.input).toBeNull();
      expect(failed.result).toMatchObject({ problemCount: 1, problems: [{ row: 4, column: null }] });
      // Rows 1 and 2 were written in the same transaction: rolled back with it.
      expect(await lotNumbers(shop.id)).toEqual(["OAT-EXIST"]);
      expect(await balance(existingLot)).toBe(2);
    } finally {
      if (!released) await blocker.query("rollback");
      blocker.release();
    }
  });

  it("an import whose job was lost is queued again by the sweep and imported once", async () => {
    const { shop, existingLot, csv } = await setup("bg-lost");
    const taskId = await startImport(shop.domain, csv);
    const queue = getQueue(QUEUE_NAMES.maintenance);
    await (await queue.getJob(jobIdFor(LOTS_IMPORT_JOB, taskId)))!.remove(); // Redis lost it
    startMaintenanceWorker();
    const sweep = await queue.add(SWEEP_IMPORT_TASKS_JOB, { olderThanMs: 0, shopId: shop.id });
    await eventually(async () => (await sweep.getState()) === "completed", "the sweep to run");
    expect((await queue.getJob(sweep.id!))?.returnvalue).toEqual({ queued: 1 });
    await eventually(async () => (await task(taskId)).status === "DONE", "the swept import to finish");
    expect(await lotNumbers(shop.id)).toEqual(["OAT-1", "OAT-2", "OAT-3", "OAT-EXIST"]);
    expect(await balance(existingLot)).toBe(7);
    // A DONE task is not swept again.
    const second = await queue.add(SWEEP_IMPORT_TASKS_JOB, { olderThanMs: 0, shopId: shop.id });
    await eventually(async () => (await second.getState()) === "completed", "the second sweep to run");
    expect((await queue.getJob(second.id!))?.returnvalue).toEqual({ queued: 0 });
  });

  it("a file with bad rows makes no task; another shop cannot open the task", async () => {
    const { shop, variant, location, csv } = await setup("bg-tenant");
    const other = await createTestShop("bg-other");
    const bad = `variant_id,lot_number,quantity,location_id\n${variant},B-1,many,${location}\n`;
    const refused = await receiveAction({
      request: new Request(`${BASE}/app/receive`, {
        method: "POST",
        headers: adminHeaders(shop.domain),
        body: new URLSearchParams({ intent: "import", csv: bad, dryRun: "false" }),
      }),
      params: {},
      context: {},
    });
    expect(refused).toMatchObject({ ok: false, error: "1 problem found: nothing was imported" });
    expect(refused.report?.errors.map((e) => [e.row, e.column])).toEqual([[2, "quantity"]]);
    expect((await pool().query<{ n: number }>("select count(*)::int as n from tasks where shop_id = $1", [shop.id])).rows[0]!.n).toBe(0);

    const taskId = await startImport(shop.domain, csv);
    startMaintenanceWorker();
    await eventually(async () => (await task(taskId)).status === "DONE", "the import to finish");
    const theirs = await taskLoader({
      request: new Request(`${BASE}/app/tasks/${taskId}`, { headers: adminHeaders(other.domain) }),
      params: { id: taskId },
      context: {},
    }).then(
      () => 200,
      (thrown: unknown) => (thrown instanceof Response ? thrown.status : Promise.reject(thrown)),
    );
    expect(theirs).toBe(404);
    const mine = await taskLoader({
      request: new Request(`${BASE}/app/tasks/${taskId}`, { headers: adminHeaders(shop.domain) }),
      params: { id: taskId },
      context: {},
    });
    expect(mine.task).toMatchObject({ id: taskId, kind: "lots.import", status: "DONE", done: 4, total: 4 });
  });
});

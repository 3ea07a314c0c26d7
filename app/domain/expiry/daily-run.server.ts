// The daily expiry job of one shop (decision 112). A run is for one shop-local day and happens
// once: the steps (steps.ts), the task the merchant opens (tasks, kind "expiry.daily") and the
// expiry_runs row that marks the day done commit together, under a per-shop lock, so a second run
// of the same day (another worker, a retry, the operator) finds the row and returns the first
// run's result. A crash before commit leaves nothing, and the retry runs the day again. After
// downtime the missed days run one by one, oldest first (expiry-rules.ts daysToRun).
import { pool } from "../../db.server";
import { getQueue, jobIdFor, QUEUE_NAMES } from "../../lib/queues.server";
import { withTransaction, type Db } from "../../lib/sql.server";
import { queueReplansForUnusableLots } from "../reservations/replan.server";
import { queueOutboxEntries } from "../sync/outbox.server";
import { dayIn, zoneOf, type Day } from "../shops/shop-day";
import { checkRunDay, daysToRun, ExpiryRunError } from "./expiry-rules";
import type { ExpiryStepContext } from "./expiry-step";
import { EXPIRY_STEPS } from "./steps";
import { queueExpiryDigest } from "./expiry-digest.server";

export const EXPIRY_TASK_KIND = "expiry.daily";
export const EXPIRY_TICK_JOB = "expiry-tick";
export const EXPIRY_RUN_JOB = "expiry-run";

export interface ExpiryRun {
  day: Day;
  dryRun: boolean;
  /** True when the day had already run: `steps` is what that run did, and nothing ran now. */
  alreadyRan: boolean;
  taskId: string | null;
  steps: Record<string, Record<string, unknown>>;
}

/**
 * Runs the expiry steps for one shop day (default: today where the shop is). With dryRun the
 * steps run in a read-only transaction that is rolled back: the result says what a run would do,
 * and nothing is written (not even the task).
 */
export async function runExpiryDay(shopId: number, options: { day?: string; dryRun?: boolean; now?: Date } = {}): Promise<ExpiryRun> {
  const now = options.now ?? new Date();
  const dryRun = options.dryRun ?? false;
  const timeZone = zoneOf(await requireShopZone(shopId));
  const day = checkRunDay(options.day ?? dayIn(timeZone, now), dayIn(timeZone, now), dryRun);
  if (dryRun) return { day, dryRun, alreadyRan: false, taskId: null, steps: await previewSteps({ shopId, day, timeZone }) };

  const outboxIds: bigint[] = [];
  const run = await withTransaction(async (sql) => {
    outboxIds.length = 0; // a retried transaction starts again
    await sql.query("select pg_advisory_xact_lock(hashtext('lotkeeper:expiry-run'), $1)", [shopId]);
    const done = await sql.query<{ task_id: bigint; result: ExpiryRun["steps"] | null }>(
      "select r.task_id, t.result from expiry_runs r left join tasks t on t.id = r.task_id where r.shop_id = $1 and r.day = $2::date",
      [shopId, day],
    );
    if (done.rows[0]) return { day, dryRun, alreadyRan: true, taskId: done.rows[0].task_id.toString(), steps: done.rows[0].result ?? {} };
    const steps = await runSteps({ sql, shopId, day, timeZone, dryRun: false, queueAfterCommit: (ids) => outboxIds.push(...ids) });
    const found = Object.values(steps).reduce((n, step) => n + (typeof step.count === "number" ? step.count : 0), 0);
    const task = await sql.query<{ id: bigint }>(
      `insert into tasks (shop_id, kind, status, done, total, result, updated_at) values ($1, $2, 'DONE', $3, $3, $4::jsonb, now()) returning id`,
      [shopId, EXPIRY_TASK_KIND, found, JSON.stringify({ day, ...steps })],
    );
    const taskId = task.rows[0]!.id;
    await sql.query("insert into expiry_runs (shop_id, day, task_id) values ($1, $2::date, $3)", [shopId, day, taskId]);
    return { day, dryRun, alreadyRan: false, taskId: taskId.toString(), steps };
  });
  await queueOutboxEntries(outboxIds);
  // The digest mail of today (a day caught up after downtime is in its task, not mailed).
  if (!run.alreadyRan && day === dayIn(timeZone, now)) await queueExpiryDigest(shopId, day);
  // Lots that expired hold no reservation past today: re-plan the orders still holding them.
  if (!run.alreadyRan && Number(run.steps.expire?.count ?? 0) > 0) await queueReplansForUnusableLots({ shopId, now });
  return run;
}

/** Every shop day since the last run up to today, oldest first (the job the scheduler queues). */
export async function runDueExpiryDays(shopId: number, now: Date = new Date()): Promise<ExpiryRun[]> {
  const today = dayIn(await requireShopZone(shopId), now);
  const last = await pool().query<{ day: string | null }>("select to_char(max(day), 'YYYY-MM-DD') as day from expiry_runs where shop_id = $1", [shopId]);
  const runs: ExpiryRun[] = [];
  for (const day of daysToRun(last.rows[0]?.day ?? null, today)) runs.push(await runExpiryDay(shopId, { day, now }));
  return runs;
}

/**
 * The hourly tick: every installed shop whose local hour has reached its run hour and whose today
 * has not run gets one job, whose id names the shop and day (a second tick, or a second worker's,
 * adds nothing while it waits). Returns how many were queued.
 */
export async function queueDueExpiryRuns(now: Date = new Date()): Promise<number> {
  const due = await pool().query<{ id: number; day: string }>(
    `select s.id, to_char(($1::timestamptz at time zone coalesce(s.iana_timezone, 'UTC'))::date, 'YYYY-MM-DD') as day
       from shops s
      where s.installed
        and extract(hour from $1::timestamptz at time zone coalesce(s.iana_timezone, 'UTC')) >= s.expiry_run_hour
        and not exists (select 1 from expiry_runs r where r.shop_id = s.id and r.day = ($1::timestamptz at time zone coalesce(s.iana_timezone, 'UTC'))::date)
      order by s.id`,
    [now.toISOString()],
  );
  if (due.rows.length === 0) return 0;
  await getQueue(QUEUE_NAMES.maintenance).addBulk(
    due.rows.map(({ id, day }) => ({ name: EXPIRY_RUN_JOB, data: { shopId: id }, opts: { jobId: jobIdFor(EXPIRY_RUN_JOB, `${id}-${day}`) } })),
  );
  return due.rows.length;
}

async function runSteps(ctx: ExpiryStepContext): Promise<ExpiryRun["steps"]> {
  const steps: ExpiryRun["steps"] = {};
  for (const step of EXPIRY_STEPS) steps[step.name] = await step.run(ctx);
  return steps;
}

async function previewSteps(ctx: Omit<ExpiryStepContext, "sql" | "dryRun" | "queueAfterCommit">): Promise<ExpiryRun["steps"]> {
  const client = await pool().connect();
  try {
    await client.query("begin transaction read only");
    return await runSteps({ ...ctx, sql: client as Db, dryRun: true, queueAfterCommit: () => undefined });
  } finally {
    await client.query("rollback").catch(() => undefined);
    client.release();
  }
}

async function requireShopZone(shopId: number): Promise<string | null> {
  const shop = await pool().query<{ iana_timezone: string | null }>("select iana_timezone from shops where id = $1", [shopId]);
  if (!shop.rows[0]) throw new ExpiryRunError(`shop ${shopId} not found`);
  return shop.rows[0].iana_timezone;
}

// maintenance queue: the daily expiry job (decision 112). The hourly tick queues one run per shop
// whose local run hour has come and whose day has not run; a run catches up every missed day.
import type { Job } from "bullmq";
import { queueDueExpiryRuns, runDueExpiryDays } from "../../app/domain/expiry/daily-run.server";
import { sendExpiryDigest } from "../../app/domain/expiry/expiry-digest.server";
import type { JobContext } from "../registry";

export { EXPIRY_RUN_JOB, EXPIRY_TICK_JOB } from "../../app/domain/expiry/daily-run.server";
export { EXPIRY_DIGEST_JOB } from "../../app/domain/expiry/expiry-digest.server";

/** Repeatable (hourly). */
export async function processExpiryTick(job: Job, ctx: JobContext) {
  const queued = await queueDueExpiryRuns(new Date(job.timestamp ?? Date.now()));
  if (queued > 0) ctx.log.info("expiry runs queued", { queued });
  return { queued };
}

export async function processExpiryRun(job: Job<{ shopId: number }>, ctx: JobContext) {
  const runs = await runDueExpiryDays(job.data.shopId);
  const ran = runs.filter((r) => !r.alreadyRan);
  if (ran.length > 0) ctx.log.info("expiry days run", { shopId: job.data.shopId, days: ran.map((r) => r.day), taskIds: ran.map((r) => r.taskId) });
  return { days: ran.map((r) => r.day) };
}

/** notices queue: the digest mail of one shop day (thrown DigestRetryError: BullMQ retries). */
export async function processExpiryDigest(job: Job<{ shopId: number; day: string }>, ctx: JobContext) {
  const outcome = await sendExpiryDigest(job.data.shopId, job.data.day, { finalAttempt: ctx.finalAttempt });
  ctx.log.info("expiry digest", { shopId: job.data.shopId, day: job.data.day, ...outcome });
  return outcome;
}

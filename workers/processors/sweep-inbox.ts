// maintenance queue, repeatable job "sweep-inbox": queue inbox rows Redis never got and deferred
// rows whose topic has a handler now (app/domain/webhooks/requeue.server.ts).
import type { Job } from "bullmq";
import { pruneInbox, sweepInbox } from "../../app/domain/webhooks/requeue.server";
import { env } from "../../app/env.server";
import type { JobContext } from "../registry";

export const SWEEP_INBOX_JOB = "sweep-inbox";

export async function processSweepInbox(job: Job<{ olderThanMs?: number }>, ctx: JobContext) {
  const result = await sweepInbox({ olderThanMs: job.data?.olderThanMs });
  if (result.queued > 0) ctx.log.info("inbox sweep queued events", { ...result });
  return result;
}

export const PRUNE_INBOX_JOB = "prune-inbox";

/** maintenance queue, repeatable job "prune-inbox": processed events older than WEBHOOK_RETENTION_DAYS go. */
export async function processPruneInbox(_job: Job, ctx: JobContext) {
  const deleted = await pruneInbox(env().WEBHOOK_RETENTION_DAYS);
  if (deleted > 0) ctx.log.info("old processed webhook events deleted", { deleted, retentionDays: env().WEBHOOK_RETENTION_DAYS });
  return { deleted };
}

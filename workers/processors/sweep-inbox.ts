// maintenance queue, repeatable job "sweep-inbox": queue inbox rows Redis never got and deferred
// rows whose topic has a handler now (app/domain/webhooks/requeue.server.ts).
import type { Job } from "bullmq";
import { sweepInbox } from "../../app/domain/webhooks/requeue.server";
import type { JobContext } from "../registry";

export const SWEEP_INBOX_JOB = "sweep-inbox";

export async function processSweepInbox(job: Job<{ olderThanMs?: number }>, ctx: JobContext) {
  const result = await sweepInbox({ olderThanMs: job.data?.olderThanMs });
  if (result.queued > 0) ctx.log.info("inbox sweep queued events", { ...result });
  return result;
}

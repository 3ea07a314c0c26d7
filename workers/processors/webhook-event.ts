// webhooks queue, job "webhook-event": run the topic handlers of one inbox row (by id).
import { UnrecoverableError, type Job } from "bullmq";
import type { WebhookJobData } from "../../app/domain/webhooks/inbox.server";
import { describeEvent, isPermanentFailure, processWebhookEvent, recordEventFailure } from "../../app/domain/webhooks/process-event.server";
import type { JobContext } from "../registry";

export async function processWebhookJob(job: Job<WebhookJobData>, ctx: JobContext): Promise<string> {
  const eventId = job.data?.eventId;
  if (typeof eventId !== "string" || !/^\d+$/.test(eventId)) throw new UnrecoverableError(`job ${ctx.jobId} has no valid eventId`);
  try {
    return await processWebhookEvent(eventId, { log: ctx.log });
  } catch (error) {
    const permanent = isPermanentFailure(error);
    const row = await describeEvent(eventId).catch(() => undefined);
    if (row) ctx.log = ctx.log.child(row);
    await recordEventFailure(eventId, error, permanent || ctx.finalAttempt).catch((e: unknown) =>
      ctx.log.error("could not record the failure on the inbox row", { eventId, error: e }),
    );
    // The cause keeps the handler's stack and error fields on the job's failure log line.
    if (permanent) throw Object.assign(new UnrecoverableError((error as Error).message), { cause: error });
    throw error;
  }
}

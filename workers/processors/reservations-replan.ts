// maintenance queue: re-planning reservations on lots that became unusable (queued by recalls,
// quarantines, counts and adjustments after their commit) and the daily sweep that queues them for
// lots that expired. docs/decisions/100-reservations.md, "Re-planning".
import type { Job } from "bullmq";
import { queueReplansForUnusableLots, replanReservations, scopeOfJob, type ReplanJob } from "../../app/domain/reservations/replan.server";
import type { JobContext } from "../registry";

export { REPLAN_RESERVATIONS_JOB, SWEEP_RESERVATION_REPLANS_JOB } from "../../app/domain/reservations/replan.server";

export async function processReplanReservations(job: Job<ReplanJob>, ctx: JobContext) {
  const outcome = await replanReservations(job.data.shopId, scopeOfJob(job.data), { ref: `job ${ctx.jobId}` });
  if (outcome.orders > 0) ctx.log.info("reservations re-planned", { ...outcome });
  return outcome;
}

/** Repeatable (daily); `shopId` in the data sweeps one shop only. */
export async function processSweepReservationReplans(job: Job<{ shopId?: number }>, ctx: JobContext) {
  const queued = await queueReplansForUnusableLots({ shopId: job.data?.shopId });
  if (queued > 0) ctx.log.info("reservation re-plans queued for lots that can no longer ship", { queued });
  return { queued };
}

// maintenance queue: one admin CSV import (a lots.import task row made by startLotImport), and the
// repeatable sweep that queues again an import whose job was lost.
import type { Job } from "bullmq";
import { runLotImportTask, sweepImportTasks, type LotsImportJob } from "../../app/domain/lots/import-task.server";
import type { JobContext } from "../registry";

export { LOTS_IMPORT_JOB, SWEEP_IMPORT_TASKS_JOB } from "../../app/domain/lots/import-task.server";

export async function processLotsImport(job: Job<LotsImportJob>, ctx: JobContext) {
  return { outcome: await runLotImportTask(BigInt(job.data.taskId), { finalAttempt: ctx.finalAttempt, log: ctx.log }) };
}

/** Repeatable: imports whose job was lost are queued again (sweepImportTasks). */
export async function processSweepImportTasks(job: Job<{ olderThanMs?: number; shopId?: number }>, ctx: JobContext) {
  const queued = await sweepImportTasks({ olderThanMs: job.data?.olderThanMs, shopId: job.data?.shopId });
  if (queued > 0) ctx.log.info("lost lot imports queued again", { queued });
  return { queued };
}

// maintenance queue: one admin CSV import (a lots.import task row made by startLotImport).
import type { Job } from "bullmq";
import { runLotImportTask, type LotsImportJob } from "../../app/domain/lots/import-task.server";
import type { JobContext } from "../registry";

export { LOTS_IMPORT_JOB } from "../../app/domain/lots/import-task.server";

export async function processLotsImport(job: Job<LotsImportJob>, ctx: JobContext) {
  return { outcome: await runLotImportTask(BigInt(job.data.taskId), { finalAttempt: ctx.finalAttempt, log: ctx.log }) };
}

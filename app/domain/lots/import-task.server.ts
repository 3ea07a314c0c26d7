// The admin's CSV import as a background task: the request checks the file (the same check as a
// dry run), makes a RUNNING lots.import task row holding the file, and queues one job on the
// maintenance queue; the worker imports it with importLotsCsv (all rows in one transaction, or
// none) and writes progress to the task row on another connection so the Tasks page can show it
// while that transaction is open. A job that runs again (retry after a crash, stalled job) finds
// the task DONE and does nothing: the task turns DONE in the import's own transaction.
import { pool } from "../../db.server";
import { getQueue, jobIdFor, QUEUE_NAMES } from "../../lib/queues.server";
import type { Logger } from "../../lib/logger.server";
import { DomainError } from "../errors";
import { importLotsCsv, ImportTaskEndedError, type ImportMode, type ImportProblem, type ImportReport } from "./import-lots.server";
import type { MovementContext } from "./receive-lot.server";

export const LOTS_IMPORT_JOB = "lots-import";
export const SWEEP_IMPORT_TASKS_JOB = "sweep-import-tasks";

/** Job data: the task id only (the file is in the task row). */
export interface LotsImportJob {
  taskId: string;
}

interface ImportTaskInput {
  csv: string;
  mode: ImportMode;
  cause: MovementContext["cause"];
  causeRef: string | null;
}

/** Problems kept on a failed task for the task page (the first ones; the count says how many). */
const PROBLEMS_KEPT = 200;

/** The import could not be handed to the worker (Redis unreachable): the task is FAILED, nothing imported. */
export class ImportQueueError extends DomainError {
  override name = "ImportQueueError";
  constructor(cause: unknown) {
    super(
      `the import could not be started (the job queue is unreachable: ${(cause as Error)?.message ?? String(cause)}); nothing was imported, try again in a minute`,
    );
  }
}

/**
 * Checks the file now (the dry run's report); when it is clean, makes the task and queues its job.
 * Returns the report with taskId set, or the report of problems and no task.
 */
export async function startLotImport(shopId: number, csv: string, options: { mode: ImportMode; ctx: MovementContext }): Promise<ImportReport> {
  const report = await importLotsCsv(shopId, csv, { dryRun: true, mode: options.mode });
  if (report.errors.length > 0) return { ...report, dryRun: false };
  const input: ImportTaskInput = { csv, mode: options.mode, cause: options.ctx.cause, causeRef: options.ctx.causeRef ?? null };
  const task = await pool().query<{ id: bigint }>(
    `insert into tasks (shop_id, kind, status, done, total, input, updated_at) values ($1, 'lots.import', 'RUNNING', 0, $2, $3, now()) returning id`,
    [shopId, report.rows, JSON.stringify(input)],
  );
  const taskId = task.rows[0]!.id;
  try {
    await getQueue(QUEUE_NAMES.maintenance).add(LOTS_IMPORT_JOB, { taskId: taskId.toString() } satisfies LotsImportJob, {
      jobId: jobIdFor(LOTS_IMPORT_JOB, taskId),
    });
  } catch (error) {
    const failure = new ImportQueueError(error);
    await failTask(taskId, failure.message, null);
    throw failure;
  }
  return { ...report, dryRun: false, taskId };
}

export type ImportTaskOutcome = "done" | "failed" | "already-ended" | "missing";

/**
 * The worker's side: imports the task's file. Bad rows found now (the catalog or the stored lots
 * changed since the check) end the task FAILED with the problems, nothing imported. Any other
 * error is thrown so the job is retried; on the last attempt the task is FAILED too.
 */
export async function runLotImportTask(taskId: bigint, options: { finalAttempt: boolean; log?: Logger }): Promise<ImportTaskOutcome> {
  const r = await pool().query<{ shop_id: number; status: string; total: number; input: string | null }>(
    `select shop_id, status, total, input from tasks where id = $1 and kind = 'lots.import'`,
    [taskId],
  );
  const task = r.rows[0];
  if (!task) return "missing";
  if (task.status !== "RUNNING") return "already-ended";
  if (!task.input) {
    await failTask(taskId, "the import's file was not kept; upload it again", null);
    return "failed";
  }
  const input = JSON.parse(task.input) as ImportTaskInput;
  const step = progressStep(task.total);
  let report: ImportReport;
  try {
    report = await importLotsCsv(task.shop_id, input.csv, {
      dryRun: false,
      mode: input.mode,
      ctx: { cause: input.cause, causeRef: input.causeRef },
      taskId,
      onProgress: async (done, total) => {
        if (done % step === 0 && done < total)
          await pool().query(`update tasks set done = $2, updated_at = now() where id = $1 and status = 'RUNNING'`, [taskId, done]);
      },
    });
  } catch (error) {
    if (error instanceof ImportTaskEndedError) return "already-ended";
    if (options.finalAttempt) await failTask(taskId, `the import failed: ${(error as Error)?.message ?? String(error)}; nothing was imported`, null);
    throw error;
  }
  if (report.errors.length > 0) {
    const first = report.errors[0]!;
    const where = first.row > 0 ? `row ${first.row}${first.column ? `, ${first.column}` : ""}: ` : "";
    await failTask(
      taskId,
      `${report.errors.length} problem${report.errors.length === 1 ? "" : "s"}, nothing was imported; first: ${where}${first.reason}`,
      report.errors,
    );
    options.log?.info("lot import refused", { taskId: taskId.toString(), problems: report.errors.length });
    return "failed";
  }
  options.log?.info("lot import done", { taskId: taskId.toString(), rows: report.imported, units: report.units });
  return "done";
}

/**
 * Re-queues RUNNING imports whose job is gone (the web process died between the insert and the
 * queue add, Redis lost it) or failed without ending the task. Quiet for `olderThanMs` (progress
 * refreshes updated_at). Repeatable job "sweep-import-tasks"; returns how many were queued.
 */
export async function sweepImportTasks(options: { olderThanMs?: number; shopId?: number } = {}): Promise<number> {
  const rows = await pool().query<{ id: bigint }>(
    `select id from tasks where kind = 'lots.import' and status = 'RUNNING' and input is not null
       and updated_at < now() - ($1::int * interval '1 millisecond') and ($2::int is null or shop_id = $2) order by id limit 100`,
    [options.olderThanMs ?? 60_000, options.shopId ?? null],
  );
  const queue = getQueue(QUEUE_NAMES.maintenance);
  let queued = 0;
  for (const { id } of rows.rows) {
    const jobId = jobIdFor(LOTS_IMPORT_JOB, id);
    const job = await queue.getJob(jobId);
    const state = job ? await job.getState() : "unknown";
    if (state === "failed") {
      await job!.retry();
    } else if (state === "completed" || state === "unknown") {
      await job?.remove();
      await queue.add(LOTS_IMPORT_JOB, { taskId: id.toString() } satisfies LotsImportJob, { jobId });
    } else {
      continue; // waiting, delayed or active: it will run
    }
    queued++;
  }
  return queued;
}

/** Progress is written about 100 times per import (every row for small files). */
export function progressStep(total: number): number {
  return Math.max(1, Math.ceil(total / 100));
}

async function failTask(taskId: bigint, error: string, problems: ImportProblem[] | null): Promise<void> {
  const result = problems ? JSON.stringify({ problems: problems.slice(0, PROBLEMS_KEPT), problemCount: problems.length }) : null;
  await pool().query(
    `update tasks set status = 'FAILED', error = $2, result = $3::jsonb, input = null, updated_at = now() where id = $1 and status = 'RUNNING'`,
    [taskId, error, result],
  );
}

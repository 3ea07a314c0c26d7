// The worker framework's one registry: which processor runs each job, per queue and job name, and
// which maintenance jobs repeat. workers/main.ts starts one BullMQ Worker per queue listed here.
//
// Add a job processor (e.g. the outbox sender, a long task):
//   1. write workers/processors/<name>.ts exporting `const process<Name>: Processor` — as thin as a
//      route: read the ids in job.data, call ONE domain use case (app/domain/<context>/*.server.ts);
//   2. add one line below under its queue: `"<job-name>": process<Name>`;
//   3. producers add jobs with getQueue(QUEUE_NAMES.<queue>).add("<job-name>", { ids only }, { jobId })
//      (app/lib/queues.server.ts; data never holds customer data or tokens).
// Add a repeatable maintenance job: register its processor under QUEUE_NAMES.maintenance, then
// add `{ name, everyMs, runAtStart? }` to repeatableJobs. Every worker upserts the schedulers at
// start and re-creates any that Redis lost (workers/schedules.ts; BullMQ job schedulers: one
// schedule however many workers run).
//
// A processor gets (job, ctx): ctx.log carries queue, job name, jobId, attempt and the ids in job.data
// (jobLogIds; a webhook job adds shop, topic and webhookId once it has read its inbox row); ctx.finalAttempt
// says whether BullMQ will retry after a failure. Throw UnrecoverableError (bullmq) for work that
// can never succeed; any other error is retried with exponential backoff (DEFAULT_JOB_OPTIONS).
import type { Job } from "bullmq";
import type { Logger } from "../app/lib/logger.server";
import { QUEUE_NAMES, type QueueName } from "../app/lib/queues.server";
import { WEBHOOK_JOB } from "../app/domain/webhooks/inbox.server";
import { processWebhookJob } from "./processors/webhook-event";
import { PRUNE_INBOX_JOB, SWEEP_INBOX_JOB, processPruneInbox, processSweepInbox } from "./processors/sweep-inbox";
import { OUTBOX_SEND_JOB, processOutboxSend } from "./processors/shopify-sync";
import {
  RECONCILE_BULK_FINISH_JOB,
  SWEEP_BULK_RECONCILE_JOB,
  processReconcileBulkFinish,
  processSweepBulkReconciliations,
  RECONCILE_LEVEL_JOB,
  RECONCILE_SHOPS_JOB,
  RECONCILE_SHOP_JOB,
  SWEEP_OUTBOX_JOB,
  processReconcileLevel,
  processReconcileShop,
  processReconcileShops,
  processSweepOutbox,
} from "./processors/lots-maintenance";
import { LOTS_IMPORT_JOB, SWEEP_IMPORT_TASKS_JOB, processLotsImport, processSweepImportTasks } from "./processors/lots-import";
import {
  RECALL_NOTICE_REMIND_JOB,
  RECALL_NOTICE_REMINDERS_JOB,
  RECALL_NOTICE_SEND_JOB,
  RECALL_NOTIFY_JOB,
  processRecallNoticeRemind,
  processRecallNoticeReminders,
  processRecallNoticeSend,
  processRecallNotify,
} from "./processors/recall-notices";
import {
  FULFILLMENT_ORDERS_REFRESH_JOB,
  SWEEP_FULFILLMENT_ORDER_REQUESTS_JOB,
  processFulfillmentOrdersRefresh,
  processSweepFulfillmentOrderRequests,
} from "./processors/fulfillment-orders";
import {
  REPLAN_RESERVATIONS_JOB,
  SWEEP_RESERVATION_REPLANS_JOB,
  processReplanReservations,
  processSweepReservationReplans,
} from "./processors/reservations-replan";
import { EXPIRY_DIGEST_JOB, EXPIRY_RUN_JOB, EXPIRY_TICK_JOB, processExpiryDigest, processExpiryRun, processExpiryTick } from "./processors/expiry";

export interface JobContext {
  log: Logger;
  jobId: string;
  /** 1 for the first try. */
  attempt: number;
  /** No retry follows if this attempt fails. */
  finalAttempt: boolean;
}

export type Processor = (job: Job, ctx: JobContext) => Promise<unknown>;

/** The ids of job.data that every line of the job carries (job data holds ids only, never customer data). */
const JOB_LOG_IDS = ["shopId", "eventId", "outboxId", "taskId", "recallId", "noticeId"] as const;

export function jobLogIds(data: unknown): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (data && typeof data === "object") {
    for (const key of JOB_LOG_IDS) {
      const value = (data as Record<string, unknown>)[key];
      if (value !== undefined) fields[key] = value;
    }
  }
  return fields;
}

/** queue -> job name -> processor. A queue with no processor gets no Worker. */
export const processors: Record<QueueName, Record<string, Processor>> = {
  [QUEUE_NAMES.webhooks]: {
    [WEBHOOK_JOB]: processWebhookJob,
  },
  [QUEUE_NAMES.shopifySync]: {
    [OUTBOX_SEND_JOB]: processOutboxSend,
  },
  [QUEUE_NAMES.maintenance]: {
    [SWEEP_INBOX_JOB]: processSweepInbox,
    [PRUNE_INBOX_JOB]: processPruneInbox,
    [SWEEP_OUTBOX_JOB]: processSweepOutbox,
    [RECONCILE_LEVEL_JOB]: processReconcileLevel,
    [RECONCILE_SHOPS_JOB]: processReconcileShops,
    [RECONCILE_SHOP_JOB]: processReconcileShop,
    [RECONCILE_BULK_FINISH_JOB]: processReconcileBulkFinish,
    [SWEEP_BULK_RECONCILE_JOB]: processSweepBulkReconciliations,
    [LOTS_IMPORT_JOB]: processLotsImport,
    [SWEEP_IMPORT_TASKS_JOB]: processSweepImportTasks,
    [FULFILLMENT_ORDERS_REFRESH_JOB]: processFulfillmentOrdersRefresh,
    [SWEEP_FULFILLMENT_ORDER_REQUESTS_JOB]: processSweepFulfillmentOrderRequests,
    [REPLAN_RESERVATIONS_JOB]: processReplanReservations,
    [SWEEP_RESERVATION_REPLANS_JOB]: processSweepReservationReplans,
    [RECALL_NOTICE_REMINDERS_JOB]: processRecallNoticeReminders,
    [EXPIRY_TICK_JOB]: processExpiryTick,
    [EXPIRY_RUN_JOB]: processExpiryRun,
  },
  [QUEUE_NAMES.notices]: {
    [RECALL_NOTIFY_JOB]: processRecallNotify,
    [RECALL_NOTICE_SEND_JOB]: processRecallNoticeSend,
    [RECALL_NOTICE_REMIND_JOB]: processRecallNoticeRemind,
    [EXPIRY_DIGEST_JOB]: processExpiryDigest,
  },
};

/** Per-queue Worker settings; concurrency defaults to WORKER_CONCURRENCY. */
export const queueSettings: Partial<Record<QueueName, { concurrency?: number }>> = {};

export interface RepeatableJob {
  queue: QueueName;
  /** Job name; must have a processor above. Also the scheduler's id. */
  name: string;
  everyMs: number;
  /** Also run once when a worker starts (otherwise the first run is everyMs after the schedule is made). */
  runAtStart?: boolean;
  data?: Record<string, unknown>;
}

export const repeatableJobs: RepeatableJob[] = [
  // Inbox rows Redis never got (it was down at delivery) and deferred rows whose topic has a handler now.
  { queue: QUEUE_NAMES.maintenance, name: SWEEP_INBOX_JOB, everyMs: 30_000, runAtStart: true },
  // Processed webhook events past WEBHOOK_RETENTION_DAYS (payloads hold customer data).
  { queue: QUEUE_NAMES.maintenance, name: PRUNE_INBOX_JOB, everyMs: 24 * 3600_000 },
  // Shopify changes whose job was lost (Redis flushed, producer failed after commit) or gave up.
  { queue: QUEUE_NAMES.maintenance, name: SWEEP_OUTBOX_JOB, everyMs: 30_000, runAtStart: true },
  // Shopify's on_hand against the lots, every shop (changes made in Shopify that sent no webhook).
  { queue: QUEUE_NAMES.maintenance, name: RECONCILE_SHOPS_JOB, everyMs: 6 * 3600_000 },
  // Bulk reconciliations whose bulk_operations/finish did not come: poll Shopify (decision 082).
  { queue: QUEUE_NAMES.maintenance, name: SWEEP_BULK_RECONCILE_JOB, everyMs: 60_000 },
  // Admin CSV imports whose job was lost (web process died before queueing it, Redis flushed).
  { queue: QUEUE_NAMES.maintenance, name: SWEEP_IMPORT_TASKS_JOB, everyMs: 60_000 },
  // Fulfillment order reads a webhook asked for whose job Redis lost (decision 101).
  { queue: QUEUE_NAMES.maintenance, name: SWEEP_FULFILLMENT_ORDER_REQUESTS_JOB, everyMs: 60_000 },
  // Reservations on lots that expired (no event says so) or whose re-plan job was lost (decision 100).
  { queue: QUEUE_NAMES.maintenance, name: SWEEP_RESERVATION_REPLANS_JOB, everyMs: 24 * 3600_000 },
  // Reminders to customers who did not answer their recall notice after reminder_days (decision 111).
  { queue: QUEUE_NAMES.maintenance, name: RECALL_NOTICE_REMINDERS_JOB, everyMs: 3600_000 },
  // The daily expiry job of every shop whose local run hour has come (decision 112); hourly, since shops live in every zone.
  { queue: QUEUE_NAMES.maintenance, name: EXPIRY_TICK_JOB, everyMs: 3600_000, runAtStart: true },
];

// notices queue: "recall.notify" fans one recall's notices out (a row and a send job per customer),
// "recall.notice.send" sends one notice (app/domain/recall/recall-notices.server.ts). Over the
// shop's pace the send job is delayed without using up an attempt, before it claims its row.
import { DelayedError, type Job } from "bullmq";
import { fanOutRecallNotices, sendRecallNotice } from "../../app/domain/recall/recall-notices.server";
import { queueDueReminders, sendNoticeReminder } from "../../app/domain/recall/notice-reminders.server";
import type { JobContext } from "../registry";

export { RECALL_NOTIFY_JOB, RECALL_NOTICE_SEND_JOB } from "../../app/domain/recall/recall-notices.server";
export { RECALL_NOTICE_REMINDERS_JOB, RECALL_NOTICE_REMIND_JOB } from "../../app/domain/recall/notice-reminders.server";

export async function processRecallNotify(job: Job<{ shopId: number; recallId: string }>, ctx: JobContext) {
  const result = await fanOutRecallNotices(job.data.shopId, BigInt(job.data.recallId));
  ctx.log.info("recall notices fanned out", { recallId: job.data.recallId, ...result });
  return result;
}

export async function processRecallNoticeSend(job: Job<{ shopId: number; noticeId: string }>, ctx: JobContext) {
  const outcome = await sendRecallNotice(BigInt(job.data.noticeId), { finalAttempt: ctx.finalAttempt });
  if (outcome.status === "rate-limited") {
    await job.moveToDelayed(Date.now() + outcome.waitMs, job.token);
    throw new DelayedError();
  }
  if (outcome.status !== "sent" && outcome.status !== "already-done")
    ctx.log.warn("recall notice not sent", { noticeId: job.data.noticeId, outcome: outcome.status });
  return { status: outcome.status, noticeId: job.data.noticeId };
}

/** Repeatable: queues the reminders due now (decision 111). */
export async function processRecallNoticeReminders(_job: Job, ctx: JobContext) {
  const result = await queueDueReminders();
  if (result.queued > 0) ctx.log.info("recall notice reminders queued", result);
  return result;
}

export async function processRecallNoticeRemind(job: Job<{ shopId: number; noticeId: string; reminder: number }>, ctx: JobContext) {
  const outcome = await sendNoticeReminder(BigInt(job.data.noticeId), job.data.reminder);
  if (outcome.status === "rate-limited") {
    await job.moveToDelayed(Date.now() + outcome.waitMs, job.token);
    throw new DelayedError();
  }
  if (outcome.status === "failed") ctx.log.warn("recall notice reminder not sent", { noticeId: job.data.noticeId, reminder: job.data.reminder });
  return { status: outcome.status, noticeId: job.data.noticeId };
}

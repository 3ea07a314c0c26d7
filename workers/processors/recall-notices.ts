// notices queue: "recall.notify" fans one recall's notices out (a row and a send job per customer),
// "recall.notice.send" sends one notice (app/domain/recall/recall-notices.server.ts). Over the
// shop's pace the send job is delayed without using up an attempt, before it claims its row.
import { DelayedError, type Job } from "bullmq";
import { fanOutRecallNotices, sendRecallNotice } from "../../app/domain/recall/recall-notices.server";
import type { JobContext } from "../registry";

export { RECALL_NOTIFY_JOB, RECALL_NOTICE_SEND_JOB } from "../../app/domain/recall/recall-notices.server";

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

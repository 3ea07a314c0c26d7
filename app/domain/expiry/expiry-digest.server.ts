// The daily expiry digest by email (issue 14 part 4): after a shop's check of today commits, one
// job on the notices queue mails what it found to the shop's owner (Shopify's shop.email), from the
// sender address and SMTP server of the recall notices (Settings, Recall notices; SMTP_URL). At
// most once per run: the job claims the run's digest (digest_status SENDING) before it sends, and
// an attempt that finds a claim it did not finish records FAILED instead of mailing again
// (decision 107's rule for notices). A quiet day, or a shop without an email, sender or SMTP
// server, is SKIPPED with the reason; Home shows it.
import { pool } from "../../db.server";
import { env } from "../../env.server";
import { getQueue, jobIdFor, QUEUE_NAMES } from "../../lib/queues.server";
import { mailTransport } from "../../lib/mail.server";
import { DomainError } from "../errors";
import { classifySmtpError } from "../recall/notice-rules";
import { noticeSettings } from "../recall/recall-notices.server";
import type { Day } from "../shops/shop-day";
import { expiryDigestMail } from "./expiry-digest-rules";

export const EXPIRY_DIGEST_JOB = "expiry-digest";

export type DigestOutcome = { status: "sent" | "already-done" | "missing" } | { status: "skipped" | "failed"; reason: string };

export class DigestRetryError extends DomainError {
  override name = "DigestRetryError";
}

export async function queueExpiryDigest(shopId: number, day: Day): Promise<void> {
  await getQueue(QUEUE_NAMES.notices).add(EXPIRY_DIGEST_JOB, { shopId, day }, { jobId: jobIdFor(EXPIRY_DIGEST_JOB, `${shopId}-${day}`) });
}

export async function sendExpiryDigest(shopId: number, day: Day, options: { finalAttempt: boolean }): Promise<DigestOutcome> {
  const found = await pool().query<{
    task_id: bigint;
    digest_status: string | null;
    result: Record<string, never> | null;
    domain: string;
    email: string | null;
  }>(
    `select r.task_id, r.digest_status, t.result, s.domain, s.email
       from expiry_runs r join shops s on s.id = r.shop_id left join tasks t on t.id = r.task_id and t.shop_id = r.shop_id
      where r.shop_id = $1 and r.day = $2::date`,
    [shopId, day],
  );
  const run = found.rows[0];
  if (!run) return { status: "missing" };
  if (run.digest_status === "SENDING") {
    return finish(shopId, day, "SENDING", "FAILED", "sending was interrupted (the worker stopped) and the mail server may have accepted it; not sent again");
  }
  if (run.digest_status !== null) return { status: "already-done" };

  const taskUrl = `https://${run.domain}/admin/apps/${env().SHOPIFY_API_KEY}/app/tasks/${run.task_id}`;
  const mail = expiryDigestMail({ shopDomain: run.domain, day, steps: run.result ?? {}, taskUrl });
  if (!mail) return finish(shopId, day, null, "SKIPPED", "nothing expired or entered its alert window");
  const settings = await noticeSettings(pool(), shopId);
  const smtpUrl = env().SMTP_URL;
  const missing = [
    run.email ? "" : "the shop's email is not known yet (read from Shopify by the next reconciliation)",
    settings.fromAddress ? "" : "no sender address (Settings, Recall notices)",
    smtpUrl ? "" : "no mail server (SMTP_URL)",
  ].filter(Boolean);
  if (missing.length) return finish(shopId, day, null, "SKIPPED", `not mailed: ${missing.join("; ")}`);

  const claimed = await pool().query(
    "update expiry_runs set digest_status = 'SENDING', digest_reason = null where shop_id = $1 and day = $2::date and digest_status is null",
    [shopId, day],
  );
  if (!claimed.rowCount) return { status: "already-done" };
  try {
    await mailTransport(smtpUrl!).sendMail({
      from: settings.fromAddress!,
      to: run.email!,
      subject: mail.subject,
      text: mail.text,
      messageId: `<expiry-digest-${shopId}.${day}@lotkeeper.invalid>`,
    });
    return finish(shopId, day, "SENDING", "SENT", `mailed to ${run.email}`);
  } catch (error) {
    const outcome = classifySmtpError(error as Parameters<typeof classifySmtpError>[0]);
    if (outcome.status === "RETRY" && !options.finalAttempt) {
      await pool().query(
        "update expiry_runs set digest_status = null, digest_reason = $3 where shop_id = $1 and day = $2::date and digest_status = 'SENDING'",
        [shopId, day, outcome.reason],
      );
      throw new DigestRetryError(`expiry digest of ${day} not sent yet: ${outcome.reason}`);
    }
    return finish(shopId, day, "SENDING", "FAILED", outcome.reason);
  }
}

async function finish(shopId: number, day: Day, from: "SENDING" | null, status: "SENT" | "SKIPPED" | "FAILED", reason: string): Promise<DigestOutcome> {
  await pool().query(
    `update expiry_runs set digest_status = $3, digest_reason = $4
      where shop_id = $1 and day = $2::date and digest_status is not distinct from $5::text`,
    [shopId, day, status, reason, from],
  );
  return status === "SENT" ? { status: "sent" } : { status: status === "SKIPPED" ? "skipped" : "failed", reason };
}

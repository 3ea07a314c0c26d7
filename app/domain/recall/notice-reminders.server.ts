// Reminders to customers who did not answer their recall notice (decision 111). A repeatable job
// (workers/registry.ts) finds notices SENT, unanswered, whose notice or last reminder is older than
// the shop's reminder_days (default 7), at most MAX_REMINDERS each, in open recalls whose case does
// not already record the customer RETURNED or DESTROYED, and queues one job per (notice, reminder
// number): the job id makes a second sweep queue nothing new. The send claims the reminder number
// on the row (reminders_sent n-1 -> n) before it mails, so a duplicated or retried job never mails
// twice: at most once, like the notice itself. The reminder is the shop's notice template again,
// subject prefixed "Reminder:", with a fresh personal link (only one token hash is kept, so the
// newest mail's link is the one that works).
import { pool } from "../../db.server";
import { env } from "../../env.server";
import { getQueue, jobIdFor, QUEUE_NAMES } from "../../lib/queues.server";
import { mailTransport } from "../../lib/mail.server";
import { classifySmtpError, DEFAULT_NOTICE_BODY, DEFAULT_NOTICE_SUBJECT, noticeBlockers, renderNotice, renderSubject } from "./notice-rules";
import { DEFAULT_REMINDER_DAYS, MAX_REMINDERS, respondLink, respondText } from "./notice-answer-rules";
import { hashRespondToken, newRespondToken } from "./notice-answers.server";
import { loadNoticeCase, noticeSettings, noticeValues, takeSendSlot } from "./recall-notices.server";

export const RECALL_NOTICE_REMINDERS_JOB = "recall.notice.reminders";
export const RECALL_NOTICE_REMIND_JOB = "recall.notice.remind";

/** Notices due a reminder now, across shops: one job each, id per notice and reminder number. */
export async function queueDueReminders(limit = 5000): Promise<{ queued: number }> {
  const due = await pool().query<{ id: bigint; shop_id: number; next: number }>(
    `select n.id, n.shop_id, n.reminders_sent + 1 as next
       from recall_notices n
       join recalls r on r.id = n.recall_id and r.shop_id = n.shop_id and r.status = 'OPEN'
       join recall_customers rc on rc.recall_id = n.recall_id and rc.shop_id = n.shop_id and rc.customer_key = n.customer_key
       left join recall_notice_settings s on s.shop_id = n.shop_id
      where n.status = 'SENT' and n.answered_at is null and n.reminders_sent < $1
        and rc.status not in ('RETURNED', 'DESTROYED')
        and coalesce(n.reminded_at, n.sent_at) <= now() - make_interval(days => coalesce(s.reminder_days, $2))
      order by n.id limit $3`,
    [MAX_REMINDERS, DEFAULT_REMINDER_DAYS, limit],
  );
  if (due.rows.length === 0) return { queued: 0 };
  await getQueue(QUEUE_NAMES.notices).addBulk(
    due.rows.map((r) => ({
      name: RECALL_NOTICE_REMIND_JOB,
      data: { shopId: r.shop_id, noticeId: r.id.toString(), reminder: r.next },
      opts: { jobId: jobIdFor("notice-reminder", `${r.id}-${r.next}`) },
    })),
  );
  return { queued: due.rows.length };
}

export type ReminderOutcome = { status: "not-due" | "sent" | "failed" } | { status: "rate-limited"; waitMs: number };

/** Sends reminder number `reminder` of one notice, at most once. */
export async function sendNoticeReminder(noticeId: bigint, reminder: number): Promise<ReminderOutcome> {
  const found = await pool().query<{
    id: bigint;
    shop_id: number;
    recall_id: bigint;
    email: string | null;
    customer_name: string | null;
    order_names: string;
    lot_numbers: string;
    products: string;
    shop_domain: string;
  }>(
    `select n.id, n.shop_id, n.recall_id, n.email, n.customer_name, n.order_names, n.lot_numbers, n.products, s.domain as shop_domain
       from recall_notices n join shops s on s.id = n.shop_id
      where n.id = $1 and n.status = 'SENT' and n.answered_at is null and n.reminders_sent = $2 and n.email is not null`,
    [noticeId, reminder - 1],
  );
  const row = found.rows[0];
  if (!row || reminder > MAX_REMINDERS) return { status: "not-due" };
  const waitMs = await takeSendSlot(row.shop_id);
  if (waitMs > 0) return { status: "rate-limited", waitMs };

  const smtpUrl = env().SMTP_URL;
  const [recall, settings] = await Promise.all([loadNoticeCase(pool(), row.shop_id, row.recall_id), noticeSettings(pool(), row.shop_id)]);
  if (!recall || recall.status !== "OPEN" || noticeBlockers(recall, settings, smtpUrl !== undefined).length) return { status: "not-due" };

  const token = newRespondToken();
  const claim = await pool().query(
    `update recall_notices set reminders_sent = $2, reminded_at = now(), respond_token_hash = $4, updated_at = now()
      where id = $1 and status = 'SENT' and answered_at is null and reminders_sent = $3`,
    [row.id, reminder, reminder - 1, hashRespondToken(token)],
  );
  if (claim.rowCount === 0) return { status: "not-due" }; // another job claimed it, or the customer answered meanwhile

  const values = { ...noticeValues(row, recall, settings), respond: respondText(respondLink(row.shop_domain, token), recall.respond) };
  try {
    await mailTransport(smtpUrl!).sendMail({
      from: settings.fromAddress!,
      to: row.email!,
      subject: `Reminder: ${renderSubject(settings.subject ?? DEFAULT_NOTICE_SUBJECT, values)}`,
      text: renderNotice(settings.body ?? DEFAULT_NOTICE_BODY, values),
      messageId: `<recall-notice-${row.id}.${row.shop_id}.reminder-${reminder}@lotkeeper.invalid>`,
      headers: { "X-Lotkeeper-Recall": recall.reference },
    });
    return { status: "sent" };
  } catch (error) {
    // The reminder number is spent (at most once); the next one follows after reminder_days.
    const outcome = classifySmtpError(error as Parameters<typeof classifySmtpError>[0]);
    await pool().query(`update recall_notices set reason = $2, updated_at = now() where id = $1`, [row.id, `reminder ${reminder} not sent: ${outcome.reason}`]);
    return { status: "failed" };
  }
}

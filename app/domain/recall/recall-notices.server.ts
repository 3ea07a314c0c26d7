// Recall notices by email (decision 107). "Send notices" (recall page, `lotkeeper recall notify`)
// checks the case can be notified and queues ONE fan-out job; the fan-out writes one
// recall_notices row per customer of the case (unique per shop, recall and customer, so a second
// fan-out adds only customers who joined since) and queues one send job per QUEUED row (job id
// from the row id). A send job claims its row (QUEUED -> SENDING) before it talks to the mail
// server, and only the attempt that made the claim may finish it: a retried or duplicated job
// finds the row claimed or done and sends nothing. A job that died between the claim and the
// update (the server may have accepted the mail) leaves SENDING; its retry marks the row FAILED
// with that reason instead of mailing again. Pace: NOTICE_RATE_PER_SECOND per shop, counted in
// Redis so every worker process shares it. Job data holds ids only; the address is in the row.
import type { Redis } from "ioredis";
import { pool } from "../../db.server";
import { env } from "../../env.server";
import { getQueue, jobIdFor, QUEUE_NAMES } from "../../lib/queues.server";
import { mailTransport } from "../../lib/mail.server";
import type { Db } from "../../lib/sql.server";
import { DomainError } from "../errors";
import { RecallNotFoundError } from "./errors";
import { listRecallCustomers, type RecallCaseCustomer } from "./recall-case.server";
import {
  classifySmtpError,
  DEFAULT_NOTICE_BODY,
  DEFAULT_NOTICE_SUBJECT,
  DEFAULT_RESPOND,
  noticeBlockers,
  renderNotice,
  renderSubject,
  type NoticeDetails,
  type NoticeSettings,
  type NoticeValues,
} from "./notice-rules";
import { respondLink, respondText } from "./notice-answer-rules";
import { hashRespondToken, newRespondToken, noticeResponses } from "./notice-answers.server";

export const RECALL_NOTIFY_JOB = "recall.notify";
export const RECALL_NOTICE_SEND_JOB = "recall.notice.send";

export type NoticeStatus = "QUEUED" | "SENDING" | "SENT" | "BOUNCED" | "FAILED" | "NO_EMAIL";
export const NOTICE_STATUSES: readonly NoticeStatus[] = ["QUEUED", "SENDING", "SENT", "BOUNCED", "FAILED", "NO_EMAIL"];

export class NoticesNotReadyError extends DomainError {
  override name = "NoticesNotReadyError";
  constructor(readonly blockers: string[]) {
    super(`recall notices cannot be sent yet: ${blockers.join("; ")}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Settings and the recall's notice fields

export async function noticeSettings(db: Db, shopId: number): Promise<NoticeSettings> {
  const r = await db.query<{ from_address: string | null; merchant_contact: string | null; subject: string | null; body: string | null }>(
    `select from_address, merchant_contact, subject, body from recall_notice_settings where shop_id = $1`,
    [shopId],
  );
  const row = r.rows[0];
  return { fromAddress: row?.from_address ?? null, merchantContact: row?.merchant_contact ?? null, subject: row?.subject ?? null, body: row?.body ?? null };
}

export async function saveNoticeSettings(db: Db, shopId: number, settings: NoticeSettings): Promise<void> {
  await db.query(
    `insert into recall_notice_settings (shop_id, from_address, merchant_contact, subject, body, updated_at) values ($1, $2, $3, $4, $5, now())
     on conflict (shop_id) do update set from_address = $2, merchant_contact = $3, subject = $4, body = $5, updated_at = now()`,
    [shopId, settings.fromAddress, settings.merchantContact, settings.subject, settings.body],
  );
}

export interface RecallNoticeCase extends NoticeDetails {
  id: bigint;
  reference: string;
  reason: string;
  status: "OPEN" | "CLOSED";
}

export async function loadNoticeCase(db: Db, shopId: number, recallId: bigint): Promise<RecallNoticeCase | null> {
  const r = await db.query<RecallNoticeCase>(
    `select id, reference, reason, status, hazard, action, remedy, respond from recalls where shop_id = $1 and id = $2`,
    [shopId, recallId],
  );
  return r.rows[0] ?? null;
}

/** The recall's hazard, action, remedy and how to respond, as the notice states them. Fields left out stay as they are. */
export async function setNoticeDetails(shopId: number, recallId: bigint, details: Partial<NoticeDetails>, db: Db = pool()): Promise<NoticeDetails> {
  const r = await db.query<NoticeDetails>(
    `update recalls set hazard = case when $3 then $4 else hazard end, action = case when $5 then $6 else action end,
                        remedy = case when $7 then $8 else remedy end, respond = case when $9 then $10 else respond end
      where shop_id = $1 and id = $2 returning hazard, action, remedy, respond`,
    [
      shopId,
      recallId,
      details.hazard !== undefined,
      details.hazard ?? null,
      details.action !== undefined,
      details.action ?? null,
      details.remedy !== undefined,
      details.remedy ?? null,
      details.respond !== undefined,
      details.respond ?? null,
    ],
  );
  if (!r.rows[0]) throw new RecallNotFoundError(recallId.toString());
  return r.rows[0];
}

// ---------------------------------------------------------------------------------------------
// Starting: one fan-out job

/** Why this recall's notices cannot go out now (empty: they can). */
export async function recallNoticeBlockers(shopId: number, recallId: bigint, db: Db = pool()): Promise<string[]> {
  const recall = await loadNoticeCase(db, shopId, recallId);
  if (!recall) throw new RecallNotFoundError(recallId.toString());
  return noticeBlockers(recall, await noticeSettings(db, shopId), env().SMTP_URL !== undefined);
}

/** "Send notices": refuses with NoticesNotReadyError while something Art. 36 needs is missing; otherwise queues the fan-out. */
export async function requestRecallNotices(shopId: number, recallId: bigint): Promise<{ jobId: string }> {
  const blockers = await recallNoticeBlockers(shopId, recallId);
  if (blockers.length) throw new NoticesNotReadyError(blockers);
  // No fixed job id: a second request (customers joined the case since) must run; the rows make it a no-op for everyone already written.
  const job = await getQueue(QUEUE_NAMES.notices).add(RECALL_NOTIFY_JOB, { shopId, recallId: recallId.toString() });
  return { jobId: job.id! };
}

/** Send jobs queued per addBulk call. */
const QUEUE_CHUNK = 500;

/**
 * The fan-out: one row per customer of the case (redacted customers skipped, a customer without
 * email NO_EMAIL, a customer who sent every unit back or is recorded RETURNED or DESTROYED
 * skipped: nothing left to stop using), then a
 * send job for every QUEUED row, including rows whose job was lost (Redis flushed): the job id is
 * the row's, so a row with a live job is not queued twice.
 */
export async function fanOutRecallNotices(shopId: number, recallId: bigint): Promise<{ customers: number; queued: number }> {
  let cursor: string | null = null;
  let customers = 0;
  do {
    const page: { customers: RecallCaseCustomer[]; nextCursor: string | null } = await listRecallCustomers(shopId, recallId, cursor, { limit: 500 });
    customers += await addNoticeRows(shopId, recallId, page.customers);
    cursor = page.nextCursor;
  } while (cursor);
  const queued = await pool().query<{ id: bigint }>(`select id from recall_notices where shop_id = $1 and recall_id = $2 and status = 'QUEUED' order by id`, [
    shopId,
    recallId,
  ]);
  const queue = getQueue(QUEUE_NAMES.notices);
  for (let i = 0; i < queued.rows.length; i += QUEUE_CHUNK) {
    await queue.addBulk(
      queued.rows.slice(i, i + QUEUE_CHUNK).map((r) => ({
        name: RECALL_NOTICE_SEND_JOB,
        data: { shopId, noticeId: r.id.toString() },
        opts: { jobId: jobIdFor("notice", r.id) },
      })),
    );
  }
  return { customers, queued: queued.rows.length };
}

async function addNoticeRows(shopId: number, recallId: bigint, page: RecallCaseCustomer[]): Promise<number> {
  // Nothing left to stop using: every unit came back, or the case records it returned or destroyed.
  const notify = page.filter((c) => !c.redacted && c.units > c.returnedUnits && c.contactStatus !== "RETURNED" && c.contactStatus !== "DESTROYED");
  if (notify.length === 0) return 0;
  const titles = await productTitles(
    shopId,
    notify.flatMap((c) => c.orders.map((o) => o.variantId)),
  );
  const uniq = (xs: (string | null | undefined)[]) => [...new Set(xs.filter((x): x is string => !!x))].join(", ");
  const rows = notify.map((c) => ({
    key: c.customerKey,
    email: c.email?.trim() || null,
    name: c.name,
    orders: uniq(c.orders.map((o) => o.orderName ?? `order ${o.orderId}`)),
    lots: uniq(c.orders.map((o) => o.lotNumber)),
    products: uniq(c.orders.map((o) => titles.get(o.variantId) ?? `variant ${o.variantId}`)),
  }));
  // A NO_EMAIL row whose customer has an email by now (a later order) becomes QUEUED.
  await pool().query(
    `insert into recall_notices (shop_id, recall_id, customer_key, email, customer_name, order_names, lot_numbers, products, status)
     select $1, $2, k, e, n, o, l, p, case when e is null then 'NO_EMAIL' else 'QUEUED' end::"RecallNoticeStatus"
       from unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) as x(k, e, n, o, l, p)
     on conflict (shop_id, recall_id, customer_key) do update
       set email = excluded.email, customer_name = excluded.customer_name, order_names = excluded.order_names,
           lot_numbers = excluded.lot_numbers, products = excluded.products, status = 'QUEUED', updated_at = now()
       where recall_notices.status = 'NO_EMAIL' and excluded.email is not null`,
    [
      shopId,
      recallId,
      rows.map((r) => r.key),
      rows.map((r) => r.email),
      rows.map((r) => r.name),
      rows.map((r) => r.orders),
      rows.map((r) => r.lots),
      rows.map((r) => r.products),
    ],
  );
  return rows.length;
}

/** "Almond butter 250 g - Crunchy": the product's title and, when it has one, the variant's. */
async function productTitles(shopId: number, variantIds: bigint[]): Promise<Map<bigint, string>> {
  const r = await pool().query<{ id: bigint; product_title: string | null; title: string | null }>(
    `select id, product_title, title from variants where shop_id = $1 and id = any($2::bigint[])`,
    [shopId, [...new Set(variantIds)]],
  );
  const map = new Map<bigint, string>();
  for (const v of r.rows) {
    const variant = v.title && v.title !== "Default Title" ? v.title : null;
    const title = [v.product_title, variant].filter(Boolean).join(" - ");
    if (title) map.set(v.id, title);
  }
  return map;
}

// ---------------------------------------------------------------------------------------------
// Sending one notice

export type NoticeSendOutcome =
  { status: "missing" | "already-done" | "sent" | "bounced" | "failed" | "interrupted" } | { status: "rate-limited"; waitMs: number };

interface NoticeRow {
  id: bigint;
  shop_id: number;
  recall_id: bigint;
  email: string | null;
  customer_name: string | null;
  order_names: string;
  lot_numbers: string;
  products: string;
  status: NoticeStatus;
  attempts: number;
  shop_domain: string;
}

/**
 * The reason of a notice whose claiming attempt did not finish. If that attempt was in fact still
 * running (BullMQ gave its job to another worker after a stall), its own result still lands: finish
 * accepts a row in this state from the attempt that claimed it.
 */
const INTERRUPTED = "sending was interrupted (the worker stopped) and the mail server may have accepted the notice; not sent again";

export class NoticeRetryError extends DomainError {
  override name = "NoticeRetryError";
}

/**
 * Sends one notice. Returns what happened; throws NoticeRetryError when nothing was accepted and a
 * later attempt may succeed (4xx, mail server unreachable, SMTP_URL missing in this process).
 * `finalAttempt`: no retry follows, so such a failure is recorded as FAILED instead.
 */
export async function sendRecallNotice(noticeId: bigint, options: { finalAttempt: boolean }): Promise<NoticeSendOutcome> {
  const found = await pool().query<NoticeRow>(
    `select n.id, n.shop_id, n.recall_id, n.email, n.customer_name, n.order_names, n.lot_numbers, n.products, n.status, n.attempts, s.domain as shop_domain
       from recall_notices n join shops s on s.id = n.shop_id where n.id = $1`,
    [noticeId],
  );
  const row = found.rows[0];
  if (!row) return { status: "missing" };
  if (row.status === "SENDING") {
    // Claimed by an attempt that did not finish (the process died): it may have been mailed.
    await finish(row.id, row.attempts, "FAILED", INTERRUPTED);
    return { status: "interrupted" };
  }
  if (row.status !== "QUEUED" || !row.email) return { status: "already-done" };

  const waitMs = await takeSendSlot(row.shop_id);
  if (waitMs > 0) return { status: "rate-limited", waitMs };

  const smtpUrl = env().SMTP_URL;
  const [recall, settings] = await Promise.all([loadNoticeCase(pool(), row.shop_id, row.recall_id), noticeSettings(pool(), row.shop_id)]);
  if (!recall) return { status: "missing" };
  const blockers = noticeBlockers({ ...recall, status: "OPEN" }, settings, smtpUrl !== undefined);
  if (blockers.length) return notSent(row, blockers.join("; "), options.finalAttempt);

  // The personal answer link (decision 111): a fresh token per claim, only its hash kept. Only the
  // attempt whose mail is accepted finishes the row, so the hash stored is the mailed link's.
  const token = newRespondToken();
  const claim = await pool().query<{ attempts: number }>(
    `update recall_notices set status = 'SENDING', attempts = attempts + 1, claimed_at = now(), updated_at = now(), respond_token_hash = $2
      where id = $1 and status = 'QUEUED' returning attempts`,
    [row.id, hashRespondToken(token)],
  );
  const attempt = claim.rows[0]?.attempts;
  if (attempt === undefined) return { status: "already-done" }; // another job claimed it first

  const values = { ...noticeValues(row, recall, settings), respond: respondText(respondLink(row.shop_domain, token), recall.respond) };
  try {
    const info = await mailTransport(smtpUrl!).sendMail({
      from: settings.fromAddress!,
      to: row.email,
      subject: renderSubject(settings.subject ?? DEFAULT_NOTICE_SUBJECT, values),
      text: renderNotice(settings.body ?? DEFAULT_NOTICE_BODY, values),
      // One Message-ID per notice: a notice sent again by hand is recognisably the same message.
      messageId: `<recall-notice-${row.id}.${row.shop_id}@lotkeeper.invalid>`,
      headers: { "X-Lotkeeper-Recall": recall.reference },
    });
    await finish(row.id, attempt, "SENT", null, info.messageId ?? null);
    return { status: "sent" };
  } catch (error) {
    const outcome = classifySmtpError(error as Parameters<typeof classifySmtpError>[0]);
    if (outcome.status === "RETRY") {
      // Nothing was accepted: the row goes back to QUEUED for the next attempt (or FAILED if there is none).
      await pool().query(
        `update recall_notices set status = 'QUEUED', reason = $3, updated_at = now() where id = $1 and attempts = $2 and status = 'SENDING'`,
        [row.id, attempt, outcome.reason],
      );
      return notSent({ ...row, status: "QUEUED" }, outcome.reason, options.finalAttempt);
    }
    await finish(row.id, attempt, outcome.status, outcome.reason);
    return { status: outcome.status === "BOUNCED" ? "bounced" : "failed" };
  }
}

async function notSent(row: NoticeRow, reason: string, finalAttempt: boolean): Promise<NoticeSendOutcome> {
  if (!finalAttempt) throw new NoticeRetryError(`notice ${row.id} not sent yet: ${reason}`);
  await pool().query(`update recall_notices set status = 'FAILED', reason = $2, updated_at = now() where id = $1 and status = 'QUEUED'`, [row.id, reason]);
  return { status: "failed" };
}

/**
 * Only the attempt that claimed the row (attempts = its claim) finishes it. A sent notice also
 * moves the customer from TO_CONTACT to CONTACTED in the case (never back from RETURNED or DESTROYED).
 */
async function finish(
  id: bigint,
  attempt: number,
  status: "SENT" | "BOUNCED" | "FAILED",
  reason: string | null,
  messageId: string | null = null,
): Promise<void> {
  await pool().query(
    `with done as (
       update recall_notices set status = $3::"RecallNoticeStatus", reason = $4, message_id = coalesce($5, message_id),
              sent_at = case when $3 = 'SENT' then now() else sent_at end, updated_at = now()
        where id = $1 and attempts = $2 and (status = 'SENDING' or (status = 'FAILED' and reason = $6))
        returning shop_id, recall_id, customer_key, status
     )
     update recall_customers rc set status = 'CONTACTED', updated_at = now() from done
      where done.status = 'SENT' and rc.shop_id = done.shop_id and rc.recall_id = done.recall_id
        and rc.customer_key = done.customer_key and rc.status = 'TO_CONTACT'`,
    [id, attempt, status, reason, messageId, INTERRUPTED],
  );
}

export function noticeValues(
  row: Pick<NoticeRow, "products" | "lot_numbers" | "order_names" | "customer_name">,
  recall: RecallNoticeCase,
  settings: NoticeSettings,
): NoticeValues {
  return {
    product: row.products,
    lot: row.lot_numbers,
    order: row.order_names,
    customer_name: row.customer_name?.trim() || "customer",
    hazard: recall.hazard ?? recall.reason,
    action: recall.action ?? "",
    remedy: recall.remedy ?? "",
    respond: recall.respond ?? DEFAULT_RESPOND,
    merchant_contact: settings.merchantContact ?? "",
  };
}

/**
 * Per-shop pace shared by every worker process: a counter per shop and second in Redis. 0: send
 * now; otherwise the milliseconds until the next second's slots.
 */
export async function takeSendSlot(shopId: number): Promise<number> {
  const now = Date.now();
  const second = Math.floor(now / 1000);
  const key = `${env().QUEUE_PREFIX}:notice-rate:${shopId}:${second}`;
  const redis = (await getQueue(QUEUE_NAMES.notices).client) as unknown as Redis;
  const count = Number(await redis.eval(`local n = redis.call('INCR', KEYS[1]) redis.call('PEXPIRE', KEYS[1], 2000) return n`, 1, key));
  if (count <= env().NOTICE_RATE_PER_SECOND) return 0;
  return (second + 1) * 1000 - now + Math.floor(Math.random() * 200);
}

// ---------------------------------------------------------------------------------------------
// Progress and the list

export interface NoticeProgress {
  total: number;
  queued: number;
  sending: number;
  sent: number;
  bounced: number;
  failed: number;
  /** Customers without an email address: they need another channel (phone, letter). */
  noEmail: number;
}

export async function noticeProgress(shopId: number, recallId: bigint, db: Db = pool()): Promise<NoticeProgress> {
  const r = await db.query<{ status: NoticeStatus; n: number }>(
    `select status, count(*)::int as n from recall_notices where shop_id = $1 and recall_id = $2 group by status`,
    [shopId, recallId],
  );
  const n = (s: NoticeStatus) => r.rows.find((x) => x.status === s)?.n ?? 0;
  return {
    total: r.rows.reduce((sum, x) => sum + x.n, 0),
    queued: n("QUEUED"),
    sending: n("SENDING"),
    sent: n("SENT"),
    bounced: n("BOUNCED"),
    failed: n("FAILED"),
    noEmail: n("NO_EMAIL"),
  };
}

export interface NoticeListRow {
  id: bigint;
  customerKey: string;
  customerName: string | null;
  email: string | null;
  orders: string;
  status: NoticeStatus;
  reason: string | null;
  sentAt: string | null;
  updatedAt: string;
}

/** Notices in some statuses (e.g. the ones needing attention: BOUNCED, FAILED, NO_EMAIL), by id, keyset after `afterId`. */
export async function listNotices(
  shopId: number,
  recallId: bigint,
  statuses: readonly NoticeStatus[],
  options: { afterId?: bigint | null; limit?: number } = {},
  db: Db = pool(),
): Promise<{ notices: NoticeListRow[]; nextAfterId: bigint | null }> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  const r = await db.query<{
    id: bigint;
    customer_key: string;
    customer_name: string | null;
    email: string | null;
    order_names: string;
    status: NoticeStatus;
    reason: string | null;
    sent_at: Date | null;
    updated_at: Date;
  }>(
    `select id, customer_key, customer_name, email, order_names, status, reason, sent_at, updated_at from recall_notices
      where shop_id = $1 and recall_id = $2 and status::text = any($3::text[]) and id > $4 order by id limit $5`,
    [shopId, recallId, statuses, options.afterId ?? 0n, limit + 1],
  );
  const more = r.rows.length > limit;
  const rows = r.rows.slice(0, limit);
  return {
    notices: rows.map((x) => ({
      id: x.id,
      customerKey: x.customer_key,
      customerName: x.customer_name,
      email: x.email,
      orders: x.order_names,
      status: x.status,
      reason: x.reason,
      sentAt: x.sent_at?.toISOString() ?? null,
      updatedAt: x.updated_at.toISOString(),
    })),
    nextAfterId: more ? rows[rows.length - 1]!.id : null,
  };
}

export interface RecallNoticesView {
  progress: NoticeProgress;
  /** Why "Send notices" is refused now (empty: it can be pressed). */
  blockers: string[];
  details: NoticeDetails;
  /** The recall's reason: the hazard the notice states when no hazard is written. */
  reason: string;
  /** First page of the notices needing the merchant: no email (another channel), bounced, failed. */
  attention: NoticeListRow[];
  moreAttention: boolean;
  /** Answers through the notice's link (decision 111): counts, who answered what, who needs a call. */
  responses: Awaited<ReturnType<typeof noticeResponses>>;
}

/** What the recall page shows about notices. */
export async function recallNoticesView(shopId: number, recallId: bigint, db: Db = pool()): Promise<RecallNoticesView> {
  const recall = await loadNoticeCase(db, shopId, recallId);
  if (!recall) throw new RecallNotFoundError(recallId.toString());
  const [progress, settings, attention, responses] = await Promise.all([
    noticeProgress(shopId, recallId, db),
    noticeSettings(db, shopId),
    listNotices(shopId, recallId, ["NO_EMAIL", "BOUNCED", "FAILED"], { limit: 50 }, db),
    noticeResponses(shopId, recallId, { limit: 50 }, db),
  ]);
  return {
    progress,
    blockers: noticeBlockers(recall, settings, env().SMTP_URL !== undefined),
    details: { hazard: recall.hazard, action: recall.action, remedy: recall.remedy, respond: recall.respond },
    reason: recall.reason,
    attention: attention.notices,
    moreAttention: attention.nextAfterId !== null,
    responses,
  };
}

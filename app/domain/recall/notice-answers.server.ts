// Customers answer a recall notice through its personal link (decision 111). The notice is found by
// the SHA-256 of the token AND the shop of the signed proxy request: a token mailed by one shop
// opens nothing under another shop's domain. Recording an answer replaces an earlier one and moves
// the customer's status in the case (nextContactStatus), in one transaction with the notice row.
import { createHash, randomBytes } from "node:crypto";
import { pool } from "../../db.server";
import { withTransaction, type Db } from "../../lib/sql.server";
import { DEFAULT_REMINDER_DAYS, MAX_REMINDERS, isRespondToken, nextContactStatus, type AnswerPageNotice, type NoticeAnswer } from "./notice-answer-rules";

/** 32 random bytes, base64url (43 characters): what the link carries. */
export function newRespondToken(): string {
  return randomBytes(32).toString("base64url");
}

/** What recall_notices.respond_token_hash stores: hex SHA-256 of the token. */
export function hashRespondToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

interface AnswerRow {
  id: bigint;
  shop_id: number;
  recall_id: bigint;
  customer_key: string;
  shop_domain: string;
  reference: string;
  recall_status: "OPEN" | "CLOSED";
  products: string;
  lot_numbers: string;
  hazard: string | null;
  reason: string;
  action: string | null;
  remedy: string | null;
  answer: NoticeAnswer | null;
  answer_note: string | null;
}

async function findByToken(db: Db, shopDomain: string, token: string, lock: boolean): Promise<AnswerRow | null> {
  if (!isRespondToken(token)) return null;
  const r = await db.query<AnswerRow>(
    `select n.id, n.shop_id, n.recall_id, n.customer_key, s.domain as shop_domain, r.reference, r.status as recall_status,
            n.products, n.lot_numbers, r.hazard, r.reason, r.action, r.remedy, n.answer, n.answer_note
       from recall_notices n join shops s on s.id = n.shop_id join recalls r on r.id = n.recall_id and r.shop_id = n.shop_id
      where n.respond_token_hash = $1 and s.domain = $2${lock ? " for update of n" : ""}`,
    [hashRespondToken(token), shopDomain],
  );
  return r.rows[0] ?? null;
}

function pageNotice(row: AnswerRow): AnswerPageNotice {
  return {
    shopName: row.shop_domain,
    reference: row.reference,
    products: row.products,
    lots: row.lot_numbers,
    hazard: row.hazard ?? row.reason,
    action: row.action ?? "",
    remedy: row.remedy ?? "",
    answer: row.answer,
    note: row.answer_note,
  };
}

/** What the answer page shows for this token in this shop; null: no such notice (404). */
export async function noticeForAnswer(shopDomain: string, token: string, db: Db = pool()): Promise<AnswerPageNotice | null> {
  const row = await findByToken(db, shopDomain, token, false);
  return row ? pageNotice(row) : null;
}

/**
 * Records the customer's answer (a second answer replaces the first) and updates the case. A
 * closed case keeps its final contact statuses: the answer is still recorded on the notice.
 * Returns the page's notice after the answer; null: no such notice.
 */
export async function recordNoticeAnswer(shopDomain: string, token: string, answer: NoticeAnswer, note: string | null): Promise<AnswerPageNotice | null> {
  return withTransaction(async (sql) => {
    const row = await findByToken(sql, shopDomain, token, true);
    if (!row) return null;
    await sql.query(`update recall_notices set answer = $2::"RecallNoticeAnswer", answer_note = $3, answered_at = now(), updated_at = now() where id = $1`, [
      row.id,
      answer,
      note,
    ]);
    if (row.recall_status === "OPEN") {
      const current = await sql.query<{ status: "TO_CONTACT" | "CONTACTED" | "RETURNED" | "DESTROYED" }>(
        `select status from recall_customers where shop_id = $1 and recall_id = $2 and customer_key = $3 for update`,
        [row.shop_id, row.recall_id, row.customer_key],
      );
      const status = current.rows[0]?.status;
      if (status) {
        const next = nextContactStatus(status, row.answer, answer);
        if (next !== status) {
          await sql.query(
            `update recall_customers set status = $4::"ContactStatus", updated_at = now() where shop_id = $1 and recall_id = $2 and customer_key = $3`,
            [row.shop_id, row.recall_id, row.customer_key, next],
          );
        }
      }
    }
    return pageNotice({ ...row, answer, answer_note: note });
  });
}

// ---------------------------------------------------------------------------------------------
// The merchant's view: who answered, who did not yet, who needs a call

export interface NoticeResponseCounts {
  answered: number;
  /** Reached (or being mailed) and not answered yet; reminders may still follow. */
  notAnswered: number;
  /** No email, bounced, failed, or no answer after the last reminder's days: the merchant calls or writes. */
  needsCall: number;
}

export interface NoticeResponseRow {
  id: bigint;
  customerKey: string;
  customerName: string | null;
  email: string | null;
  orders: string;
  status: string;
  reason: string | null;
  answer: NoticeAnswer | null;
  note: string | null;
  answeredAt: string | null;
  remindersSent: number;
}

// One definition of "needs a call", for the counts and the list alike.
const NEEDS_CALL = `n.answered_at is null and (n.status in ('NO_EMAIL', 'BOUNCED', 'FAILED') or (n.status = 'SENT' and n.reminders_sent >= $3
   and n.reminded_at <= now() - make_interval(days => coalesce((select reminder_days from recall_notice_settings s where s.shop_id = n.shop_id), $4))))`;

/** Counts, and the first `limit` of the answered and needs-a-call lists, by id. */
export async function noticeResponses(
  shopId: number,
  recallId: bigint,
  options: { limit?: number } = {},
  db: Db = pool(),
): Promise<{ counts: NoticeResponseCounts; answered: NoticeResponseRow[]; needsCall: NoticeResponseRow[]; moreAnswered: boolean; moreNeedsCall: boolean }> {
  const limit = Math.min(Math.max(options.limit ?? 50, 1), 500);
  const params = [shopId, recallId, MAX_REMINDERS, DEFAULT_REMINDER_DAYS];
  const counts = await db.query<NoticeResponseCounts>(
    `select count(*) filter (where n.answered_at is not null)::int as "answered",
            count(*) filter (where ${NEEDS_CALL})::int as "needsCall",
            count(*) filter (where n.answered_at is null and not (${NEEDS_CALL}))::int as "notAnswered"
       from recall_notices n where n.shop_id = $1 and n.recall_id = $2`,
    params,
  );
  const list = async (where: string, listParams: unknown[]) => {
    const r = await db.query<{
      id: bigint;
      customer_key: string;
      customer_name: string | null;
      email: string | null;
      order_names: string;
      status: string;
      reason: string | null;
      answer: NoticeAnswer | null;
      answer_note: string | null;
      answered_at: Date | null;
      reminders_sent: number;
    }>(
      `select n.id, n.customer_key, n.customer_name, n.email, n.order_names, n.status::text as status, n.reason, n.answer, n.answer_note, n.answered_at, n.reminders_sent
         from recall_notices n where n.shop_id = $1 and n.recall_id = $2 and ${where} order by n.id limit $${listParams.length + 1}`,
      [...listParams, limit + 1],
    );
    return r.rows.map((x) => ({
      id: x.id,
      customerKey: x.customer_key,
      customerName: x.customer_name,
      email: x.email,
      orders: x.order_names,
      status: x.status,
      reason: x.reason,
      answer: x.answer,
      note: x.answer_note,
      answeredAt: x.answered_at?.toISOString() ?? null,
      remindersSent: x.reminders_sent,
    }));
  };
  const [answered, needsCall] = await Promise.all([list(`n.answered_at is not null`, [shopId, recallId]), list(NEEDS_CALL, params)]);
  return {
    counts: counts.rows[0]!,
    answered: answered.slice(0, limit),
    needsCall: needsCall.slice(0, limit),
    moreAnswered: answered.length > limit,
    moreNeedsCall: needsCall.length > limit,
  };
}

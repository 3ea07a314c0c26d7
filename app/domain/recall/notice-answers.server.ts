// Customers answer a recall notice through its personal link (decision 111). The notice is found by
// the SHA-256 of the token AND the shop of the signed proxy request: a token mailed by one shop
// opens nothing under another shop's domain. Recording an answer replaces an earlier one and moves
// the customer's status in the case (nextContactStatus), in one transaction with the notice row.
import { pool } from "../../db.server";
import { withTransaction, type Db } from "../../lib/sql.server";
import { hashRespondToken, isRespondToken, nextContactStatus, type AnswerPageNotice, type NoticeAnswer } from "./notice-answer-rules";

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

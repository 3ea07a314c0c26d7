// A recall case: opened for one or more lots with a reason and a severity. Opening it, in one
// transaction: the scope (named lots + every lot downstream of them) is written to recall_lots,
// the remaining units of every lot in scope are quarantined (quarantineLot, which also moves
// them to quality_control in Shopify through the outbox) and the lots marked RECALLED, every
// customer who received units becomes a recall_customers row (TO_CONTACT), and, if the merchant
// asked for it, one outbox row per affected order and customer tags it in Shopify (tagsAdd,
// sent by the shopify-sync workers: queued, throttled by cost, idempotent per row).
// Progress of the tagging is the count of those outbox rows by status.
import { pool } from "../../db.server";
import { withTransaction, isUniqueViolation, type Db } from "../../lib/sql.server";
import { quarantineLot } from "../lots/quarantine.server";
import { queueReservationReplans } from "../reservations/replan.server";
import { addOutboxEntries, queueOutboxEntries } from "../sync/outbox.server";
import { addRecallFlowTriggers } from "../flow/flow-triggers.server";
import type { LedgerCause } from "../ledger/ledger.server";
import { InvalidCursorError, RecallClosedError, RecallInputError, RecallNotFoundError } from "./errors";
import {
  customersByKeys,
  findLotsByNumber,
  listLotCustomers,
  LOT_COLUMNS,
  recallScope,
  recallTotals,
  toScopeLot,
  type LotRow,
  type RecallCustomer,
  type RecallTotals,
  type ScopeLot,
} from "./recall-lookup.server";
import { CONTACT_STATUSES, completion, recallTag, validateOpenRecall, type ContactStatus, type RecallSeverity } from "./recall-rules";
import { parseId } from "../../lib/ids";
import { massBalanceOfLots, type ScopeMassBalance } from "./mass-balance.server";
import { recallEffectiveness } from "./recall-effectiveness.server";
import type { Effectiveness } from "./effectiveness-rules";

export interface OpenRecallInput {
  lots: { lotNumber: string; variantId?: bigint }[];
  reason: string;
  /** CLASS_I (serious harm) .. CLASS_III; "class_ii", "II", "2" are read too. */
  severity: RecallSeverity | (string & {});
  /** The merchant's case reference; default R-YYYYMMDD-<n>. Unique per shop. */
  reference?: string;
  /** Tag affected orders and customers in Shopify (tagsAdd). */
  tagShopify?: boolean;
  cause?: LedgerCause;
}

export interface RecallProgress {
  customers: number;
  toContact: number;
  contacted: number;
  returned: number;
  destroyed: number;
  /** Customers no longer TO_CONTACT, in percent (0-100, one decimal). 100 when there are none. */
  completionPercent: number;
  /** Customers RETURNED or DESTROYED, in percent. */
  resolvedPercent: number;
}

export interface TaggingProgress {
  tag: string;
  total: number;
  pending: number;
  sent: number;
  failed: number;
}

export interface RecallCase {
  id: bigint;
  reference: string;
  reason: string;
  severity: RecallSeverity;
  status: "OPEN" | "CLOSED";
  tagShopify: boolean;
  openedAt: string;
  closedAt: string | null;
  lots: ScopeLot[];
  totals: RecallTotals;
  progress: RecallProgress;
  tagging: TaggingProgress | null;
  /** Per lot in scope and in total: where every received unit went (decision 106). */
  massBalance: ScopeMassBalance;
  /** The FDA effectiveness-check level chosen and how far the case has come against it (decision 106). */
  effectiveness: Effectiveness;
}

export interface RecallSummary {
  id: bigint;
  reference: string;
  reason: string;
  severity: RecallSeverity;
  status: "OPEN" | "CLOSED";
  openedAt: string;
  closedAt: string | null;
  lotNumbers: string[];
  progress: RecallProgress;
}

export type RecallCaseCustomer = RecallCustomer & { contactStatus: ContactStatus; contactUpdatedAt: string | null };

// ---------------------------------------------------------------------------------------------

/** Tag jobs queued when a case opens; the outbox sweep feeds the rest. */
export const TAG_JOBS_QUEUED_AT_ONCE = 1000;

/** Opens a recall case. Throws LotNotFoundError for a lot this shop does not have, RecallInputError for bad input. */
export async function openRecall(shopId: number, input: OpenRecallInput): Promise<RecallCase> {
  const valid = validateOpenRecall(input);
  const cause = input.cause ?? "USER";
  const outcome = await withTransaction(async (sql) => {
    const direct: ScopeLot[] = [];
    for (const ref of valid.lots) {
      for (const lot of await findLotsByNumber(sql, shopId, ref.lotNumber, ref.variantId)) {
        if (!direct.some((d) => d.lotId === lot.lotId)) direct.push(lot);
      }
    }
    const scope = await recallScope(sql, shopId, direct);
    const reference = valid.reference ?? (await nextReference(sql, shopId));
    let recallId: bigint;
    try {
      await sql.query("savepoint open_recall");
      const inserted = await sql.query<{ id: bigint }>(
        `insert into recalls (shop_id, reference, reason, severity, tag_shopify) values ($1, $2, $3, $4::"RecallSeverity", $5) returning id`,
        [shopId, reference, valid.reason, valid.severity, valid.tagShopify],
      );
      recallId = inserted.rows[0]!.id;
    } catch (error) {
      await sql.query("rollback to savepoint open_recall");
      if (isUniqueViolation(error)) throw new RecallInputError(`recall reference "${reference}" is already used in this shop: choose another`);
      throw error;
    }
    await sql.query(`insert into recall_lots (recall_id, lot_id, shop_id, direct) select $1, unnest($2::bigint[]), $3, unnest($4::boolean[])`, [
      recallId,
      scope.map((l) => l.lotId),
      shopId,
      scope.map((l) => l.direct),
    ]);

    // Quarantine what is left, then mark RECALLED (lots in id order: the same lock order everywhere).
    const outboxIds: bigint[] = [];
    for (const lot of [...scope].sort((a, b) => (a.lotId < b.lotId ? -1 : 1))) {
      const q = await quarantineLot(sql, { shopId, lotId: lot.lotId, reason: `recall ${reference}: ${valid.reason}`, cause, causeRef: `recall:${recallId}` });
      outboxIds.push(...q.outboxIds);
    }
    await sql.query(`update lots set status = 'RECALLED', updated_at = now() where shop_id = $1 and id = any($2::bigint[])`, [
      shopId,
      scope.map((l) => l.lotId),
    ]);

    // Every customer who received units, as of now.
    await addRecallCustomers(
      sql,
      shopId,
      recallId,
      scope.map((l) => l.lotId),
      null,
    );

    // Flow triggers (decision 109) share the tags' window: queued now as far as it reaches, the rest by the sweep.
    const tagIds = [
      ...(valid.tagShopify ? await queueTagging(sql, shopId, recallId, reference, scope) : []),
      ...(await addRecallFlowTriggers(sql, shopId, recallId)),
    ];
    return { recallId, outboxIds, tagIds };
  });
  await queueOutboxEntries(outcome.outboxIds);
  // Tags: the first window is queued now; the outbox sweep queues the rest as pending rows drain
  // (it takes the oldest pending rows without a live job), so a 100k-customer recall never puts
  // 200k jobs in Redis at once. Shopify's rate limit is the real pace (a few tagsAdd a second).
  await queueOutboxEntries(outcome.tagIds.slice(0, TAG_JOBS_QUEUED_AT_ONCE));
  const recall = (await getRecall(shopId, outcome.recallId))!;
  // Orders holding units of the recalled lots move to other lots now, not at their next webhook.
  const recalledLots = recall.lots.map((l) => ({ lotId: l.lotId }));
  await queueReservationReplans(shopId, recalledLots);
  return recall;
}

/**
 * Adds the customers of the lots who are not in the case yet (TO_CONTACT). `since`: only
 * allocations changed from then on (an unknown-lot record resolved onto a recalled lot, or a
 * manual move, after the case was opened: moves update the row or insert a new one).
 */
async function addRecallCustomers(sql: Db, shopId: number, recallId: bigint, lotIds: bigint[], since: Date | null): Promise<void> {
  await sql.query(
    `insert into recall_customers (recall_id, customer_key, shop_id, status, updated_at)
     select distinct $1::bigint, k.customer_key, $2::int, 'TO_CONTACT'::"ContactStatus", now() from (
       select a.customer_key from allocations a
        where a.shop_id = $2 and a.lot_id = any($3::bigint[]) and a.status = 'ALLOCATED'
          and ($4::timestamptz is null or a.updated_at >= $4)
     ) k on conflict do nothing`,
    [recallId, shopId, lotIds, since],
  );
}

async function nextReference(sql: Db, shopId: number): Promise<string> {
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, "");
  const taken = await sql.query<{ n: number }>(`select count(*)::int as n from recalls where shop_id = $1 and reference like $2`, [shopId, `R-${day}-%`]);
  return `R-${day}-${taken.rows[0]!.n + 1}`;
}

/** One tags.add outbox row per affected order and per affected customer with a Shopify id. */
async function queueTagging(
  sql: Db,
  shopId: number,
  recallId: bigint,
  reference: string,
  scope: Pick<ScopeLot, "lotId">[],
  since: Date | null = null,
): Promise<bigint[]> {
  const tag = recallTag(reference);
  const targets = await sql.query<{ gid: string; key: string }>(
    `select distinct 'gid://shopify/Order/' || a.order_id as gid, 'order:' || a.order_id as key from allocations a
      where a.shop_id = $1 and a.lot_id = any($2::bigint[]) and a.status = 'ALLOCATED' and ($3::timestamptz is null or a.updated_at >= $3)
     union
     select distinct 'gid://shopify/Customer/' || a.customer_id, 'customer:' || a.customer_id from allocations a
      where a.shop_id = $1 and a.lot_id = any($2::bigint[]) and a.status = 'ALLOCATED' and a.customer_id is not null
        and ($3::timestamptz is null or a.updated_at >= $3)
     order by 2`,
    [shopId, scope.map((l) => l.lotId), since],
  );
  return addOutboxEntries(
    sql,
    targets.rows.map((t) => ({
      shopId,
      kind: "tags.add",
      payload: { id: t.gid, tags: [tag], recallId: recallId.toString() },
      idempotencyKey: `recall:${recallId}:tag:${t.key}`,
    })),
  );
}

// ---------------------------------------------------------------------------------------------

export interface RecallRow {
  id: bigint;
  reference: string;
  reason: string;
  severity: RecallSeverity;
  status: "OPEN" | "CLOSED";
  tag_shopify: boolean;
  opened_at: Date;
  closed_at: Date | null;
}

async function loadRecall(db: Db, shopId: number, recallId: bigint): Promise<RecallRow | null> {
  const r = await db.query<RecallRow>(
    `select id, reference, reason, severity, status, tag_shopify, opened_at, closed_at from recalls where shop_id = $1 and id = $2`,
    [shopId, recallId],
  );
  return r.rows[0] ?? null;
}

/** A recall id (digits) or its reference, within the shop. */
export async function findRecallId(shopId: number, idOrReference: string, db: Db = pool()): Promise<bigint | null> {
  const r = await db.query<{ id: bigint }>(
    `select id from recalls where shop_id = $1 and (reference = $2 or ($2 ~ '^[0-9]{1,18}$' and id = $2::bigint)) order by (reference = $2) desc limit 1`,
    [shopId, idOrReference],
  );
  return r.rows[0]?.id ?? null;
}

async function scopeOf(db: Db, shopId: number, recallId: bigint): Promise<ScopeLot[]> {
  const r = await db.query<LotRow & { direct: boolean }>(
    `select ${LOT_COLUMNS}, rl.direct
       from recall_lots rl join lots l on l.id = rl.lot_id and l.shop_id = rl.shop_id
      where rl.shop_id = $1 and rl.recall_id = $2 order by rl.direct desc, l.lot_number, l.id`,
    [shopId, recallId],
  );
  return r.rows.map((x) => toScopeLot(x, x.direct, x.direct ? 0 : 1));
}

async function progressOf(db: Db, shopId: number, recallIds: bigint[]): Promise<Map<bigint, RecallProgress>> {
  const r = await db.query<{ recall_id: bigint; status: ContactStatus; n: number }>(
    `select recall_id, status, count(*)::int as n from recall_customers where shop_id = $1 and recall_id = any($2::bigint[]) group by 1, 2`,
    [shopId, recallIds],
  );
  const map = new Map<bigint, RecallProgress>();
  for (const id of recallIds) {
    const counts = { TO_CONTACT: 0, CONTACTED: 0, RETURNED: 0, DESTROYED: 0 };
    for (const row of r.rows) if (row.recall_id === id) counts[row.status] = row.n;
    map.set(id, completion(counts));
  }
  return map;
}

async function taggingOf(db: Db, shopId: number, recall: RecallRow): Promise<TaggingProgress | null> {
  if (!recall.tag_shopify) return null;
  const r = await db.query<{ status: string; n: number }>(
    `select status, count(*)::int as n from outbox_entries
      where shop_id = $1 and kind = 'tags.add' and payload->>'recallId' = $2 group by status`,
    [shopId, recall.id.toString()],
  );
  const n = (s: string) => r.rows.find((x) => x.status === s)?.n ?? 0;
  return { tag: recallTag(recall.reference), total: n("PENDING") + n("SENT") + n("FAILED"), pending: n("PENDING"), sent: n("SENT"), failed: n("FAILED") };
}

/** The case with its scope, totals, contact progress and Shopify tagging progress; null if not in this shop. */
export async function getRecall(shopId: number, recallId: bigint, db: Db = pool()): Promise<RecallCase | null> {
  const recall = await loadRecall(db, shopId, recallId);
  if (!recall) return null;
  const lots = await scopeOf(db, shopId, recallId);
  // Units can still reach a customer from a recalled lot after opening (a manual allocation
  // move): such customers join the case as TO_CONTACT, so progress never overstates completion.
  // Their orders and customers are tagged too when the case tags (rows only: the outbox sweep
  // queues pending rows; the idempotency key makes a repeat a no-op).
  if (recall.status === "OPEN") {
    await withTransaction(async (sql) => {
      await addRecallCustomers(
        sql,
        shopId,
        recallId,
        lots.map((l) => l.lotId),
        recall.opened_at,
      );
      if (recall.tag_shopify) await queueTagging(sql, shopId, recallId, recall.reference, lots, recall.opened_at);
    });
  }
  const lotIds = lots.map((l) => l.lotId);
  const [totals, progress, tagging, massBalance] = await Promise.all([
    recallTotals(db, shopId, lots),
    progressOf(db, shopId, [recallId]),
    taggingOf(db, shopId, recall),
    massBalanceOfLots(db, shopId, lotIds),
  ]);
  const effectiveness = await recallEffectiveness(db, shopId, recallId, lotIds, progress.get(recallId)!);
  return {
    id: recall.id,
    reference: recall.reference,
    reason: recall.reason,
    severity: recall.severity,
    status: recall.status,
    tagShopify: recall.tag_shopify,
    openedAt: recall.opened_at.toISOString(),
    closedAt: recall.closed_at?.toISOString() ?? null,
    lots,
    totals,
    progress: progress.get(recallId)!,
    tagging,
    massBalance,
    effectiveness,
  };
}

/**
 * One page of the case's customers with each one's contact status. Without a status filter: every
 * customer who received units (keyset by customer, see customer-key.ts). With `status`: only the
 * customers in that status, keyset by customer key (e.g. "who is still to contact").
 */
export async function listRecallCustomers(
  shopId: number,
  recallId: bigint,
  cursor?: string | null,
  options: { limit?: number; status?: ContactStatus } = {},
  db: Db = pool(),
): Promise<{ customers: RecallCaseCustomer[]; nextCursor: string | null }> {
  const recall = await loadRecall(db, shopId, recallId);
  if (!recall) throw new RecallNotFoundError(recallId.toString());
  const lots = await scopeOf(db, shopId, recallId);
  if (options.status) return customersInStatus(db, shopId, recallId, lots, options.status, cursor, options.limit);
  const page = await listLotCustomers(db, shopId, lots, { cursor, limit: options.limit });
  const statuses = await db.query<{ customer_key: string; status: ContactStatus; updated_at: Date }>(
    `select customer_key, status, updated_at from recall_customers where shop_id = $1 and recall_id = $2 and customer_key = any($3::text[])`,
    [shopId, recallId, page.customers.map((c) => c.customerKey)],
  );
  const byKey = new Map(statuses.rows.map((s) => [s.customer_key, s]));
  return {
    customers: page.customers.map((c) => {
      const s = byKey.get(c.customerKey);
      return { ...c, contactStatus: s?.status ?? "TO_CONTACT", contactUpdatedAt: s ? s.updated_at.toISOString() : null };
    }),
    nextCursor: page.nextCursor,
  };
}

async function customersInStatus(
  db: Db,
  shopId: number,
  recallId: bigint,
  lots: ScopeLot[],
  status: ContactStatus,
  cursor: string | null | undefined,
  limit = 50,
): Promise<{ customers: RecallCaseCustomer[]; nextCursor: string | null }> {
  if (!CONTACT_STATUSES.includes(status)) throw new RecallInputError(`unknown contact status "${status}"`);
  const size = Math.min(Math.max(Number.isInteger(limit) && limit > 0 ? limit : 50, 1), 500);
  let after: string | null = null;
  if (cursor) {
    const raw = Buffer.from(cursor, "base64url").toString("utf8");
    if (!raw.startsWith("s:")) throw new InvalidCursorError(cursor);
    after = raw.slice(2);
  }
  const page = await db.query<{ customer_key: string; updated_at: Date }>(
    `select customer_key, updated_at from recall_customers
      where shop_id = $1 and recall_id = $2 and status = $3::"ContactStatus" and ($4::text is null or customer_key > $4::text)
      order by customer_key limit $5`,
    [shopId, recallId, status, after, size + 1],
  );
  const rows = page.rows.slice(0, size);
  const customers = await customersByKeys(
    db,
    shopId,
    lots,
    rows.map((r) => r.customer_key),
  );
  const updated = new Map(rows.map((r) => [r.customer_key, r.updated_at.toISOString()]));
  return {
    customers: customers.map((c) => ({ ...c, contactStatus: status, contactUpdatedAt: updated.get(c.customerKey) ?? null })),
    nextCursor: page.rows.length > size ? Buffer.from(`s:${rows[rows.length - 1]!.customer_key}`, "utf8").toString("base64url") : null,
  };
}

/** Records where a customer of the case stands. The key is the customerKey of listRecallCustomers. */
export async function setCustomerContactStatus(
  shopId: number,
  recallId: bigint,
  customerKey: string,
  status: ContactStatus,
): Promise<{ customerKey: string; status: ContactStatus; progress: RecallProgress }> {
  if (!["TO_CONTACT", "CONTACTED", "RETURNED", "DESTROYED"].includes(status)) {
    throw new RecallInputError(`unknown contact status "${status}": use TO_CONTACT, CONTACTED, RETURNED or DESTROYED`);
  }
  return withTransaction(async (sql) => {
    const recall = await sql.query<{ status: string }>(`select status from recalls where shop_id = $1 and id = $2 for update`, [shopId, recallId]);
    if (!recall.rows[0]) throw new RecallNotFoundError(recallId.toString());
    if (recall.rows[0].status === "CLOSED") throw new RecallClosedError(recallId.toString());
    const updated = await sql.query(
      `update recall_customers set status = $4::"ContactStatus", updated_at = now() where shop_id = $1 and recall_id = $2 and customer_key = $3`,
      [shopId, recallId, customerKey, status],
    );
    if (updated.rowCount === 0)
      throw new RecallInputError(`customer "${customerKey}" is not in recall ${recallId}: use a customerKey from the recall's customer list`);
    const progress = await progressOf(sql, shopId, [recallId]);
    return { customerKey, status, progress: progress.get(recallId)! };
  });
}

/**
 * Closes the case. The lots stay RECALLED and quarantined: recalled units must not go back on sale
 * by themselves. Once no open recall covers a lot, the merchant can release it (releaseLot, lot
 * page or `lotkeeper lots release`); while one does, the release is refused naming the recall.
 */
export async function closeRecall(shopId: number, recallId: bigint): Promise<RecallCase> {
  await withTransaction(async (sql) => {
    const recall = await sql.query<{ status: string }>(`select status from recalls where shop_id = $1 and id = $2 for update`, [shopId, recallId]);
    if (!recall.rows[0]) throw new RecallNotFoundError(recallId.toString());
    if (recall.rows[0].status === "CLOSED") throw new RecallClosedError(recallId.toString());
    await sql.query(`update recalls set status = 'CLOSED', closed_at = now() where shop_id = $1 and id = $2`, [shopId, recallId]);
  });
  return (await getRecall(shopId, recallId))!;
}

export type RecallListSort = "newest" | "oldest";

export interface ListRecallsOptions {
  status?: "OPEN" | "CLOSED";
  /** By opened date: newest first (default) or oldest first. */
  sort?: RecallListSort;
  /** The nextCursor of the previous page (same sort and status), or none for the first page. */
  cursor?: string | null;
  /** Page size, 1-500 (default 50). */
  limit?: number;
}

function encodeRecallCursor(openedAt: string, id: bigint): string {
  return Buffer.from(`r:${openedAt}|${id}`, "utf8").toString("base64url");
}

function decodeRecallCursor(cursor: string): [string, bigint] {
  const m = /^r:(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6})\|(\d{1,19})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  const id = m ? parseId(m[2]) : null;
  if (!m || id === null) throw new InvalidCursorError(cursor);
  return [m[1]!, id];
}

/**
 * The shop's recall cases by opened date (newest first unless sort "oldest"), keyset-paged:
 * { recalls, nextCursor } with nextCursor null on the last page. InvalidCursorError for a cursor
 * this list did not give out.
 */
export async function listRecalls(
  shopId: number,
  options: ListRecallsOptions = {},
  db: Db = pool(),
): Promise<{ recalls: RecallSummary[]; nextCursor: string | null }> {
  const size = Math.min(Math.max(Number.isInteger(options.limit) && options.limit! > 0 ? options.limit! : 50, 1), 500);
  const desc = (options.sort ?? "newest") !== "oldest";
  const after = options.cursor ? decodeRecallCursor(options.cursor) : null;
  const r = await db.query<RecallRow & { lot_numbers: string[]; opened_key: string }>(
    `select r.id, r.reference, r.reason, r.severity, r.status, r.tag_shopify, r.opened_at, r.closed_at,
            to_char(r.opened_at, 'YYYY-MM-DD"T"HH24:MI:SS.US') as opened_key,
            coalesce((select array_agg(distinct l.lot_number order by l.lot_number) from recall_lots rl join lots l on l.id = rl.lot_id
                       where rl.recall_id = r.id and rl.shop_id = r.shop_id and rl.direct), '{}') as lot_numbers
       from recalls r
      where r.shop_id = $1 and ($2::text is null or r.status::text = $2)
        and ($3::timestamp is null or (r.opened_at, r.id) ${desc ? "<" : ">"} ($3::timestamp, $4::bigint))
      order by r.opened_at ${desc ? "desc" : "asc"}, r.id ${desc ? "desc" : "asc"} limit $5`,
    [shopId, options.status ?? null, after?.[0] ?? null, after?.[1] ?? null, size + 1],
  );
  const more = r.rows.length > size;
  if (more) r.rows.length = size;
  const last = r.rows[r.rows.length - 1];
  const nextCursor = more && last ? encodeRecallCursor(last.opened_key, last.id) : null;
  const progress = await progressOf(
    db,
    shopId,
    r.rows.map((x) => x.id),
  );
  const recalls = r.rows.map((x) => ({
    id: x.id,
    reference: x.reference,
    reason: x.reason,
    severity: x.severity,
    status: x.status,
    openedAt: x.opened_at.toISOString(),
    closedAt: x.closed_at?.toISOString() ?? null,
    lotNumbers: x.lot_numbers,
    progress: progress.get(x.id)!,
  }));
  return { recalls, nextCursor };
}

// "What needs attention now", for the admin home page: one indexed query per item, all scoped to
// the shop. Counts plus the first few rows so the merchant can act from the page.
import { unitSum, type Db } from "../../lib/sql.server";
import { failureInPlainWords } from "../webhooks/events.server";
import { dayIn } from "../shops/shop-day";

export interface AttentionLot {
  lotId: bigint;
  lotNumber: string;
  product: string;
  expiresOn: string | null;
  status: string;
  onHand: number;
}

export interface Attention {
  expiringSoon: { count: number; lots: AttentionLot[] };
  quarantinedOrRecalled: { count: number; lots: AttentionLot[] };
  unknownLotUnits: { units: number; allocations: number };
  openDiscrepancies: number;
  failedWebhooks: number;
  openRecalls: { count: number; recalls: { id: bigint; reference: string; reason: string; openedAt: Date }[] };
  pendingSync: number;
  incompleteLots: number;
  /** The shop's alert window (days before expiry, Settings: Expiry check). */
  expiryWindowDays: number;
  /** What the last daily expiry check found (its task lists the lots), or null before the first. */
  lastExpiryCheck: { taskId: bigint; day: string; expired: number; alerted: number; digest: string | null } | null;
}

const LIST = 5;

export async function attentionFor(sql: Db, shopId: number, shopDomain: string, today = new Date()): Promise<Attention> {
  const shop = await sql.query<{ iana_timezone: string | null; expiry_alert_days: number }>(
    "select iana_timezone, expiry_alert_days from shops where id = $1",
    [shopId],
  );
  const day = dayIn(shop.rows[0]?.iana_timezone, today);
  const windowDays = shop.rows[0]?.expiry_alert_days ?? 30;
  const lotColumns = `l.id, l.lot_number, coalesce(v.product_title || coalesce(' - ' || nullif(v.title, 'Default Title'), ''), v.sku, 'Variant ' || l.variant_id) as product,
      l.expires_on, l.status::text as status, coalesce((select sum(b.quantity) from lot_balances b where b.lot_id = l.id), 0)::bigint as on_hand`;
  const [expiring, expiringCount, held, heldCount, unknown, discrepancies, failed, recalls, recallCount, pending, incomplete, lastCheck] = await Promise.all([
    sql.query(
      `select ${lotColumns} from lots l left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id
        where l.shop_id = $1 and l.status = 'ACTIVE' and l.expires_on <= $2::date + $3::int
          and exists (select 1 from lot_balances b where b.lot_id = l.id and b.quantity > 0)
        order by l.expires_on, l.id limit ${LIST}`,
      [shopId, day, windowDays],
    ),
    sql.query(
      `select count(*)::int as n from lots l where l.shop_id = $1 and l.status = 'ACTIVE' and l.expires_on <= $2::date + $3::int
          and exists (select 1 from lot_balances b where b.lot_id = l.id and b.quantity > 0)`,
      [shopId, day, windowDays],
    ),
    sql.query(
      `select ${lotColumns} from lots l left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id
        where l.shop_id = $1 and l.status in ('QUARANTINED', 'RECALLED') order by l.updated_at desc, l.id limit ${LIST}`,
      [shopId],
    ),
    sql.query(`select count(*)::int as n from lots where shop_id = $1 and status in ('QUARANTINED', 'RECALLED')`, [shopId]),
    sql.query(
      `select coalesce(sum(quantity - returned_quantity), 0)::bigint as units, count(*)::int as n from allocations
        where shop_id = $1 and unknown_lot and status = 'ALLOCATED'`,
      [shopId],
    ),
    sql.query(`select count(*)::int as n from discrepancies where shop_id = $1 and status = 'OPEN'`, [shopId]),
    sql.query(`select count(*)::int as n from webhook_events where shop_domain = $1 and status = 'FAILED'`, [shopDomain]),
    sql.query(`select id, reference, reason, opened_at from recalls where shop_id = $1 and status = 'OPEN' order by opened_at desc limit ${LIST}`, [shopId]),
    sql.query(`select count(*)::int as n from recalls where shop_id = $1 and status = 'OPEN'`, [shopId]),
    sql.query(`select count(*)::int as n from outbox_entries where shop_id = $1 and status <> 'SENT'`, [shopId]),
    sql.query(`select count(*)::int as n from lots where shop_id = $1 and incomplete`, [shopId]),
    sql.query<{ task_id: bigint; day: string; expired: number; alerted: number; digest: string | null }>(
      `select r.task_id, to_char(r.day, 'YYYY-MM-DD') as day, r.digest_reason as digest, coalesce((t.result -> 'expire' ->> 'count')::int, 0) as expired,
              coalesce((t.result -> 'alerts' ->> 'count')::int, 0) as alerted
         from expiry_runs r left join tasks t on t.id = r.task_id and t.shop_id = r.shop_id
        where r.shop_id = $1 order by r.day desc limit 1`,
      [shopId],
    ),
  ]);
  const lots = (rows: Record<string, unknown>[]): AttentionLot[] =>
    rows.map((r) => ({
      lotId: r.id as bigint,
      lotNumber: r.lot_number as string,
      product: r.product as string,
      expiresOn: (r.expires_on as string | null) ?? null,
      status: r.status as string,
      onHand: unitSum(r.on_hand),
    }));
  const n = (result: { rows: Record<string, unknown>[] }) => Number(result.rows[0]?.n ?? 0);
  return {
    expiringSoon: { count: n(expiringCount), lots: lots(expiring.rows) },
    quarantinedOrRecalled: { count: n(heldCount), lots: lots(held.rows) },
    unknownLotUnits: { units: unitSum(unknown.rows[0]?.units), allocations: n(unknown) },
    openDiscrepancies: n(discrepancies),
    failedWebhooks: n(failed),
    openRecalls: {
      count: n(recallCount),
      recalls: recalls.rows.map((r) => ({ id: r.id as bigint, reference: r.reference as string, reason: r.reason as string, openedAt: r.opened_at as Date })),
    },
    pendingSync: n(pending),
    incompleteLots: n(incomplete),
    expiryWindowDays: windowDays,
    lastExpiryCheck: lastCheck.rows[0]
      ? {
          taskId: lastCheck.rows[0].task_id,
          day: lastCheck.rows[0].day,
          expired: lastCheck.rows[0].expired,
          alerted: lastCheck.rows[0].alerted,
          digest: lastCheck.rows[0].digest,
        }
      : null,
  };
}

export interface TaskRow {
  id: bigint;
  kind: string;
  status: "RUNNING" | "DONE" | "FAILED";
  done: number;
  total: number;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Long operations of the shop (imports, exports, tagging), newest first, keyset-paged by id. */
export async function listTasks(
  sql: Db,
  shopId: number,
  options: { beforeId?: bigint | null; limit?: number } = {},
): Promise<{ tasks: TaskRow[]; nextCursor: string | null }> {
  const limit = options.limit ?? 25;
  const r = await sql.query<{
    id: bigint;
    kind: string;
    status: TaskRow["status"];
    done: number;
    total: number;
    error: string | null;
    created_at: Date;
    updated_at: Date;
  }>(
    `select id, kind, status, done, total, error, created_at, updated_at from tasks
      where shop_id = $1 and ($2::bigint is null or id < $2) order by id desc limit $3`,
    [shopId, options.beforeId ?? null, limit + 1],
  );
  const rows = r.rows.slice(0, limit);
  return {
    tasks: rows.map((t) => ({
      id: t.id,
      kind: t.kind,
      status: t.status,
      done: t.done,
      total: t.total,
      error: t.error,
      createdAt: t.created_at,
      updatedAt: t.updated_at,
    })),
    nextCursor: r.rows.length > limit ? rows.at(-1)!.id.toString() : null,
  };
}

/** One task of the shop with its result (null for another shop's id: the page answers 404). */
export async function findTask(sql: Db, shopId: number, taskId: bigint): Promise<(TaskRow & { result: unknown }) | null> {
  const r = await sql.query<{
    id: bigint;
    kind: string;
    status: TaskRow["status"];
    done: number;
    total: number;
    error: string | null;
    result: unknown;
    created_at: Date;
    updated_at: Date;
  }>(`select id, kind, status, done, total, error, result, created_at, updated_at from tasks where shop_id = $1 and id = $2`, [shopId, taskId]);
  const t = r.rows[0];
  return t
    ? {
        id: t.id,
        kind: t.kind,
        status: t.status,
        done: t.done,
        total: t.total,
        error: t.error,
        result: t.result,
        createdAt: t.created_at,
        updatedAt: t.updated_at,
      }
    : null;
}

/** Failed webhook deliveries of the shop (the newest 50), with the stored reason in plain words. */
export async function failedWebhookEvents(sql: Db, shopDomain: string) {
  const r = await sql.query<{ webhook_id: string; topic: string; attempts: number; last_error: string | null; received_at: Date }>(
    `select webhook_id, topic, attempts, last_error, received_at from webhook_events
      where shop_domain = $1 and status = 'FAILED' order by received_at desc limit 50`,
    [shopDomain],
  );
  return r.rows.map((e) => ({
    webhookId: e.webhook_id,
    topic: e.topic,
    attempts: e.attempts,
    error: failureInPlainWords(e.last_error),
    receivedAt: e.received_at,
  }));
}

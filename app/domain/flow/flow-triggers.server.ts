// Shopify Flow triggers (docs/decisions/109-flow-triggers-and-action.md). The use case that causes
// the event (opening a recall, quarantining a lot) only writes outbox rows of kind "flow.trigger"
// in its own transaction; the shopify-sync worker sends each as flowTriggerReceive. One row per
// event: per recall ("recall-opened"), per (recall, customer) ("recall-customer-affected"), per
// quarantine ledger entry ("lot-quarantined"), so a rerun or a retry never starts a workflow twice
// from the app's side.
import type { Db } from "../../lib/sql.server";
import { adminMutation, FLOW_TRIGGER_RECEIVE_MUTATION } from "../../lib/shopify-admin.server";
import { addOutboxEntries, addOutboxEntry, registerOutboxSender } from "../sync/outbox.server";
import {
  customerAffectedPayload,
  FLOW_TRIGGER_KIND,
  FLOW_TRIGGERS,
  lotExpiringSoonPayload,
  lotQuarantinedPayload,
  recallOpenedPayload,
  type FlowTriggerEntry,
  type LotExpiringSoonFacts,
} from "./flow-rules";

/**
 * Outbox rows for a recall just opened: "Recall opened" first, then one "Customer affected by
 * recall" per customer of the case with an email address (a guest order without one, or a
 * redacted customer, has nobody to write to). Call in the transaction that opened it, after
 * its customers were recorded. Returns the row ids, oldest first, to queue after commit.
 */
export async function addRecallFlowTriggers(sql: Db, shopId: number, recallId: bigint): Promise<bigint[]> {
  const recall = await sql.query<{ reference: string; reason: string; severity: string; lots: string[] | null; customers: number }>(
    `select r.reference, r.reason, r.severity::text as severity,
            (select array_agg(distinct l.lot_number order by l.lot_number) from recall_lots rl join lots l on l.id = rl.lot_id
              where rl.recall_id = r.id and rl.shop_id = r.shop_id) as lots,
            (select count(*)::int from recall_customers rc where rc.recall_id = r.id and rc.shop_id = r.shop_id) as customers
       from recalls r where r.shop_id = $1 and r.id = $2`,
    [shopId, recallId],
  );
  const r = recall.rows[0];
  if (!r) return [];
  const opened = await addOutboxEntry(sql, {
    shopId,
    kind: FLOW_TRIGGER_KIND,
    idempotencyKey: `recall:${recallId}:flow:opened`,
    payload: {
      handle: FLOW_TRIGGERS.recallOpened,
      payload: recallOpenedPayload({ reference: r.reference, reason: r.reason, severity: r.severity, lotNumbers: r.lots ?? [], customers: r.customers }),
    } satisfies FlowTriggerEntry,
  });
  const customers = await sql.query<{ customer_key: string; email: string | null; name: string | null; orders: string[]; lots: string[]; products: string[] }>(
    `select rc.customer_key,
            min(case when not o.redacted then coalesce(nullif(o.customer_email, ''), nullif(o.email, '')) end) as email,
            min(case when not o.redacted then o.customer_name end) as name,
            coalesce(array_agg(distinct o.name order by o.name) filter (where o.name is not null), '{}') as orders,
            array_agg(distinct l.lot_number order by l.lot_number) as lots,
            coalesce(array_agg(distinct coalesce(v.product_title, v.title)) filter (where coalesce(v.product_title, v.title) is not null), '{}') as products
       from recall_customers rc
       join allocations a on a.shop_id = rc.shop_id and a.customer_key = rc.customer_key and a.status = 'ALLOCATED'
       join recall_lots rl on rl.recall_id = rc.recall_id and rl.shop_id = rc.shop_id and rl.lot_id = a.lot_id
       join lots l on l.id = a.lot_id
       left join orders o on o.shop_id = a.shop_id and o.id = a.order_id
       left join variants v on v.shop_id = a.shop_id and v.id = a.variant_id
      where rc.shop_id = $1 and rc.recall_id = $2
      group by rc.customer_key
      order by rc.customer_key`,
    [shopId, recallId],
  );
  const rows = customers.rows.filter((c) => c.email);
  const ids = await addOutboxEntries(
    sql,
    rows.map((c) => ({
      shopId,
      kind: FLOW_TRIGGER_KIND,
      idempotencyKey: `recall:${recallId}:flow:customer:${c.customer_key}`,
      payload: {
        handle: FLOW_TRIGGERS.customerAffected,
        payload: customerAffectedPayload({
          email: c.email!,
          name: c.name,
          orderNames: c.orders,
          lotNumbers: c.lots,
          productTitles: c.products,
          reason: r.reason,
          reference: r.reference,
        }),
      } satisfies FlowTriggerEntry,
    })),
  );
  return [opened, ...ids.filter((id) => id !== opened)];
}

export interface LotQuarantinedEvent {
  shopId: number;
  lotId: bigint;
  lotNumber: string;
  reason: string;
  /** The first QUARANTINED ledger entry of this quarantine: the event's identity. */
  ledgerEntryId: bigint;
  locations: readonly { quantity: number }[];
}

/** The "Lot quarantined" outbox row of one quarantine, in the caller's transaction. */
export async function addLotQuarantinedTrigger(sql: Db, e: LotQuarantinedEvent): Promise<bigint> {
  const product = await sql.query<{ title: string | null }>(
    `select coalesce(v.product_title, v.title) as title from lots l left join variants v on v.shop_id = l.shop_id and v.id = l.variant_id
      where l.shop_id = $1 and l.id = $2`,
    [e.shopId, e.lotId],
  );
  return addOutboxEntry(sql, {
    shopId: e.shopId,
    kind: FLOW_TRIGGER_KIND,
    idempotencyKey: `ledger:${e.ledgerEntryId}:flow`,
    payload: {
      handle: FLOW_TRIGGERS.lotQuarantined,
      payload: lotQuarantinedPayload({
        lotNumber: e.lotNumber,
        productTitle: product.rows[0]?.title ?? null,
        reason: e.reason,
        units: e.locations.reduce((n, l) => n + l.quantity, 0),
        locations: e.locations.length,
      }),
    } satisfies FlowTriggerEntry,
  });
}

/** One "Lot expiring soon" outbox row per alert the daily expiry check recorded (keyed by the expiry event), in its transaction. */
export async function addLotExpiringSoonTriggers(sql: Db, shopId: number, alerts: readonly (LotExpiringSoonFacts & { eventId: bigint })[]): Promise<bigint[]> {
  return addOutboxEntries(
    sql,
    alerts.map(({ eventId, ...facts }) => ({
      shopId,
      kind: FLOW_TRIGGER_KIND,
      idempotencyKey: `expiry-event:${eventId}:flow`,
      payload: { handle: FLOW_TRIGGERS.lotExpiringSoon, payload: lotExpiringSoonPayload(facts) } satisfies FlowTriggerEntry,
    })),
  );
}

// flowTriggerReceive has no @idempotent: a send that timed out after Flow received it and is
// retried starts the workflows a second time (decision 109). userErrors (e.g. a handle not
// deployed) mark the row FAILED for the merchant to see, like any refused change.
registerOutboxSender(FLOW_TRIGGER_KIND, async (row) => {
  const entry = row.payload as FlowTriggerEntry;
  const result = await adminMutation(row.shopDomain, FLOW_TRIGGER_RECEIVE_MUTATION, "flowTriggerReceive", { handle: entry.handle, payload: entry.payload });
  return result.cost;
});

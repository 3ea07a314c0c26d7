// A mock recall (drill): the whole trace and the mass balance of a lot, exactly as opening a
// recall would find them, but WITHOUT touching Shopify or customers: no quarantine, no outbox row,
// no recall case, no contact status. The trace runs in one READ ONLY transaction (Postgres itself
// refuses any write, so no step can change the shop by accident) on one snapshot (repeatable read:
// the steps agree with each other). Every step is timed; the report is kept in recall_drills.
// The report holds counts only, never a customer's name or address (nothing for customers/redact to find).
import { pool } from "../../db.server";
import { withTransaction, type Db } from "../../lib/sql.server";
import { upstreamLots } from "../genealogy/genealogy.server";
import { findLotsByNumber, listLotCustomers, listPossiblyAffected, MAX_PAGE_SIZE, recallScope, recallTotals, type ScopeLot } from "./recall-lookup.server";
import { massBalanceOfLots } from "./mass-balance.server";
import type { MassBalance } from "./mass-balance-rules";

export interface DrillStep {
  name: string;
  ms: number;
  /** What the step found (lots, customers, units ...), for the report. */
  count: number;
}

export interface DrillLot {
  lotId: string;
  lotNumber: string;
  variantId: string;
  direct: boolean;
  depth: number;
  supplier: string | null;
  supplierLot: string | null;
  massBalance: MassBalance & { consumed: number };
}

/** The drill report: the CLI prints it as is, the panel lists it, recall_drills.report stores it. */
export interface DrillReport {
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  lots: DrillLot[];
  customers: number;
  massBalance: MassBalance;
  steps: DrillStep[];
}

export interface DrillInput {
  lotNumber: string;
  variantId?: bigint;
}

export interface DrillSummary {
  id: bigint;
  lotNumber: string;
  variantId: bigint | null;
  startedAt: string;
  finishedAt: string;
  durationMs: number;
  customers: number;
  unexplained: number;
}

const elapsed = (from: number) => Math.round((performance.now() - from) * 10) / 10;

/** Runs the timed steps in order; each returns what it found and a count for the report. */
class StepClock {
  readonly steps: DrillStep[] = [];
  async step<T>(name: string, run: () => Promise<T>, count: (value: T) => number): Promise<T> {
    const from = performance.now();
    const value = await run();
    this.steps.push({ name, ms: elapsed(from), count: count(value) });
    return value;
  }
}

/** Every customer of the scope, page by page (keyset, as the recall list pages), counted. */
async function countCustomers(db: Db, shopId: number, lots: ScopeLot[]): Promise<number> {
  let customers = 0;
  let cursor: string | null = null;
  do {
    const page = await listLotCustomers(db, shopId, lots, { cursor, limit: MAX_PAGE_SIZE });
    customers += page.customers.length;
    cursor = page.nextCursor;
  } while (cursor);
  return customers;
}

async function traceForDrill(sql: Db, shopId: number, input: DrillInput, clock: StepClock) {
  // Before any query: the whole transaction reads, and Postgres refuses a write (SQLSTATE 25006).
  await sql.query("set transaction read only");
  const direct = await clock.step(
    "find lots",
    () => findLotsByNumber(sql, shopId, input.lotNumber, input.variantId),
    (l) => l.length,
  );
  const lots = await clock.step(
    "downstream lots",
    () => recallScope(sql, shopId, direct),
    (l) => l.length - direct.length,
  );
  const lotIds = lots.map((l) => l.lotId);
  await clock.step(
    "upstream lots and suppliers",
    () => upstreamLots(sql, shopId, lotIds),
    (l) => l.length,
  );
  const customers = await clock.step(
    "customers",
    () => countCustomers(sql, shopId, lots),
    (n) => n,
  );
  await clock.step(
    "on hand and shipments",
    () => recallTotals(sql, shopId, lots),
    (t) => t.shipmentLines,
  );
  await clock.step(
    "possibly affected (unknown lot)",
    () => listPossiblyAffected(sql, shopId, lots, { limit: 1 }),
    (p) => p.count,
  );
  const balance = await clock.step(
    "mass balance",
    () => massBalanceOfLots(sql, shopId, lotIds),
    (b) => b.lots.length,
  );
  return { lots, customers, balance };
}

/** Runs a drill for the lot (LotNotFoundError when the shop has none with that number) and keeps its report. */
export async function runRecallDrill(shopId: number, input: DrillInput): Promise<DrillReport & { id: bigint }> {
  const startedAt = new Date();
  const from = performance.now();
  const clock = new StepClock();
  const { lots, customers, balance } = await withTransaction((sql) => traceForDrill(sql, shopId, input, clock), { isolation: "repeatable read" });
  const durationMs = Math.round(performance.now() - from);
  const finishedAt = new Date(startedAt.getTime() + durationMs);
  const byId = new Map(balance.lots.map((b) => [b.lotId, b]));
  const report: DrillReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    durationMs,
    lots: lots.map((l) => {
      const { lotId: _lotId, lotNumber: _lotNumber, variantId: _variantId, ...terms } = byId.get(l.lotId)!;
      return {
        lotId: l.lotId.toString(),
        lotNumber: l.lotNumber,
        variantId: l.variantId.toString(),
        direct: l.direct,
        depth: l.depth,
        supplier: l.supplier,
        supplierLot: l.supplierLot,
        massBalance: terms,
      };
    }),
    customers,
    massBalance: balance.total,
    steps: clock.steps,
  };
  const saved = await pool().query<{ id: bigint }>(
    `insert into recall_drills (shop_id, lot_number, variant_id, started_at, finished_at, duration_ms, report)
     values ($1, $2, $3, $4, $5, $6, $7) returning id`,
    [shopId, input.lotNumber, input.variantId ?? null, startedAt, finishedAt, durationMs, JSON.stringify(report)],
  );
  return { id: saved.rows[0]!.id, ...report };
}

/** The shop's latest drills, newest first. */
export async function listRecallDrills(shopId: number, limit = 20, db: Db = pool()): Promise<DrillSummary[]> {
  const r = await db.query<{
    id: bigint;
    lot_number: string;
    variant_id: bigint | null;
    started_at: Date;
    finished_at: Date;
    duration_ms: number;
    customers: number;
    unexplained: number;
  }>(
    `select id, lot_number, variant_id, started_at, finished_at, duration_ms,
            (report->>'customers')::int as customers, (report->'massBalance'->>'unexplained')::int as unexplained
       from recall_drills where shop_id = $1 order by started_at desc, id desc limit $2`,
    [shopId, limit],
  );
  return r.rows.map((x) => ({
    id: x.id,
    lotNumber: x.lot_number,
    variantId: x.variant_id,
    startedAt: x.started_at.toISOString(),
    finishedAt: x.finished_at.toISOString(),
    durationMs: x.duration_ms,
    customers: x.customers,
    unexplained: x.unexplained,
  }));
}

/** One drill: the lot it ran for and its report, or null (another shop's id is null too). */
export async function getRecallDrill(
  shopId: number,
  id: bigint,
  db: Db = pool(),
): Promise<{ id: bigint; lotNumber: string; variantId: bigint | null; report: DrillReport } | null> {
  const r = await db.query<{ id: bigint; lot_number: string; variant_id: bigint | null; report: DrillReport }>(
    `select id, lot_number, variant_id, report from recall_drills where shop_id = $1 and id = $2`,
    [shopId, id],
  );
  const row = r.rows[0];
  return row ? { id: row.id, lotNumber: row.lot_number, variantId: row.variant_id, report: row.report } : null;
}

// Reservations with real processes (issue #12 item 8): two worker processes (`node --import tsx
// workers/main.ts`, WORKER_CONCURRENCY=4 each) reserve for many orders of the same variant at the
// shop's only location at the same time, each orders/create delivered twice (two webhook ids)
// through the real signed route. The FEFO lot has fewer units than the orders want: it is never
// reserved beyond what it holds, the rest of every line is held on the next lot, the counter is
// always its rows, nothing is negative. Then cancellations and new orders compete for the freed units.
import type { ChildProcess } from "node:child_process";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { closeQueues } from "../../app/lib/queues.server";
import { stopChild } from "../../app/lib/child-process.server";
import { deliver as post, eventually, useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant, newId } from "../helpers/factories";
import { allocationInvariantViolations, orderPayload } from "../helpers/allocation";
import { startWorkerProcess, type WorkerProcess } from "../helpers/worker-process";

const prefix = useOwnQueuePrefix();
const children: ChildProcess[] = [];

afterEach(async () => {
  await Promise.all(children.splice(0).map((child) => stopChild(child)));
});
afterAll(() => closeQueues());

function startWorker(): WorkerProcess {
  const child = startWorkerProcess({
    QUEUE_PREFIX: prefix,
    WORKER_QUEUES: "webhooks",
    WORKER_CONCURRENCY: "4",
    PG_POOL_MAX: "6",
    LOG_LEVEL: "warn",
    NODE_ENV: "test",
  });
  children.push(child);
  return child;
}

function inDays(n: number): string {
  return new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
}

interface TestOrder {
  orderId: bigint;
  lineItemId: bigint;
  quantity: number;
}

describe("reservations with two worker processes", () => {
  it("never reserve more of the FEFO lot than it holds, hold every line in full on the next lot, and keep the counter equal to the rows", async () => {
    const shop = await createTestShop("resv-concurrency");
    const loc = await createLocation(shop.id);
    const variantId = await createVariant(shop.id);
    const N = 12;
    const fefo = await createLot(shop.id, { variantId, lotNumber: "FEFO", quantity: N, locationId: loc, expiresOn: inDays(60) });
    const later = await createLot(shop.id, { variantId, lotNumber: "LATER", quantity: 500, locationId: loc, expiresOn: inDays(300) });
    const workers = [startWorker(), startWorker()];

    const orderBody = (o: TestOrder, extra: Record<string, unknown> = {}) => ({
      ...orderPayload({ id: o.orderId, lines: [{ id: o.lineItemId, variantId, quantity: o.quantity }] }),
      ...extra,
    });
    const newOrders = (n: number): TestOrder[] => Array.from({ length: n }, (_, i) => ({ orderId: newId(), lineItemId: newId(), quantity: 1 + (i % 3) }));
    const counts = async () =>
      (
        await pool().query<{ status: string; n: number }>("select status::text, count(*)::int as n from webhook_events where shop_domain = $1 group by 1", [
          shop.domain,
        ])
      ).rows;
    const processedAll = async (total: number, what: string) => {
      await eventually(
        async () => {
          const c = await counts();
          return c.reduce((s, r) => s + r.n, 0) === total && c.every((r) => r.status === "PROCESSED" || r.status === "FAILED");
        },
        what,
        90_000,
      ).catch(async (error) => {
        throw new Error(`${(error as Error).message}: ${JSON.stringify(await counts())}\n${workers.map((w) => w.output()).join("\n")}`);
      });
      expect(await counts()).toEqual([{ status: "PROCESSED", n: total }]);
    };
    /** line item -> lot -> units held (rows), and each lot's reserved counter. */
    const held = async () => {
      const rows = await pool().query<{ line_item_id: bigint; lot_id: bigint; quantity: number }>(
        "select line_item_id, lot_id, quantity from lot_reservations where shop_id = $1",
        [shop.id],
      );
      const perLine = new Map<bigint, Map<bigint, number>>();
      for (const r of rows.rows) {
        const m = perLine.get(r.line_item_id) ?? new Map<bigint, number>();
        m.set(r.lot_id, (m.get(r.lot_id) ?? 0) + r.quantity);
        perLine.set(r.line_item_id, m);
      }
      const bal = await pool().query<{ lot_id: bigint; quantity: number; reserved: number }>(
        "select lot_id, quantity, reserved from lot_balances where shop_id = $1",
        [shop.id],
      );
      const balance = (lot: bigint) => bal.rows.find((b) => b.lot_id === lot)!;
      const rowsOn = (lot: bigint) => rows.rows.filter((r) => r.lot_id === lot).reduce((s, r) => s + r.quantity, 0);
      return { perLine, balance, rowsOn, rows: rows.rows };
    };

    // Wave 1: 40 orders wanting ~80 units, N of them on the FEFO lot, each delivered twice at once.
    const first = newOrders(40);
    const wave1 = first.flatMap((o) => [orderBody(o), orderBody(o)]);
    const statuses = await Promise.all(wave1.map((body) => post({ topic: "orders/create", shop: shop.domain, body }).then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);
    await processedAll(wave1.length, "every orders/create processed");
    expect(workers.every((w) => w.exitCode === null)).toBe(true);

    let state = await held();
    // The FEFO lot is held exactly to what it has (demand exceeds it): never beyond, never left free.
    expect(state.balance(fefo).reserved).toBe(N);
    expect(state.rowsOn(fefo)).toBe(N);
    expect(state.balance(later).reserved).toBe(state.rowsOn(later));
    // Every line is held in full: FEFO units first, the rest on the next lot, nothing lost or doubled
    // by the duplicate deliveries.
    for (const o of first) {
      const lots = state.perLine.get(o.lineItemId) ?? new Map<bigint, number>();
      expect([...lots.keys()].every((lot) => lot === fefo || lot === later)).toBe(true);
      expect((lots.get(fefo) ?? 0) + (lots.get(later) ?? 0)).toBe(o.quantity);
    }
    const demand1 = first.reduce((s, o) => s + o.quantity, 0);
    expect(state.balance(later).reserved).toBe(demand1 - N);
    // Reserving moves no units, and no row or counter is negative.
    expect([state.balance(fefo).quantity, state.balance(later).quantity]).toEqual([N, 500]);
    expect(state.rows.every((r) => r.quantity > 0)).toBe(true);
    expect(await allocationInvariantViolations(shop.id)).toEqual([]);
    // FEFO across transactions: a line with units on the later lot was reserved when the FEFO lot
    // had no free units, so no line that got later units was reserved before the FEFO lot ran out.
    const ledger = await pool().query<{ lot_id: bigint; first: bigint; last: bigint }>(
      "select lot_id, min(id) as first, max(id) as last from ledger_entries where shop_id = $1 and kind = 'RESERVED' group by lot_id",
      [shop.id],
    );
    const span = (lot: bigint) => ledger.rows.find((r) => r.lot_id === lot)!;
    expect(span(fefo).last).toBeLessThanOrEqual(span(later).first);

    // Wave 2, all at once and each twice: a quarter of the orders are cancelled (their FEFO units come
    // free) while 20 new orders compete for those units.
    const cancelled = first.filter((_, i) => i % 4 === 0);
    const second = newOrders(20);
    const wave2 = [
      ...cancelled.map((o) => ({
        topic: "orders/cancelled",
        body: orderBody(o, { cancelled_at: "2026-11-21T10:00:00-05:00", updated_at: "2026-11-21T10:00:00-05:00" }),
      })),
      ...second.map((o) => ({ topic: "orders/create", body: orderBody(o) })),
    ].flatMap((d) => [d, d]);
    const statuses2 = await Promise.all(wave2.map((d) => post({ topic: d.topic, shop: shop.domain, body: d.body }).then((r) => r.status)));
    expect(statuses2.every((s) => s === 200)).toBe(true);
    await processedAll(wave1.length + wave2.length, "the second wave processed");
    expect(workers.every((w) => w.exitCode === null)).toBe(true);

    state = await held();
    expect(state.balance(fefo).reserved).toBeLessThanOrEqual(N);
    expect(state.balance(fefo).reserved).toBe(state.rowsOn(fefo));
    expect(state.balance(later).reserved).toBe(state.rowsOn(later));
    for (const o of cancelled) expect(state.perLine.get(o.lineItemId)).toBeUndefined();
    const open = [...first.filter((o) => !cancelled.includes(o)), ...second];
    for (const o of open) {
      const lots = state.perLine.get(o.lineItemId) ?? new Map<bigint, number>();
      expect((lots.get(fefo) ?? 0) + (lots.get(later) ?? 0)).toBe(o.quantity);
    }
    // Units held = open demand, and the freed FEFO units went to a new order unless no new order
    // came after them (a new order processed before a cancellation takes the later lot).
    expect(state.balance(fefo).reserved + state.balance(later).reserved).toBe(open.reduce((s, o) => s + o.quantity, 0));
    expect(state.rows.every((r) => r.quantity > 0)).toBe(true);
    expect([state.balance(fefo).quantity, state.balance(later).quantity]).toEqual([N, 500]);
    expect(await allocationInvariantViolations(shop.id)).toEqual([]);
  }, 180_000);
});

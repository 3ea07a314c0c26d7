// Concurrency with real processes: two worker processes (`node --import tsx workers/main.ts`,
// WORKER_CONCURRENCY=4 each) allocate fulfilments of the same variant at the same location at the
// same time, each fulfilment delivered three times (two webhook ids and orders/updated) through
// the real route. No lot gives more than it holds, nothing is lost to a deadlock or a
// serialization failure, nothing is allocated twice, and FEFO order holds across transactions.
// Then cancellations, returns and new fulfilments compete for the same units, all at once.
import type { ChildProcess } from "node:child_process";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { closeQueues } from "../../app/lib/queues.server";
import { deliver as post, eventually, useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { createTestShop } from "../helpers/shops";
import { createLot, createVariant, newId } from "../helpers/factories";
import { allocationInvariantViolations, balances, fulfilmentPayload, orderPayload, refundPayload } from "../helpers/allocation";
import { startWorkerProcess, type WorkerProcess } from "../helpers/worker-process";
import { stopChild } from "../../app/lib/child-process.server";

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

const LOC = 71230000001n;

describe("allocation with two worker processes", () => {
  it("never takes more than a lot holds, loses nothing, allocates once, and keeps FEFO order", async () => {
    const shop = await createTestShop("concurrency");
    const variantId = await createVariant(shop.id);
    const second = await createVariant(shop.id);
    // FEFO order: A, then B, then C (no expiry). Demand exceeds supply so every lot runs out.
    const a = await createLot(shop.id, { variantId, lotNumber: "A", quantity: 25, locationId: LOC, expiresOn: "2027-01-01" });
    const b = await createLot(shop.id, { variantId, lotNumber: "B", quantity: 25, locationId: LOC, expiresOn: "2027-06-01" });
    const c = await createLot(shop.id, { variantId, lotNumber: "C", quantity: 25, locationId: LOC });
    const s1 = await createLot(shop.id, { variantId: second, lotNumber: "S1", quantity: 20, locationId: LOC, expiresOn: "2027-03-01" });
    const s2 = await createLot(shop.id, { variantId: second, lotNumber: "S2", quantity: 20, locationId: LOC, expiresOn: "2027-04-01" });

    const workers = [startWorker(), startWorker()];
    const fulfilments = Array.from({ length: 50 }, (_, i) => {
      const orderId = newId();
      // Two line items (the two variants) in either order: transactions lock overlapping rows.
      const lines = [
        { lineItemId: newId(), variantId, quantity: 1 + (i % 3) },
        { lineItemId: newId(), variantId: second, quantity: 1 },
      ];
      if (i % 2) lines.reverse();
      const f = fulfilmentPayload({ id: newId(), orderId, locationId: LOC, lines });
      return { orderId, lines, f };
    });
    const demand = fulfilments.reduce((s, x) => s + x.lines[0]!.quantity + x.lines[1]!.quantity, 0);
    const deliveries = fulfilments.flatMap(({ orderId, lines, f }) => [
      { topic: "fulfillments/create", body: f },
      { topic: "fulfillments/create", body: f }, // the same event again, another webhook id
      {
        topic: "orders/updated",
        body: orderPayload({
          id: orderId,
          customerId: orderId + 1n,
          lines: lines.map((l) => ({ id: l.lineItemId, variantId: l.variantId, quantity: l.quantity })),
          fulfillments: [f],
        }),
      },
    ]);
    // Interleave so that copies of one fulfilment run at the same time on different workers.
    const statuses = await Promise.all(deliveries.map((d) => post({ topic: d.topic, shop: shop.domain, body: d.body }).then((r) => r.status)));
    expect(statuses.every((s) => s === 200)).toBe(true);

    const counts = async () =>
      (
        await pool().query<{ status: string; n: number }>("select status::text, count(*)::int as n from webhook_events where shop_domain = $1 group by 1", [
          shop.domain,
        ])
      ).rows;
    await eventually(
      async () =>
        (await counts()).every((r) => r.status === "PROCESSED" || r.status === "FAILED") && (await counts()).reduce((s, r) => s + r.n, 0) === deliveries.length,
      "every delivery processed",
      90_000,
    ).catch(async (error) => {
      throw new Error(`${(error as Error).message}: ${JSON.stringify(await counts())}\n${workers.map((w) => w.output()).join("\n")}`);
    });
    expect(await counts()).toEqual([{ status: "PROCESSED", n: deliveries.length }]);
    expect(workers.every((w) => w.exitCode === null)).toBe(true);
    // No job failed even once (a deadlock or serialization failure is retried inside the transaction).
    const attempts = await pool().query<{ max: number }>("select max(attempts)::int as max from webhook_events where shop_domain = $1", [shop.domain]);
    expect(attempts.rows[0]!.max).toBe(1);

    // Nothing oversold, everything sold: every lot ran out, the rest is on an unknown lot.
    expect(await balances(shop.id)).toEqual({ [`${a}@${LOC}`]: 0, [`${b}@${LOC}`]: 0, [`${c}@${LOC}`]: 0, [`${s1}@${LOC}`]: 0, [`${s2}@${LOC}`]: 0 });
    const perLot = await pool().query<{ lot_id: bigint | null; variant_id: bigint; units: number }>(
      "select lot_id, variant_id, sum(quantity)::int as units from allocations where shop_id = $1 and status = 'ALLOCATED' group by 1, 2",
      [shop.id],
    );
    const units = (lot: bigint | null, variant: bigint) => perLot.rows.find((r) => r.lot_id === lot && r.variant_id === variant)?.units ?? 0;
    expect([units(a, variantId), units(b, variantId), units(c, variantId), units(s1, second), units(s2, second)]).toEqual([25, 25, 25, 20, 20]);
    const firstVariantDemand = fulfilments.reduce((s, x) => s + x.lines.find((l) => l.variantId === variantId)!.quantity, 0);
    expect(units(null, variantId)).toBe(firstVariantDemand - 75);
    expect(units(null, second)).toBe(50 - 40);
    expect(perLot.rows.reduce((s, r) => s + r.units, 0)).toBe(demand);
    // Exactly once: one fulfilment line and one set of allocations per line item.
    const lines = await pool().query<{ n: number }>("select count(*)::int as n from fulfillment_lines where shop_id = $1", [shop.id]);
    expect(lines.rows[0]!.n).toBe(100);
    expect(await allocationInvariantViolations(shop.id)).toEqual([]);
    // The customer of each order reached its allocations whichever delivery ran first.
    const unlinked = await pool().query<{ n: number }>(
      "select count(*)::int as n from allocations where shop_id = $1 and customer_id is distinct from order_id + 1",
      [shop.id],
    );
    expect(unlinked.rows[0]!.n).toBe(0);

    // FEFO across transactions: ledger ids on one lot follow the lock order, so every unit of an
    // earlier-expiring lot was taken before the first unit of a later one.
    const ledger = await pool().query<{ lot_id: bigint; first: bigint; last: bigint }>(
      "select lot_id, min(id) as first, max(id) as last from ledger_entries where shop_id = $1 and kind = 'ALLOCATED' group by lot_id",
      [shop.id],
    );
    const span = (lot: bigint) => ledger.rows.find((r) => r.lot_id === lot)!;
    expect(span(a).last).toBeLessThan(span(b).first);
    expect(span(b).last).toBeLessThan(span(c).first);
    expect(span(s1).last).toBeLessThan(span(s2).first);
    // Units went to an unknown lot only once the lots were empty.
    const unknownFirst = await pool().query<{ first: bigint }>(
      "select min(id) as first from allocations where shop_id = $1 and variant_id = $2 and unknown_lot",
      [shop.id, variantId],
    );
    const lastOnC = await pool().query<{ last: bigint }>("select max(id) as last from allocations where shop_id = $1 and lot_id = $2", [shop.id, c]);
    expect(unknownFirst.rows[0]!.first).toBeGreaterThan(lastOnC.rows[0]!.last);

    // Second wave, all at once: cancellations (units back), returns (units back into their lots)
    // and new fulfilments competing for those same units, each delivered twice.
    const cancelled = fulfilments.filter((_, i) => i % 4 === 0);
    const refunded = fulfilments.filter((_, i) => i % 4 === 1);
    const more = Array.from({ length: 30 }, () => {
      const orderId = newId();
      const lines = [{ lineItemId: newId(), variantId, quantity: 1 }];
      return { orderId, lines, f: fulfilmentPayload({ id: newId(), orderId, locationId: LOC, lines }) };
    });
    const wave = [
      ...cancelled.map((x) => ({ topic: "fulfillments/update", body: { ...x.f, status: "cancelled", updated_at: "2026-11-22T10:00:00-05:00" } })),
      ...refunded.map((x) => {
        const line = x.lines.find((l) => l.variantId === variantId)!;
        return {
          topic: "refunds/create",
          body: refundPayload({
            id: newId(),
            orderId: x.orderId,
            lines: [{ id: newId(), lineItemId: line.lineItemId, quantity: 1, restockType: "return", locationId: LOC }],
          }),
        };
      }),
      ...more.map((x) => ({ topic: "fulfillments/create", body: x.f })),
    ].flatMap((d) => [d, d]);
    const before = deliveries.length;
    const statuses2 = await Promise.all(wave.map((d) => post({ topic: d.topic, shop: shop.domain, body: d.body }).then((r) => r.status)));
    expect(statuses2.every((s) => s === 200)).toBe(true);
    await eventually(
      async () => (await counts()).reduce((s, r) => s + r.n, 0) === before + wave.length && (await counts()).every((r) => r.status === "PROCESSED"),
      "the second wave processed",
      90_000,
    );
    const attempts2 = await pool().query<{ max: number }>("select max(attempts)::int as max from webhook_events where shop_domain = $1", [shop.domain]);
    expect(attempts2.rows[0]!.max).toBe(1);
    expect(await allocationInvariantViolations(shop.id)).toEqual([]);
    const reversedLines = await pool().query<{ n: number }>("select count(*)::int as n from fulfillment_lines where shop_id = $1 and state = 'REVERSED'", [
      shop.id,
    ]);
    expect(reversedLines.rows[0]!.n).toBe(cancelled.length * 2);
    const returned = await pool().query<{ n: number }>(
      "select coalesce(sum(returned_quantity), 0)::int as n from allocations where shop_id = $1 and status = 'ALLOCATED'",
      [shop.id],
    );
    expect(returned.rows[0]!.n).toBe(refunded.length);
    // Every unit of the first variant is accounted for: on hand + shipped (known lots) = received + returned.
    const firstVariant = await pool().query<{ on_hand: number; shipped: number }>(
      `select (select coalesce(sum(quantity), 0) from lot_balances where shop_id = $1 and variant_id = $2)::int as on_hand,
              (select coalesce(sum(quantity - returned_quantity), 0) from allocations where shop_id = $1 and variant_id = $2 and status = 'ALLOCATED' and not unknown_lot)::int as shipped`,
      [shop.id, variantId],
    );
    expect(firstVariant.rows[0]!.on_hand + firstVariant.rows[0]!.shipped).toBe(75);
    expect(workers.every((w) => w.exitCode === null)).toBe(true);
  }, 180_000);
});

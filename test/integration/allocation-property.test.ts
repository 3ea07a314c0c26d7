// Property-based tests (fast-check) of allocation under Shopify's delivery behaviour: random
// stories of receipts, orders, fulfilments, cancellations and refunds, delivered through the real
// inbox and processor with duplicates (same webhook id, new webhook id, or the order's own topic
// carrying the fulfilment) and shuffled. Stock adjustments (counts, damage) happen between deliveries.
//
// What "the same state" means (docs/decisions/030-allocation.md):
// - Duplicates: a story delivered with duplicates ends in EXACTLY the state of the story
//   delivered once (every allocation, lot balance, ledger row, line state).
// - Shuffles, several lots per variant: which lot a unit comes from depends on what else already
//   shipped and arrived, so per-lot figures legitimately depend on delivery order. Under FEFO the
//   lot a fulfilment takes is the earliest-expiring lot ON HAND when it is processed: if lot A
//   (expiring first) is short, a fulfilment processed before A's receipt takes lot B, the same
//   fulfilment processed after it takes A; and when stock is scarce, whichever fulfilment comes
//   first empties A and the later one falls to B or to the unknown lot. No per-lot equality can
//   hold there without giving up FEFO. With stock enough for every fulfilment, the
//   merchant-visible outcome does not depend on order: per fulfilment line its state, units
//   allocated and units on an unknown lot; per order line the units returned; per variant and
//   location the units on hand; the customer on every allocation.
// - Shuffles, one lot per variant: then the lot is never in doubt, so the comparison IS per lot:
//   live allocations, returns, balances and ledger sums per lot and location, with receipts and
//   stock adjustments arriving between fulfilments in any order, and stock exactly enough for the
//   worst order (all fulfilments, cancelled ones included, and all write-downs before anything
//   comes back), so balances really reach zero and no order makes a unit fall to the unknown lot.
// - Always: the invariants of test/helpers/allocation.ts (every fulfilled unit in exactly one
//   live allocation, balance = ledger sum = receipts - allocations + returns, nothing negative).
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { createTestShop } from "../helpers/shops";
import { createLot, createVariant } from "../helpers/factories";
import { withTransaction } from "../../app/lib/sql.server";
import { InsufficientStockError, moveLotUnits } from "../../app/domain/ledger/ledger.server";
import { allocationInvariantViolations, deliver, fulfilmentPayload, orderPayload, refundPayload } from "../helpers/allocation";

const LOCATIONS = [701n, 702n];
// Variant ids are fixed per story (each story runs in its own shop): FEFO, FIFO override,
// MANUAL override, not lot-tracked, and one no products webhook ever described.
const VARIANTS = [11n, 12n, 13n, 14n, 15n];
const TRACKED_WITH_LOTS = [11n, 12n];

type Action =
  | { t: "receipt"; v: number; loc: number; qty: number; days: number | null }
  | { t: "order"; lines: { v: number; qty: number }[]; customer: boolean }
  | { t: "fulfil"; pick: number; loc: number; part: number }
  | { t: "cancel"; pick: number }
  | { t: "refund"; pick: number; qty: number; restock: "return" | "cancel" | "no_restock"; loc: number }
  | { t: "adjust"; pick: number; delta: number };

const actionArb: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      t: fc.constant("receipt" as const),
      v: fc.nat(1),
      loc: fc.nat(1),
      qty: fc.integer({ min: 1, max: 6 }),
      days: fc.option(fc.integer({ min: 30, max: 900 }), { nil: null }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("order" as const),
      lines: fc.array(fc.record({ v: fc.nat(VARIANTS.length - 1), qty: fc.integer({ min: 1, max: 4 }) }), { minLength: 1, maxLength: 2 }),
      customer: fc.boolean(),
    }),
  },
  { weight: 4, arbitrary: fc.record({ t: fc.constant("fulfil" as const), pick: fc.nat(), loc: fc.nat(1), part: fc.integer({ min: 1, max: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("cancel" as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ t: fc.constant("adjust" as const), pick: fc.nat(), delta: fc.constantFrom(-2, -1, 1, 3) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      t: fc.constant("refund" as const),
      pick: fc.nat(),
      qty: fc.integer({ min: 1, max: 3 }),
      restock: fc.constantFrom("return" as const, "return" as const, "cancel" as const, "no_restock" as const),
      loc: fc.nat(1),
    }),
  },
);

/** A step of the story: a receipt in the app, or a webhook (with the payloads that may carry it). */
type Step =
  | { kind: "receipt"; variantId: bigint; locationId: bigint; lotNumber: string; quantity: number; expiresOn: string | null }
  | { kind: "adjust"; lotNumber: string; locationId: bigint; delta: number }
  | { kind: "restock"; lotNumber: string; locationId: bigint; quantity: number }
  | { kind: "webhook"; topic: string; payload: Record<string, unknown>; alternates: { topic: string; payload: Record<string, unknown> }[] };

interface Line {
  id: bigint;
  variantId: bigint;
  quantity: number;
  fulfilled: number;
  returned: number;
  cancelTouched: boolean;
  refundTouched: boolean;
}

/** Turns random actions into a story Shopify could really tell (invalid actions are dropped). */
function story(actions: Action[], seed: number): Step[] {
  let next = BigInt(seed) * 1000n + 1_000_000n;
  const id = () => ++next;
  const steps: Step[] = [];
  const orders: { id: bigint; lines: Line[]; customerId: bigint | null }[] = [];
  const fulfilments: { id: bigint; orderId: bigint; locationId: bigint; lines: { line: Line; quantity: number }[]; cancelled: boolean }[] = [];
  let lotSeq = 0;
  const orderBody = (o: (typeof orders)[number]) =>
    orderPayload({ id: o.id, customerId: o.customerId, lines: o.lines.map((l) => ({ id: l.id, variantId: l.variantId, quantity: l.quantity })) });
  for (const a of actions) {
    if (a.t === "receipt") {
      const expiresOn = a.days === null ? null : new Date(Date.UTC(2027, 0, 1) + a.days * 86_400_000).toISOString().slice(0, 10);
      steps.push({
        kind: "receipt",
        variantId: TRACKED_WITH_LOTS[a.v]!,
        locationId: LOCATIONS[a.loc]!,
        lotNumber: `LOT-${++lotSeq}`,
        quantity: a.qty,
        expiresOn,
      });
    } else if (a.t === "adjust") {
      // A count or damage found in the warehouse (skipped at play time if the lot lacks the units).
      const receipts = steps.filter((x): x is Extract<Step, { kind: "receipt" }> => x.kind === "receipt");
      if (receipts.length === 0) continue;
      const r = receipts[a.pick % receipts.length]!;
      steps.push({ kind: "adjust", lotNumber: r.lotNumber, locationId: r.locationId, delta: a.delta });
    } else if (a.t === "order") {
      const o = {
        id: id(),
        customerId: a.customer ? id() : null,
        lines: a.lines.map((l) => ({
          id: id(),
          variantId: VARIANTS[l.v]!,
          quantity: l.qty,
          fulfilled: 0,
          returned: 0,
          cancelTouched: false,
          refundTouched: false,
        })),
      };
      orders.push(o);
      steps.push({ kind: "webhook", topic: "orders/create", payload: orderBody(o), alternates: [] });
    } else if (a.t === "fulfil") {
      const open = orders.filter((o) => o.lines.some((l) => l.fulfilled < l.quantity));
      if (open.length === 0) continue;
      const o = open[a.pick % open.length]!;
      const lines = o.lines.filter((l) => l.fulfilled < l.quantity).map((line) => ({ line, quantity: Math.min(a.part, line.quantity - line.fulfilled) }));
      for (const l of lines) l.line.fulfilled += l.quantity;
      const f = { id: id(), orderId: o.id, locationId: LOCATIONS[a.loc]!, lines, cancelled: false };
      fulfilments.push(f);
      const payload = fulfilmentPayload({
        id: f.id,
        orderId: o.id,
        locationId: f.locationId,
        lines: lines.map((l) => ({ lineItemId: l.line.id, variantId: l.line.variantId, quantity: l.quantity })),
      });
      // The same fulfilment also arrives inside orders/fulfilled (the order's own topic).
      steps.push({
        kind: "webhook",
        topic: "fulfillments/create",
        payload,
        alternates: [{ topic: "orders/fulfilled", payload: { ...orderBody(o), fulfillments: [payload] } }],
      });
    } else if (a.t === "cancel") {
      // Shopify does not cancel a fulfilment whose units were returned: keep stories real.
      const cancellable = fulfilments.filter((f) => !f.cancelled && f.lines.every((l) => !l.line.refundTouched));
      if (cancellable.length === 0) continue;
      const f = cancellable[a.pick % cancellable.length]!;
      f.cancelled = true;
      for (const l of f.lines) {
        l.line.cancelTouched = true;
        l.line.fulfilled -= l.quantity;
      }
      const payload = fulfilmentPayload({
        id: f.id,
        orderId: f.orderId,
        locationId: f.locationId,
        status: "cancelled",
        updatedAt: "2026-11-22T10:00:00-05:00",
        lines: f.lines.map((l) => ({ lineItemId: l.line.id, variantId: l.line.variantId, quantity: l.quantity })),
      });
      steps.push({ kind: "webhook", topic: "fulfillments/update", payload, alternates: [] });
    } else {
      const lines = orders.flatMap((o) => o.lines.map((line) => ({ o, line })));
      const candidates =
        a.restock === "return"
          ? lines.filter(({ line }) => !line.cancelTouched && line.fulfilled - line.returned > 0)
          : lines.filter(({ line }) => !line.cancelTouched);
      if (candidates.length === 0) continue;
      const { o, line } = candidates[a.pick % candidates.length]!;
      const quantity = a.restock === "return" ? Math.min(a.qty, line.fulfilled - line.returned) : a.qty;
      if (a.restock === "return") line.returned += quantity;
      line.refundTouched = true;
      const payload = refundPayload({
        id: id(),
        orderId: o.id,
        lines: [{ id: id(), lineItemId: line.id, quantity, restockType: a.restock, locationId: a.restock === "no_restock" ? null : LOCATIONS[a.loc]! }],
      });
      steps.push({ kind: "webhook", topic: "refunds/create", payload, alternates: [] });
    }
  }
  return steps;
}

async function newStoryShop(label: string): Promise<{ id: number; domain: string }> {
  const shop = await createTestShop(label);
  await createVariant(shop.id, { id: VARIANTS[0] });
  await createVariant(shop.id, { id: VARIANTS[1] });
  await createVariant(shop.id, { id: VARIANTS[2] });
  await createVariant(shop.id, { id: VARIANTS[3], lotTracked: false });
  await pool().query("update variants set strategy_override = 'FIFO' where shop_id = $1 and id = $2", [shop.id, VARIANTS[1]]);
  await pool().query("update variants set strategy_override = 'MANUAL' where shop_id = $1 and id = $2", [shop.id, VARIANTS[2]]);
  return shop;
}

/** Plays deliveries in order; a duplicate repeats an earlier webhook step. */
async function play(
  shop: { id: number; domain: string },
  steps: Step[],
  order: { index: number; how: "first" | "same-id" | "new-id" | "alternate" }[],
): Promise<void> {
  const webhookIds = new Map<number, string>();
  for (const { index, how } of order) {
    const step = steps[index]!;
    if (step.kind === "receipt") {
      await createLot(shop.id, {
        variantId: step.variantId,
        lotNumber: step.lotNumber,
        quantity: step.quantity,
        locationId: step.locationId,
        expiresOn: step.expiresOn,
      });
      continue;
    }
    if (step.kind === "restock") {
      // More units of a lot the shop already has, received at a location.
      await withTransaction(async (sql) => {
        const lot = await sql.query<{ id: bigint }>("select id from lots where shop_id = $1 and lot_number = $2", [shop.id, step.lotNumber]);
        await moveLotUnits(sql, [
          { shopId: shop.id, lotId: lot.rows[0]!.id, locationId: step.locationId, delta: step.quantity, kind: "RECEIVED", cause: "USER" },
        ]);
      });
      continue;
    }
    if (step.kind === "adjust") {
      await withTransaction(async (sql) => {
        const lot = await sql.query<{ id: bigint }>("select id from lots where shop_id = $1 and lot_number = $2", [shop.id, step.lotNumber]);
        await moveLotUnits(sql, [{ shopId: shop.id, lotId: lot.rows[0]!.id, locationId: step.locationId, delta: step.delta, kind: "ADJUSTED", cause: "USER" }]);
      }).catch((error: unknown) => {
        if (!(error instanceof InsufficientStockError)) throw error;
      });
      continue;
    }
    if (how === "alternate" && step.alternates.length > 0) {
      const alt = step.alternates[0]!;
      await deliver(shop.domain, alt.topic, alt.payload);
      continue;
    }
    const webhookId = how === "same-id" ? (webhookIds.get(index) ?? randomUUID()) : randomUUID();
    webhookIds.set(index, webhookId);
    await deliver(shop.domain, step.topic, step.payload, webhookId);
  }
}

/** Everything, with lots named by number (lot ids differ between shops). */
async function fullState(shopId: number) {
  const q = async (text: string) =>
    (await pool().query(text, [shopId])).rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
  return {
    allocations: await q(
      `select a.fulfillment_id, a.line_item_id, l.lot_number, a.unknown_lot, a.location_id, a.quantity, a.returned_quantity, a.status, a.customer_id
       from allocations a left join lots l on l.id = a.lot_id where a.shop_id = $1 order by 1, 2, 3 nulls last, 8`,
    ),
    balances: await q(
      `select l.variant_id, l.lot_number, b.location_id, b.quantity from lot_balances b join lots l on l.id = b.lot_id where b.shop_id = $1 order by 1, 2, 3`,
    ),
    lines: await q(`select fulfillment_id, line_item_id, state, quantity from fulfillment_lines where shop_id = $1 order by 1, 2`),
    ledger: await q(
      `select l.lot_number, e.location_id, e.kind, e.delta, count(*)::int as n from ledger_entries e join lots l on l.id = e.lot_id
       where e.shop_id = $1 group by 1, 2, 3, 4 order by 1, 2, 3, 4`,
    ),
    refunds: await q(`select id, restock_type, quantity, returned_quantity from refund_lines where shop_id = $1 order by id`),
  };
}

/** What a merchant sees that does not depend on which lot each unit came from. */
async function outcome(shopId: number) {
  const q = async (text: string) =>
    (await pool().query(text, [shopId])).rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
  return {
    lines: await q(
      `select fl.fulfillment_id, fl.line_item_id, fl.state, fl.quantity,
              coalesce(sum(a.quantity) filter (where a.status = 'ALLOCATED'), 0)::int as allocated,
              coalesce(sum(a.quantity) filter (where a.status = 'ALLOCATED' and a.unknown_lot), 0)::int as unknown
       from fulfillment_lines fl left join allocations a on a.shop_id = fl.shop_id and a.fulfillment_id = fl.fulfillment_id and a.line_item_id = fl.line_item_id
       where fl.shop_id = $1 group by 1, 2, 3, 4 order by 1, 2`,
    ),
    returnedPerLineItem: await q(
      `select line_item_id, sum(returned_quantity)::int as returned from allocations where shop_id = $1 and status = 'ALLOCATED' group by 1 having sum(returned_quantity) > 0 order by 1`,
    ),
    onHand: await q(`select variant_id, location_id, sum(quantity)::int as units from lot_balances where shop_id = $1 group by 1, 2 order by 1, 2`),
    customers: await q(`select distinct line_item_id, customer_id from allocations where shop_id = $1 and status = 'ALLOCATED' order by 1`),
  };
}

/** Per lot and location: what a lot page shows (balances, ledger sums by kind, who got which units). */
async function perLotState(shopId: number) {
  const q = async (text: string) =>
    (await pool().query(text, [shopId])).rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
  return {
    lines: await q(`select fulfillment_id, line_item_id, state, quantity from fulfillment_lines where shop_id = $1 order by 1, 2`),
    liveAllocations: await q(
      `select a.fulfillment_id, a.line_item_id, l.lot_number, a.unknown_lot, a.location_id, a.customer_id, sum(a.quantity)::int as units
       from allocations a left join lots l on l.id = a.lot_id where a.shop_id = $1 and a.status = 'ALLOCATED' group by 1, 2, 3, 4, 5, 6 order by 1, 2, 3 nulls last, 5`,
    ),
    returnedPerLot: await q(
      `select a.line_item_id, l.lot_number, r.location_id, sum(r.quantity)::int as units
       from allocation_returns r join allocations a on a.id = r.allocation_id left join lots l on l.id = a.lot_id
       where r.shop_id = $1 group by 1, 2, 3 order by 1, 2 nulls last, 3`,
    ),
    balances: await q(
      `select l.lot_number, b.location_id, b.quantity from lot_balances b join lots l on l.id = b.lot_id where b.shop_id = $1 and b.quantity <> 0 order by 1, 2`,
    ),
    // Allocations and their reversals net out (a cancellation that arrives first leaves neither).
    ledger: await q(
      `select l.lot_number, e.location_id, case when e.kind in ('ALLOCATED', 'ALLOCATION_REVERSED') then 'ALLOCATED (net)' else e.kind::text end as kind, sum(e.delta)::int as units
       from ledger_entries e join lots l on l.id = e.lot_id where e.shop_id = $1 group by 1, 2, 3 having sum(e.delta) <> 0 order by 1, 2, 3`,
    ),
    refunds: await q(`select id, restock_type, quantity, returned_quantity from refund_lines where shop_id = $1 order by id`),
  };
}

/** Fisher-Yates with a small seeded generator (mulberry32): a uniform shuffle fast-check can replay. */
function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed >>> 0;
  const random = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const runs = Number(process.env.ALLOCATION_PROPERTY_RUNS ?? 40);

describe("allocation under duplicated and shuffled delivery (property-based)", () => {
  it("duplicates (same webhook id, new webhook id, or via orders/fulfilled) change nothing: exactly the state of one delivery each", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(actionArb, { minLength: 6, maxLength: 24 }),
        fc.array(fc.record({ of: fc.nat(), after: fc.nat(), how: fc.constantFrom("same-id" as const, "new-id" as const, "alternate" as const) }), {
          maxLength: 10,
        }),
        fc.nat(1_000_000),
        async (actions, dups, seed) => {
          const steps = story(actions, seed);
          if (steps.length === 0) return;
          const once = steps.map((_, index) => ({ index, how: "first" as const }));
          const withDups: { index: number; how: "first" | "same-id" | "new-id" | "alternate" }[] = [...once];
          for (const d of dups) {
            const webhookSteps = steps.map((x, i) => (x.kind === "webhook" ? i : -1)).filter((i) => i >= 0);
            if (webhookSteps.length === 0) break;
            const index = webhookSteps[d.of % webhookSteps.length]!;
            const at = withDups.findIndex((x) => x.index === index && x.how === "first");
            const pos = at + 1 + (d.after % (withDups.length - at));
            withDups.splice(pos, 0, { index, how: d.how });
          }
          const a = await newStoryShop("prop-once");
          const b = await newStoryShop("prop-dups");
          await play(a, steps, once);
          await play(b, steps, withDups);
          expect(await allocationInvariantViolations(a.id)).toEqual([]);
          expect(await allocationInvariantViolations(b.id)).toEqual([]);
          expect(await fullState(b.id)).toEqual(await fullState(a.id));
        },
      ),
      { numRuns: runs },
    );
  }, 240_000);

  it("shuffled and duplicated delivery ends in the same merchant-visible outcome as in-order delivery, and every invariant holds", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          actionArb.filter((a) => a.t !== "receipt" && a.t !== "adjust"),
          { minLength: 6, maxLength: 24 },
        ),
        fc.integer(),
        fc.array(fc.record({ of: fc.nat(), how: fc.constantFrom("same-id" as const, "new-id" as const, "alternate" as const) }), { maxLength: 8 }),
        fc.nat(1_000_000),
        async (actions, shuffleSeed, dups, seed) => {
          const webhookSteps = story(actions, seed);
          if (webhookSteps.length === 0) return;
          // Stock for every fulfilment whatever the order (cancelled ones included), in two lots
          // per variant and location with different expiry dates, received before any delivery.
          const receipts: Step[] = [];
          for (const v of TRACKED_WITH_LOTS) {
            for (const loc of LOCATIONS) {
              receipts.push({ kind: "receipt", variantId: v, locationId: loc, lotNumber: `A-${v}-${loc}`, quantity: 20, expiresOn: "2027-06-01" });
              receipts.push({ kind: "receipt", variantId: v, locationId: loc, lotNumber: `B-${v}-${loc}`, quantity: 250, expiresOn: null });
            }
          }
          const steps = [...receipts, ...webhookSteps];
          const inOrder = steps.map((_, index) => ({ index, how: "first" as const }));
          // Every step delivered at least once, some twice, all in a random order (a duplicate may
          // come before the "original": both are deliveries of the same event).
          const shuffledWebhooks = shuffle(
            webhookSteps
              .map((_, i) => ({ index: receipts.length + i, how: "first" as "first" | "same-id" | "new-id" | "alternate" }))
              .concat(dups.map((d) => ({ index: receipts.length + (d.of % webhookSteps.length), how: d.how }))),
            shuffleSeed,
          );
          const shuffled = [...receipts.map((_, index) => ({ index, how: "first" as const })), ...shuffledWebhooks];
          const a = await newStoryShop("prop-order");
          const b = await newStoryShop("prop-shuffle");
          await play(a, steps, inOrder);
          await play(b, steps, shuffled);
          expect(await allocationInvariantViolations(a.id)).toEqual([]);
          expect(await allocationInvariantViolations(b.id)).toEqual([]);
          expect(await outcome(b.id)).toEqual(await outcome(a.id));
        },
      ),
      { numRuns: runs },
    );
  }, 240_000);

  it("with one lot per variant, shuffled and duplicated delivery with receipts and adjustments in between ends in the same state per lot", async () => {
    const stockEvent = fc.record({
      restock: fc.boolean(),
      v: fc.nat(1),
      loc: fc.nat(1),
      qty: fc.integer({ min: 1, max: 5 }),
      delta: fc.constantFrom(-2, -1, 1, 3),
      at: fc.nat(),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          actionArb.filter((a) => a.t !== "receipt" && a.t !== "adjust"),
          { minLength: 6, maxLength: 24 },
        ),
        fc.array(stockEvent, { maxLength: 8 }),
        fc.integer(),
        fc.array(fc.record({ of: fc.nat(), how: fc.constantFrom("same-id" as const, "new-id" as const, "alternate" as const) }), { maxLength: 8 }),
        fc.nat(1_000_000),
        async (actions, stockEvents, shuffleSeed, dups, seed) => {
          const webhookSteps = story(actions, seed);
          if (webhookSteps.length === 0) return;
          const lotOf = (v: bigint) => `ONE-${v}`;
          const key = (v: bigint, loc: bigint) => `${v}@${loc}`;
          // Receipts and stock adjustments that happen while webhooks arrive.
          const between: Step[] = stockEvents.map((e) =>
            e.restock
              ? { kind: "restock", lotNumber: lotOf(TRACKED_WITH_LOTS[e.v]!), locationId: LOCATIONS[e.loc]!, quantity: e.qty }
              : { kind: "adjust", lotNumber: lotOf(TRACKED_WITH_LOTS[e.v]!), locationId: LOCATIONS[e.loc]!, delta: e.delta },
          );
          // Opening stock: exactly what the worst order needs (every fulfilment, cancelled ones
          // too, and every write-down before any receipt, return or cancellation).
          const opening = new Map<string, number>();
          const add = (k: string, n: number) => opening.set(k, (opening.get(k) ?? 0) + n);
          for (const step of webhookSteps) {
            if (step.kind !== "webhook" || step.topic !== "fulfillments/create") continue;
            const p = step.payload as { location_id: number; line_items: { variant_id: number; quantity: number }[] };
            for (const li of p.line_items)
              if (TRACKED_WITH_LOTS.includes(BigInt(li.variant_id))) add(key(BigInt(li.variant_id), BigInt(p.location_id)), li.quantity);
          }
          for (const step of between) {
            if (step.kind === "adjust" && step.delta < 0) {
              const v = TRACKED_WITH_LOTS.find((x) => lotOf(x) === step.lotNumber)!;
              add(key(v, step.locationId), -step.delta);
            }
          }
          const receipts: Step[] = TRACKED_WITH_LOTS.flatMap((v) =>
            LOCATIONS.map((loc) => ({ kind: "restock" as const, lotNumber: lotOf(v), locationId: loc, quantity: opening.get(key(v, loc)) ?? 0 })).filter(
              (r) => r.quantity > 0,
            ),
          );
          const steps = [...receipts, ...webhookSteps, ...between];
          const first = (index: number) => ({ index, how: "first" as "first" | "same-id" | "new-id" | "alternate" });
          // In order: the stock events at their place among the webhooks.
          const inOrder = webhookSteps.map((_, i) => first(receipts.length + i));
          between.forEach((_, i) => inOrder.splice(stockEvents[i]!.at % (inOrder.length + 1), 0, first(receipts.length + webhookSteps.length + i)));
          inOrder.unshift(...receipts.map((_, i) => first(i)));
          // Shuffled: webhooks (some twice) and stock events in any order, after the opening stock.
          const shuffled = [
            ...receipts.map((_, i) => first(i)),
            ...shuffle(
              webhookSteps
                .map((_, i) => first(receipts.length + i))
                .concat(between.map((_, i) => first(receipts.length + webhookSteps.length + i)))
                .concat(dups.map((d) => ({ index: receipts.length + (d.of % webhookSteps.length), how: d.how }))),
              shuffleSeed,
            ),
          ];
          const a = await newStoryShop("prop-lot-order");
          const b = await newStoryShop("prop-lot-shuffle");
          for (const shop of [a, b]) {
            for (const v of TRACKED_WITH_LOTS) await createLot(shop.id, { variantId: v, lotNumber: lotOf(v), quantity: 0, expiresOn: "2027-09-01" });
          }
          await play(a, steps, inOrder);
          await play(b, steps, shuffled);
          expect(await allocationInvariantViolations(a.id)).toEqual([]);
          expect(await allocationInvariantViolations(b.id)).toEqual([]);
          const state = await perLotState(a.id);
          expect(await perLotState(b.id)).toEqual(state);
          // Stock was enough in every order: no tracked unit fell to the unknown lot, and no
          // write-down was refused (the adjustments in the ledger are all of them).
          const unknown = await pool().query<{ n: number }>(
            "select coalesce(sum(quantity), 0)::int as n from allocations where shop_id = $1 and status = 'ALLOCATED' and unknown_lot and variant_id = any($2::bigint[])",
            [a.id, TRACKED_WITH_LOTS],
          );
          expect(unknown.rows[0]!.n).toBe(0);
          const adjusted = await pool().query<{ n: number }>(
            "select coalesce(sum(delta), 0)::int as n from ledger_entries where shop_id = $1 and kind = 'ADJUSTED'",
            [b.id],
          );
          expect(adjusted.rows[0]!.n).toBe(between.reduce((sum, x) => sum + (x.kind === "adjust" ? x.delta : 0), 0));
        },
      ),
      { numRuns: runs },
    );
  }, 240_000);
});

// Shopify Flow (decision 109): opening a recall writes one "Recall opened" and one "Customer
// affected by recall" outbox row per customer with an email (a rerun writes none), quarantining
// writes "Lot quarantined"; the worker sends them as flowTriggerReceive (through msw, checked
// against Shopify's schema). The "Quarantine lot" action route: signed by Shopify or 401, and a
// shop's request only ever reaches that shop's lots.
import { beforeEach, describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { withTransaction } from "../../app/lib/sql.server";
import { openRecall } from "../../app/domain/recall/recall-case.server";
import { addRecallFlowTriggers } from "../../app/domain/flow/flow-triggers.server";
import { sendOutboxEntry } from "../../app/domain/sync/outbox.server";
import { quarantineLotNow } from "../../app/domain/lots/quarantine.server";
import { action as quarantineLotAction } from "../../app/routes/flow.quarantine-lot";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant, newId, shipToCustomer } from "../helpers/factories";
import { adminRequests, graphql, HttpResponse, resetAdminRequests, server } from "../helpers/shopify-mock";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { sign, TEST_SECRET } from "../helpers/webhooks";

useOwnQueuePrefix();
beforeEach(() => resetAdminRequests());

async function flowRows(shopId: number) {
  const r = await pool().query<{ id: bigint; payload: { handle: string; payload: Record<string, unknown> }; idempotency_key: string }>(
    `select id, payload, idempotency_key from outbox_entries where shop_id = $1 and kind = 'flow.trigger' order by id`,
    [shopId],
  );
  return r.rows;
}

async function shopWithLot(label: string, lotNumber = "H-1") {
  const shop = await createTestShop(label);
  const variant = await createVariant(shop.id, { sku: "HONEY", productTitle: "Wildflower honey" });
  const location = await createLocation(shop.id, { name: "Main" });
  const lot = await createLot(shop.id, { variantId: variant, lotNumber, quantity: 20, locationId: location });
  return { shop, variant, location, lot };
}

describe("Flow triggers", () => {
  it("a recall queues Recall opened and one Customer affected per customer; a rerun adds none; they reach Flow with the declared payload", async () => {
    const s = await shopWithLot("flow-recall");
    const ann = newId();
    await shipToCustomer(s.shop.id, {
      name: "#1001",
      customerId: ann,
      customerName: "Ann",
      customerEmail: "ann@example.com",
      variantId: s.variant,
      lotId: s.lot,
      locationId: s.location,
      quantity: 2,
    });
    await shipToCustomer(s.shop.id, {
      name: "#1002",
      customerId: ann,
      customerName: "Ann",
      customerEmail: "ann@example.com",
      variantId: s.variant,
      lotId: s.lot,
      locationId: s.location,
      quantity: 1,
    });
    await shipToCustomer(s.shop.id, { name: "#1003", email: "guest@example.com", variantId: s.variant, lotId: s.lot, locationId: s.location, quantity: 1 });
    // A guest order without any email: nobody to write to, so no "Customer affected" event.
    await shipToCustomer(s.shop.id, { name: "#1004", variantId: s.variant, lotId: s.lot, locationId: s.location, quantity: 1 });

    const recall = await openRecall(s.shop.id, { lots: [{ lotNumber: "H-1" }], reason: "Possible glass fragments", severity: "CLASS_I", reference: "RC-9" });
    const rows = await flowRows(s.shop.id);
    expect(rows.map((r) => r.payload.handle)).toEqual(["lot-quarantined", "recall-opened", "recall-customer-affected", "recall-customer-affected"]);
    const customers = rows.filter((r) => r.payload.handle === "recall-customer-affected").map((r) => r.payload.payload);
    expect(customers).toEqual(
      expect.arrayContaining([
        {
          "Customer email": "ann@example.com",
          "Customer name": "Ann",
          "Order names": "#1001, #1002",
          "Lot numbers": "H-1",
          "Product titles": "Wildflower honey",
          "Recall reason": "Possible glass fragments",
          "Recall reference": "RC-9",
        },
        expect.objectContaining({ "Customer email": "guest@example.com", "Order names": "#1003" }),
      ]),
    );
    expect(rows.find((r) => r.payload.handle === "recall-opened")!.payload.payload).toEqual({
      "Recall reference": "RC-9",
      "Recall reason": "Possible glass fragments",
      "Recall severity": "CLASS_I",
      "Lot numbers": "H-1",
      "Lots in scope": 1,
      "Customers affected": 3,
    });

    // Rerun (a retried job, a second call): the same rows, nothing new.
    const again = await withTransaction((sql) => addRecallFlowTriggers(sql, s.shop.id, recall.id));
    expect((await flowRows(s.shop.id)).length).toBe(4);
    expect(again.sort()).toEqual(
      rows
        .filter((r) => r.payload.handle !== "lot-quarantined")
        .map((r) => r.id)
        .sort(),
    );

    // The worker sends each as flowTriggerReceive.
    const received: { handle: string; payload: Record<string, unknown> }[] = [];
    server.use(
      graphql.mutation("LotkeeperFlowTriggerReceive", ({ variables }) => {
        received.push(variables as { handle: string; payload: Record<string, unknown> });
        return HttpResponse.json({ data: { flowTriggerReceive: { userErrors: [] } } });
      }),
    );
    for (const row of rows) expect(await sendOutboxEntry(row.id)).toMatchObject({ status: "sent" });
    expect(received).toEqual(rows.map((r) => r.payload));
    expect(adminRequests.filter((r) => r.operationName === "LotkeeperFlowTriggerReceive").every((r) => r.shop === s.shop.domain)).toBe(true);
    // Sent once: a second send of a sent row does nothing.
    expect(await sendOutboxEntry(rows[0]!.id)).toMatchObject({ status: "already-done" });
    expect(received.length).toBe(rows.length);
  });

  it("quarantining a lot by hand queues Lot quarantined with the units and the product; Flow refusing it marks the row failed", async () => {
    const s = await shopWithLot("flow-quarantine");
    await quarantineLotNow({ shopId: s.shop.id, lotId: s.lot, reason: "mould on the lids", cause: "USER" });
    // Already quarantined: nothing changes, no second event.
    await quarantineLotNow({ shopId: s.shop.id, lotId: s.lot, reason: "again", cause: "USER" });
    const rows = await flowRows(s.shop.id);
    expect(rows.map((r) => r.payload)).toEqual([
      {
        handle: "lot-quarantined",
        payload: { "Lot number": "H-1", "Product title": "Wildflower honey", Reason: "mould on the lids", "Units quarantined": 20, Locations: 1 },
      },
    ]);
    server.use(
      graphql.mutation("LotkeeperFlowTriggerReceive", () =>
        HttpResponse.json({ data: { flowTriggerReceive: { userErrors: [{ field: ["handle"], message: "Invalid handle" }] } } }),
      ),
    );
    expect(await sendOutboxEntry(rows[0]!.id)).toMatchObject({ status: "failed", error: expect.stringContaining("Invalid handle") });
  });
});

describe("POST /flow/quarantine-lot (the Quarantine lot action)", () => {
  function flowRequest(body: unknown, secret = TEST_SECRET): Request {
    const raw = JSON.stringify(body);
    return new Request("https://lotkeeper.test/flow/quarantine-lot", {
      method: "POST",
      headers: { "content-type": "application/json", "x-shopify-hmac-sha256": sign(raw, secret) },
      body: raw,
    });
  }
  const actionBody = (domain: string, properties: Record<string, unknown>) => ({
    shop_id: "1",
    shopify_domain: domain,
    action_run_id: `run-${newId()}`,
    action_definition_id: "Quarantine lot",
    handle: "quarantine-lot",
    properties,
  });
  async function call(request: Request) {
    const response = await quarantineLotAction({ request, params: {}, context: {} });
    return { status: response.status, body: (await response.json()) as { ok: boolean; message: string; lots?: unknown[] } };
  }
  const balance = async (lotId: bigint) =>
    (await pool().query<{ quarantined: boolean }>("select quarantined from lot_balances where lot_id = $1", [lotId])).rows.map((r) => r.quarantined);

  it("signed by Shopify: quarantines the shop's lot and answers 200; a repeat of the run changes nothing", async () => {
    const s = await shopWithLot("flow-action");
    const body = actionBody(s.shop.domain, { lot_number: "H-1", reason: "Flow: supplier alert" });
    const first = await call(flowRequest(body));
    expect(first).toEqual({
      status: 200,
      body: { ok: true, message: "lot H-1: 20 units quarantined", lots: [{ lotNumber: "H-1", status: "QUARANTINED", unitsQuarantined: 20 }] },
    });
    expect(await balance(s.lot)).toEqual([true]);
    const ledger = await pool().query("select cause::text, cause_ref, reason from ledger_entries where lot_id = $1 and kind = 'QUARANTINED'", [s.lot]);
    expect(ledger.rows).toEqual([{ cause: "WEBHOOK", cause_ref: `flow:${body.action_run_id}`, reason: "Flow: supplier alert" }]);
    expect((await call(flowRequest(body))).status).toBe(200);
    expect((await flowRows(s.shop.id)).length).toBe(1);
  });

  it("a bad signature is 401 and changes nothing", async () => {
    const s = await shopWithLot("flow-action-hmac");
    const forged = await call(flowRequest(actionBody(s.shop.domain, { lot_number: "H-1" }), "not-the-app-secret"));
    expect(forged.status).toBe(401);
    const unsigned = new Request("https://lotkeeper.test/flow/quarantine-lot", {
      method: "POST",
      body: JSON.stringify(actionBody(s.shop.domain, { lot_number: "H-1" })),
    });
    expect((await call(unsigned)).status).toBe(401);
    expect(await balance(s.lot)).toEqual([false]);
  });

  it("shop A's request cannot quarantine shop B's lot; an unknown lot or shop is a 404 with the reason", async () => {
    const a = await shopWithLot("flow-tenant-a", "A-1");
    const b = await shopWithLot("flow-tenant-b", "B-1");
    const cross = await call(flowRequest(actionBody(a.shop.domain, { lot_number: "B-1" })));
    expect(cross.status).toBe(404);
    expect(cross.body.message).toMatch(/lot "B-1" was not found in this shop/);
    expect(await balance(b.lot)).toEqual([false]);
    expect((await call(flowRequest(actionBody("nobody.myshopify.com", { lot_number: "B-1" })))).status).toBe(404);
    const bad = await call(flowRequest(actionBody(a.shop.domain, { lot_number: "" })));
    expect(bad).toMatchObject({ status: 400, body: { ok: false, message: expect.stringContaining("lot number") } });
  });

  it("with a location: only that location's units", async () => {
    const s = await shopWithLot("flow-action-location");
    const other = await createLocation(s.shop.id, { name: "Shop floor" });
    await pool().query("insert into lot_balances (lot_id, location_id, shop_id, variant_id, quantity, updated_at) values ($1, $2, $3, $4, 4, now())", [
      s.lot,
      other,
      s.shop.id,
      s.variant,
    ]);
    const answer = await call(flowRequest(actionBody(s.shop.domain, { lot_number: "H-1", location_id: `gid://shopify/Location/${other}` })));
    expect(answer.body).toMatchObject({ ok: true, lots: [{ lotNumber: "H-1", status: "ACTIVE", unitsQuarantined: 4 }] });
    const r = await pool().query<{ location_id: bigint; quarantined: boolean }>(
      "select location_id, quarantined from lot_balances where lot_id = $1 order by location_id",
      [s.lot],
    );
    expect(r.rows.find((x) => x.location_id === other)!.quarantined).toBe(true);
    expect(r.rows.find((x) => x.location_id === s.location)!.quarantined).toBe(false);
  });
});

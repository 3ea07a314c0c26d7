import { describe, expect, it, beforeEach } from "vitest";
import { pool } from "../../app/db.server";
import { withTransaction } from "../../app/lib/sql.server";
import {
  closeRecall,
  getRecall,
  listRecallCustomers,
  listRecalls,
  openRecall,
  setCustomerContactStatus,
  findRecallId,
} from "../../app/domain/recall/recall-case.server";
import { LotNotFoundError, RecallClosedError, RecallInputError } from "../../app/domain/recall/errors";
import { recordProductionRun } from "../../app/domain/genealogy/genealogy.server";
import { sendOutboxEntry } from "../../app/domain/sync/outbox.server";
import { redactCustomer } from "../../app/domain/privacy/privacy.server";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant, newId, shipToCustomer } from "../helpers/factories";
import { adminRequests, graphql, HttpResponse, resetAdminRequests, server } from "../helpers/shopify-mock";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";

// Jobs this file queues (outbox sends) go to a prefix of its own, never the default queues.
useOwnQueuePrefix();

async function recallShop(label: string) {
  const shop = await createTestShop(label);
  const inventoryItem = newId();
  const variant = await createVariant(shop.id, { sku: "HONEY" });
  await pool().query("update variants set inventory_item_id = $3 where shop_id = $1 and id = $2", [shop.id, variant, inventoryItem]);
  const kit = await createVariant(shop.id, { sku: "BREAKFAST-KIT" });
  const a = await createLocation(shop.id, { name: "A" });
  const b = await createLocation(shop.id, { name: "B" });
  const lot = await createLot(shop.id, { variantId: variant, lotNumber: "H-1", quantity: 30, locationId: a });
  await createLot(shop.id, { variantId: variant, lotNumber: "H-2", quantity: 5, locationId: a });
  // 5 units of H-1 moved to location B by a second receipt there
  await pool().query("insert into lot_balances (lot_id, location_id, shop_id, variant_id, quantity, updated_at) values ($1, $2, $3, $4, 5, now())", [
    lot,
    b,
    shop.id,
    variant,
  ]);
  return { shop, variant, kit, a, b, lot, inventoryItem };
}

beforeEach(() => resetAdminRequests());

describe("recall case", () => {
  it("opens: scope includes downstream lots, quarantines what is left, marks lots RECALLED, lists customers with status", async () => {
    const s = await recallShop("case-open");
    const run = await withTransaction((sql) =>
      recordProductionRun(sql, s.shop.id, {
        kind: "KIT",
        outputVariantId: s.kit,
        outputLotNumber: "KIT-1",
        quantity: 4,
        locationId: s.a,
        inputs: [{ lotNumber: "H-1", quantity: 4 }],
      }),
    );
    const ann = newId();
    await shipToCustomer(s.shop.id, { customerId: ann, customerName: "Ann", variantId: s.variant, lotId: s.lot, locationId: s.a, quantity: 2 });
    await shipToCustomer(s.shop.id, {
      email: "guest@example.com",
      customerName: "Guest",
      variantId: s.kit,
      lotId: run.output.lotId,
      locationId: s.a,
      quantity: 1,
    });
    const unrelated = await shipToCustomer(s.shop.id, {
      customerId: newId(),
      variantId: s.variant,
      lotId: null,
      locationId: s.a,
      quantity: 1,
      fulfilledAt: new Date(Date.now() - 90 * 24 * 3600 * 1000),
    });

    const recall = await openRecall(s.shop.id, { lots: [{ lotNumber: "H-1" }], reason: "Possible glass fragments", severity: "CLASS_I", reference: "RC-7" });
    expect(recall).toMatchObject({ reference: "RC-7", severity: "CLASS_I", status: "OPEN", tagShopify: false, tagging: null });
    expect(recall.lots.map((l) => [l.lotNumber, l.direct, l.status])).toEqual([
      ["H-1", true, "RECALLED"],
      ["KIT-1", false, "RECALLED"],
    ]);
    // H-1: 30 + 5 received, 4 into the kit, 2 shipped => 24 at A, 5 at B; KIT-1: 3 left. Everything left is quarantined.
    expect(recall.totals.onHand.map((b) => [b.lotNumber, b.locationId, b.quantity, b.quarantined])).toEqual([
      ["H-1", s.a, 24, 24],
      ["H-1", s.b, 5, 5],
      ["KIT-1", s.a, 3, 3],
    ]);
    expect(recall.progress).toEqual({ customers: 2, toContact: 2, contacted: 0, returned: 0, destroyed: 0, completionPercent: 0, resolvedPercent: 0 });
    const h2 = await pool().query<{ status: string }>("select status from lots where shop_id = $1 and lot_number = 'H-2'", [s.shop.id]);
    expect(h2.rows[0]!.status).toBe("ACTIVE");
    // The quarantine reached Shopify's queue: units move to quality_control for the lot with an inventory item.
    const moves = await pool().query<{
      payload: { input: { changes: { inventoryItemId: string; quantity: number; from: { name: string }; to: { name: string } }[] } };
    }>("select payload from outbox_entries where shop_id = $1 and kind = 'inventory.move' order by id", [s.shop.id]);
    expect(moves.rows.map((r) => r.payload.input.changes.map((c) => [c.inventoryItemId, c.quantity, c.from.name, c.to.name]))).toEqual([
      [
        [`gid://shopify/InventoryItem/${s.inventoryItem}`, 24, "available", "quality_control"],
        [`gid://shopify/InventoryItem/${s.inventoryItem}`, 5, "available", "quality_control"],
      ],
    ]);
    const ledger = await pool().query<{ n: number }>(
      "select count(*)::int as n from ledger_entries where shop_id = $1 and kind = 'QUARANTINED' and cause_ref = $2",
      [s.shop.id, `recall:${recall.id}`],
    );
    expect(ledger.rows[0]!.n).toBe(3);

    const page = await listRecallCustomers(s.shop.id, recall.id);
    expect(page.customers.map((c) => [c.customerKey, c.name, c.units, c.contactStatus])).toEqual([
      [ann.toString(), "Ann", 2, "TO_CONTACT"],
      ["email:guest@example.com", "Guest", 1, "TO_CONTACT"],
    ]);
    expect(page.customers.some((c) => c.orders.some((o) => o.orderId === unrelated.orderId))).toBe(false);

    // "Who is still to contact", page by page (keyset by customer key).
    const todo1 = await listRecallCustomers(s.shop.id, recall.id, null, { status: "TO_CONTACT", limit: 1 });
    const todo2 = await listRecallCustomers(s.shop.id, recall.id, todo1.nextCursor, { status: "TO_CONTACT", limit: 1 });
    expect([...todo1.customers, ...todo2.customers].map((c) => [c.customerKey, c.units])).toEqual([
      [ann.toString(), 2],
      ["email:guest@example.com", 1],
    ]);
    expect(todo2.nextCursor).toBeNull();

    await setCustomerContactStatus(s.shop.id, recall.id, ann.toString(), "CONTACTED");
    const after = await setCustomerContactStatus(s.shop.id, recall.id, "email:guest@example.com", "RETURNED");
    expect(after.progress).toMatchObject({ toContact: 0, contacted: 1, returned: 1, completionPercent: 100, resolvedPercent: 50 });
    await expect(setCustomerContactStatus(s.shop.id, recall.id, "999", "CONTACTED")).rejects.toThrow(/customer "999" is not in recall/);
    expect((await listRecallCustomers(s.shop.id, recall.id, null, { status: "TO_CONTACT" })).customers).toEqual([]);
    const returnedOnes = await listRecallCustomers(s.shop.id, recall.id, null, { status: "RETURNED" });
    expect(returnedOnes.customers.map((c) => [c.customerKey, c.name, c.contactStatus])).toEqual([["email:guest@example.com", "Guest", "RETURNED"]]);
    const listed = await listRecallCustomers(s.shop.id, recall.id, null, { limit: 1 });
    expect(listed.customers[0]!.contactStatus).toBe("CONTACTED");
    expect(listed.nextCursor).not.toBeNull();

    expect((await listRecalls(s.shop.id)).recalls.map((r) => [r.reference, r.status, r.lotNumbers, r.progress.completionPercent])).toEqual([
      ["RC-7", "OPEN", ["H-1"], 100],
    ]);
    expect(await findRecallId(s.shop.id, "RC-7")).toBe(recall.id);
    await expect(openRecall(s.shop.id, { lots: [{ lotNumber: "H-2" }], reason: "again", severity: "CLASS_II", reference: "RC-7" })).rejects.toThrow(
      /already used/,
    );

    const closed = await closeRecall(s.shop.id, recall.id);
    expect(closed.status).toBe("CLOSED");
    expect(closed.closedAt).not.toBeNull();
    expect(closed.lots.every((l) => l.status === "RECALLED")).toBe(true);
    await expect(closeRecall(s.shop.id, recall.id)).rejects.toBeInstanceOf(RecallClosedError);
    await expect(setCustomerContactStatus(s.shop.id, recall.id, ann.toString(), "DESTROYED")).rejects.toBeInstanceOf(RecallClosedError);
    expect(await listRecalls(s.shop.id, { status: "OPEN" })).toEqual({ recalls: [], nextCursor: null });
  });

  it("tags affected orders and customers in Shopify through the outbox, once each, with visible progress", async () => {
    const s = await recallShop("case-tags");
    const ann = newId();
    const first = await shipToCustomer(s.shop.id, { customerId: ann, variantId: s.variant, lotId: s.lot, locationId: s.a, quantity: 1 });
    const second = await shipToCustomer(s.shop.id, { customerId: ann, variantId: s.variant, lotId: s.lot, locationId: s.a, quantity: 1 });
    const guest = await shipToCustomer(s.shop.id, { email: "g@example.com", variantId: s.variant, lotId: s.lot, locationId: s.a, quantity: 1 });
    const tagged: { id: string; tags: string[] }[] = [];
    server.use(
      graphql.mutation("LotkeeperTagsAdd", ({ variables }) => {
        tagged.push({ id: variables.id as string, tags: variables.tags as string[] });
        return HttpResponse.json({ data: { tagsAdd: { node: { id: variables.id }, userErrors: [] } } });
      }),
    );
    const recall = await openRecall(s.shop.id, {
      lots: [{ lotNumber: "H-1", variantId: s.variant }],
      reason: "Mislabelled allergen",
      severity: "class_ii",
      tagShopify: true,
      reference: "RC-TAG",
    });
    expect(recall.tagging).toEqual({ tag: "recall-RC-TAG", total: 4, pending: 4, sent: 0, failed: 0 });
    const rows = await pool().query<{ id: bigint }>("select id from outbox_entries where shop_id = $1 and kind = 'tags.add' order by id", [s.shop.id]);
    for (const row of rows.rows) expect((await sendOutboxEntry(row.id)).status).toBe("sent");
    // a redelivered job sends nothing twice
    expect((await sendOutboxEntry(rows.rows[0]!.id)).status).toBe("already-done");
    expect(tagged.map((t) => t.id).sort()).toEqual(
      [
        `gid://shopify/Customer/${ann}`,
        `gid://shopify/Order/${first.orderId}`,
        `gid://shopify/Order/${second.orderId}`,
        `gid://shopify/Order/${guest.orderId}`,
      ].sort(),
    );
    expect(tagged.every((t) => t.tags.join() === "recall-RC-TAG")).toBe(true);
    expect(adminRequests.filter((r) => r.operationName === "LotkeeperTagsAdd")).toHaveLength(4);
    expect((await getRecall(s.shop.id, recall.id))!.tagging).toMatchObject({ total: 4, pending: 0, sent: 4 });
  });

  it("a guest redacted during the recall stays listed (by order, no contact details) with the status already recorded", async () => {
    const s = await recallShop("case-redact");
    const guest = await shipToCustomer(s.shop.id, {
      email: "Guest@Example.com",
      customerName: "Gwen",
      variantId: s.variant,
      lotId: s.lot,
      locationId: s.a,
      quantity: 3,
    });
    const recall = await openRecall(s.shop.id, { lots: [{ lotNumber: "H-1" }], reason: "x", severity: "CLASS_I" });
    await setCustomerContactStatus(s.shop.id, recall.id, "email:guest@example.com", "CONTACTED");
    await withTransaction((sql) =>
      redactCustomer(sql, s.shop.id, s.shop.domain, {
        customerId: null,
        email: "guest@example.com",
        phone: null,
        orderIds: [guest.orderId],
        dataRequestId: null,
      }),
    );
    const page = await listRecallCustomers(s.shop.id, recall.id);
    expect(page.customers.map((c) => [c.customerKey, c.redacted, c.name, c.email, c.units, c.contactStatus])).toEqual([
      [`order:${guest.orderId}`, true, null, null, 3, "CONTACTED"],
    ]);
    expect((await getRecall(s.shop.id, recall.id))!.progress).toMatchObject({ customers: 1, contacted: 1, toContact: 0 });
  });

  it("a customer who gets units of a recalled lot after opening (manual move) joins the case as to contact", async () => {
    const s = await recallShop("case-late");
    await shipToCustomer(s.shop.id, { customerId: newId(), variantId: s.variant, lotId: s.lot, locationId: s.a, quantity: 1 });
    const recall = await openRecall(s.shop.id, { lots: [{ lotNumber: "H-1" }], reason: "x", severity: "CLASS_II", tagShopify: true });
    expect(recall.progress.customers).toBe(1);
    expect(recall.tagging).toMatchObject({ total: 2 });
    const late = newId();
    const lateOrder = await shipToCustomer(s.shop.id, { customerId: late, variantId: s.variant, lotId: s.lot, locationId: s.a, quantity: 2 });
    const again = (await getRecall(s.shop.id, recall.id))!;
    expect(again.progress).toMatchObject({ customers: 2, toContact: 2 });
    // ... and their order and customer are tagged too (once, however often the case is read).
    expect(again.tagging).toMatchObject({ total: 4, pending: 4 });
    expect((await getRecall(s.shop.id, recall.id))!.tagging).toMatchObject({ total: 4 });
    const tagged = await pool().query<{ id: string }>("select payload->>'id' as id from outbox_entries where shop_id = $1 and kind = 'tags.add' order by id", [
      s.shop.id,
    ]);
    expect(tagged.rows.map((r) => r.id)).toEqual(expect.arrayContaining([`gid://shopify/Order/${lateOrder.orderId}`, `gid://shopify/Customer/${late}`]));
    expect((await listRecallCustomers(s.shop.id, recall.id, null, { status: "TO_CONTACT" })).customers.map((c) => c.customerId)).toContain(late);
  });

  it("refuses bad input and another shop's lots, and changes nothing", async () => {
    const a = await recallShop("case-tenant-a");
    const b = await recallShop("case-tenant-b");
    await shipToCustomer(a.shop.id, { customerId: newId(), customerName: "Only in A", variantId: a.variant, lotId: a.lot, locationId: a.a, quantity: 1 });
    // B has its own H-1; A's variant id names nothing in B.
    await expect(openRecall(b.shop.id, { lots: [{ lotNumber: "H-1", variantId: a.variant }], reason: "x", severity: "CLASS_I" })).rejects.toBeInstanceOf(
      LotNotFoundError,
    );
    await expect(openRecall(b.shop.id, { lots: [{ lotNumber: "H-1" }], reason: "  ", severity: "CLASS_I" })).rejects.toBeInstanceOf(RecallInputError);
    await expect(openRecall(b.shop.id, { lots: [{ lotNumber: "H-1" }], reason: "x", severity: "CLASS_IV" })).rejects.toThrow(/unknown severity/);
    // Two lots, one unknown: nothing is opened, nothing quarantined.
    await expect(openRecall(b.shop.id, { lots: [{ lotNumber: "H-1" }, { lotNumber: "NOPE" }], reason: "x", severity: "CLASS_I" })).rejects.toBeInstanceOf(
      LotNotFoundError,
    );
    expect(await listRecalls(b.shop.id)).toEqual({ recalls: [], nextCursor: null });
    const statuses = await pool().query<{ status: string; quarantined: boolean }>(
      "select l.status, b.quarantined from lots l join lot_balances b on b.lot_id = l.id where l.shop_id = $1 and l.lot_number = 'H-1'",
      [b.shop.id],
    );
    expect(statuses.rows.every((r) => r.status === "ACTIVE" && !r.quarantined)).toBe(true);
    // B's recall of its own H-1 lists none of A's customers, and A cannot read B's recall.
    const inB = await openRecall(b.shop.id, { lots: [{ lotNumber: "H-1" }], reason: "x", severity: "CLASS_III" });
    expect(inB.totals.customers).toBe(0);
    expect((await listRecallCustomers(b.shop.id, inB.id)).customers).toEqual([]);
    expect(await getRecall(a.shop.id, inB.id)).toBeNull();
    await expect(listRecallCustomers(a.shop.id, inB.id)).rejects.toThrow(/not found in this shop/);
    await expect(closeRecall(a.shop.id, inB.id)).rejects.toThrow(/not found in this shop/);
    const aLot = await pool().query<{ status: string }>("select status from lots where id = $1", [a.lot]);
    expect(aLot.rows[0]!.status).toBe("ACTIVE");
  });
});

// What each topic does once the worker has processed it, through the real route and the real
// BullMQ worker: orders (newest wins), catalog, app lifecycle, deferred topics.
import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { deliver, inboxRow, processWebhookQueue, useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { fixture } from "../helpers/webhooks";
import { createTestShop, uniqueShopDomain } from "../helpers/shops";
import { createAllocation, createLocation, createLot, createVariant, newId } from "../helpers/factories";
import { pool, prisma } from "../../app/db.server";
import { closeQueues } from "../../app/lib/queues.server";
import { topicHandlers } from "../../app/domain/webhooks/topics.server";
import { sweepInbox } from "../../app/domain/webhooks/requeue.server";

useOwnQueuePrefix();
afterAll(() => closeQueues());

type Order = Record<string, unknown> & { id: number | string; updated_at: string; line_items: Array<Record<string, unknown>> };

function orderPayload(overrides: Partial<Order> = {}): Order {
  const base = fixture<Order>("orders-create");
  return { ...base, id: String(newId()), ...overrides } as Order;
}

async function storedOrder(shopId: number, orderId: string | number) {
  const r = await pool().query(
    "select name, customer_id, customer_name, customer_email, customer_phone, shipping_address, cancelled_at, redacted from orders where shop_id = $1 and id = $2",
    [shopId, orderId],
  );
  return r.rows[0];
}

describe("orders/*", () => {
  it("orders/create stores the order, its lines and the customer snapshot", async () => {
    const shop = await createTestShop("orders");
    const order = orderPayload();
    const body = JSON.parse(JSON.stringify(order).replace(`"id":"${order.id}"`, `"id":${order.id}`));
    const { webhookId } = await deliver({ topic: "orders/create", shop: shop.domain, body });
    await processWebhookQueue();
    expect((await inboxRow(webhookId))?.status).toBe("PROCESSED");
    const stored = await storedOrder(shop.id, order.id);
    expect(stored).toMatchObject({
      name: "#1042",
      customer_id: 7301188550001n,
      customer_name: "Maria Lopez",
      customer_email: "maria.lopez@example.com",
      redacted: false,
    });
    expect(stored.shipping_address).toMatchObject({ city: expect.any(String) });
    const lines = await pool().query("select id, variant_id, quantity, sku from order_lines where shop_id = $1 and order_id = $2 order by id", [
      shop.id,
      order.id,
    ]);
    expect(lines.rows.map((l) => l.quantity)).toEqual(order.line_items.map((l) => l.quantity));
  });

  it("an older orders/updated arriving after a newer one changes nothing; the newest wins in any order", async () => {
    const shop = await createTestShop("ooo");
    const order = orderPayload();
    const older = { ...order, updated_at: "2026-11-20T10:00:00Z", name: "#OLD", customer: { ...(order.customer as object), email: "old@example.com" } };
    const newer = { ...order, updated_at: "2026-11-21T10:00:00Z", name: "#NEW", customer: { ...(order.customer as object), email: "new@example.com" } };
    await deliver({ topic: "orders/updated", shop: shop.domain, body: newer });
    await processWebhookQueue();
    const { webhookId } = await deliver({ topic: "orders/updated", shop: shop.domain, body: older });
    await processWebhookQueue();
    expect((await inboxRow(webhookId))?.status).toBe("PROCESSED");
    expect(await storedOrder(shop.id, order.id)).toMatchObject({ name: "#NEW", customer_email: "new@example.com" });
    // And a cancellation that is newer still applies.
    await deliver({
      topic: "orders/cancelled",
      shop: shop.domain,
      body: { ...newer, updated_at: "2026-11-22T10:00:00Z", cancelled_at: "2026-11-22T10:00:00Z" },
    });
    await processWebhookQueue();
    expect((await storedOrder(shop.id, order.id)).cancelled_at).toEqual(new Date("2026-11-22T10:00:00Z"));
  });

  it("links allocations made before the order arrived to the order's customer", async () => {
    const shop = await createTestShop("link");
    const variantId = await createVariant(shop.id);
    const locationId = await createLocation(shop.id);
    const lotId = await createLot(shop.id, { variantId, lotNumber: "L-1", quantity: 10, locationId });
    const order = orderPayload();
    const lineItemId = BigInt(String(order.line_items[0]!.id));
    await createAllocation(shop.id, { orderId: BigInt(order.id), lineItemId, variantId, lotId, locationId, quantity: 2 });
    await deliver({ topic: "orders/create", shop: shop.domain, body: order });
    await processWebhookQueue();
    const allocations = await pool().query("select customer_id from allocations where shop_id = $1 and order_id = $2", [shop.id, order.id]);
    expect(allocations.rows).toEqual([{ customer_id: 7301188550001n }]);
  });

  it("an event that is already processed is not processed again (a second job for it stops at once)", async () => {
    const shop = await createTestShop("twice");
    const { webhookId } = await deliver({ topic: "orders/create", shop: shop.domain, body: orderPayload() });
    await processWebhookQueue();
    const row = await inboxRow(webhookId);
    const { processWebhookEvent } = await import("../../app/domain/webhooks/process-event.server");
    const { log } = await import("../../app/lib/logger.server");
    expect(await processWebhookEvent(row!.id, { log })).toBe("already-processed");
    expect(await inboxRow(webhookId)).toMatchObject({ status: "PROCESSED", attempts: 1 });
  });

  it("a payload that can never be an order fails at once, with the reason on the event", async () => {
    const shop = await createTestShop("bad");
    const { webhookId } = await deliver({ topic: "orders/create", shop: shop.domain, body: { id: "not-a-number", line_items: [] } });
    await processWebhookQueue();
    const row = await inboxRow(webhookId);
    expect(row).toMatchObject({ status: "FAILED", attempts: 1 });
    expect(row?.last_error).toMatch(/not an order payload: id/);
  });
});

describe("catalog", () => {
  it("products/create maps variants to inventory items; products/update keeps the merchant's settings and ignores older updates", async () => {
    const shop = await createTestShop("catalog");
    const product = fixture<Record<string, unknown> & { variants: Array<Record<string, unknown>> }>("products-create");
    const productId = String(newId());
    const variants = product.variants.map((v) => ({ ...v, id: String(newId()), product_id: productId }));
    await deliver({ topic: "products/create", shop: shop.domain, body: { ...product, id: productId, variants } });
    await processWebhookQueue();
    const rows = await pool().query("select id, inventory_item_id, sku, title, product_title, barcode from variants where shop_id = $1 order by sku", [
      shop.id,
    ]);
    expect(rows.rows).toEqual([
      {
        id: BigInt(variants[1]!.id as string),
        inventory_item_id: 48220055660003n,
        sku: "CANDLE-BLUE-200",
        title: "Blue",
        product_title: "Herbal tea candle",
        barcode: null,
      },
      {
        id: BigInt(variants[0]!.id as string),
        inventory_item_id: 48220055660001n,
        sku: "CANDLE-RED-200",
        title: "Red",
        product_title: "Herbal tea candle",
        barcode: "09506000134352",
      },
    ]);
    await pool().query("update variants set lot_tracked = false, strategy_override = 'LIFO' where shop_id = $1", [shop.id]);
    // Newer update: renamed, Blue removed. Then an older one arrives late.
    await deliver({
      topic: "products/update",
      shop: shop.domain,
      body: { ...product, id: productId, title: "Tea candle", updated_at: "2026-11-20T00:00:00Z", variants: [variants[0]] },
    });
    await processWebhookQueue();
    await deliver({
      topic: "products/update",
      shop: shop.domain,
      body: { ...product, id: productId, title: "Stale", updated_at: "2026-11-10T00:00:00Z", variants },
    });
    await processWebhookQueue();
    const after = await pool().query(
      "select sku, product_title, lot_tracked, strategy_override::text, deleted_at is not null as deleted from variants where shop_id = $1 order by sku",
      [shop.id],
    );
    expect(after.rows).toEqual([
      { sku: "CANDLE-BLUE-200", product_title: "Herbal tea candle", lot_tracked: false, strategy_override: "LIFO", deleted: true },
      { sku: "CANDLE-RED-200", product_title: "Tea candle", lot_tracked: false, strategy_override: "LIFO", deleted: false },
    ]);
    // inventory_items/update renames the SKU; products/delete marks the variants deleted (kept for traceability).
    await deliver({ topic: "inventory_items/update", shop: shop.domain, body: { id: 48220055660001, sku: "CANDLE-RED-250", tracked: true } });
    await deliver({ topic: "products/delete", shop: shop.domain, body: { id: productId } });
    await processWebhookQueue();
    const final = await pool().query("select sku, deleted_at is not null as deleted from variants where shop_id = $1 order by sku", [shop.id]);
    expect(final.rows).toEqual([
      { sku: "CANDLE-BLUE-200", deleted: true },
      { sku: "CANDLE-RED-250", deleted: true },
    ]);
  });

  it("locations/create and locations/update keep the location's name and state", async () => {
    const shop = await createTestShop("locations");
    const id = String(newId());
    await deliver({ topic: "locations/create", shop: shop.domain, body: { id, name: "Warehouse", active: true } });
    await processWebhookQueue();
    await deliver({ topic: "locations/update", shop: shop.domain, body: { id, name: "Old warehouse", active: false } });
    await processWebhookQueue();
    const r = await pool().query("select name, active from locations where shop_id = $1 and id = $2", [shop.id, id]);
    expect(r.rows).toEqual([{ name: "Old warehouse", active: false }]);
  });
});

describe("app lifecycle", () => {
  it("app/uninstalled marks the shop uninstalled and removes its sessions; its data stays", async () => {
    const shop = await createTestShop("uninstall");
    const variantId = await createVariant(shop.id);
    await deliver({
      topic: "app/uninstalled",
      shop: shop.domain,
      body: { ...fixture<Record<string, unknown>>("app-uninstalled"), myshopify_domain: shop.domain },
    });
    await processWebhookQueue();
    const after = await prisma.shop.findUniqueOrThrow({ where: { id: shop.id } });
    expect(after.installed).toBe(false);
    expect(after.uninstalledAt).toBeInstanceOf(Date);
    expect(await prisma.session.count({ where: { shop: shop.domain } })).toBe(0);
    expect(await prisma.variant.count({ where: { shopId: shop.id, id: variantId } })).toBe(1);
  });

  it("a captured delivery replayed as app/uninstalled (another topic's body, or another shop's) changes nothing", async () => {
    const victim = await createTestShop("replayed");
    const other = await createTestShop("replay-source");
    const replays = [
      fixture<Record<string, unknown>>("orders-create"),
      { ...fixture<Record<string, unknown>>("app-uninstalled"), myshopify_domain: other.domain },
    ];
    const ids: string[] = [];
    for (const body of replays) ids.push((await deliver({ topic: "app/uninstalled", shop: victim.domain, body })).webhookId);
    await processWebhookQueue();
    for (const id of ids)
      expect(await inboxRow(id)).toMatchObject({ status: "FAILED", last_error: expect.stringMatching(/app\/uninstalled refused, nothing changed/) });
    expect((await prisma.shop.findUniqueOrThrow({ where: { id: victim.id } })).installed).toBe(true);
    expect(await prisma.session.count({ where: { shop: victim.domain } })).toBe(1);
  });

  it("app/scopes_update stores the granted scopes", async () => {
    const shop = await createTestShop("scopes");
    await deliver({
      topic: "app/scopes_update",
      shop: shop.domain,
      body: { id: 1, previous: ["read_orders"], current: ["read_orders", "write_inventory"], updated_at: new Date().toISOString() },
    });
    await processWebhookQueue();
    expect((await prisma.shop.findUniqueOrThrow({ where: { id: shop.id } })).scopes).toBe("read_orders,write_inventory");
    expect((await prisma.session.findFirstOrThrow({ where: { shop: shop.domain } })).scope).toBe("read_orders,write_inventory");
  });

  it("a webhook for a shop never seen before creates the shop", async () => {
    const domain = uniqueShopDomain("newshop");
    await deliver({ topic: "locations/create", shop: domain, body: { id: 1, name: "Main", active: true } });
    await processWebhookQueue();
    expect(await prisma.shop.count({ where: { domain } })).toBe(1);
  });
});

describe("topics without a handler yet", () => {
  it("are recorded as DEFERRED, and the sweep queues them again once a handler exists", async () => {
    const shop = await createTestShop("deferred");
    const topic = "locations/update" as const;
    const saved = topicHandlers[topic];
    const seen: string[] = [];
    try {
      topicHandlers[topic] = []; // as a capability not built yet
      const { webhookId } = await deliver({ topic, shop: shop.domain, body: { id: 7, name: "Later", active: true }, webhookId: randomUUID() });
      await processWebhookQueue();
      expect((await inboxRow(webhookId))?.status).toBe("DEFERRED");
      topicHandlers[topic] = [async (ctx) => void seen.push(ctx.webhookId)];
      await sweepInbox({ olderThanMs: 0, shopDomains: [shop.domain] });
      await processWebhookQueue();
      expect(seen).toEqual([webhookId]);
      expect((await inboxRow(webhookId))?.status).toBe("PROCESSED");
      // Processed events are not swept again.
      await sweepInbox({ olderThanMs: 0, shopDomains: [shop.domain] });
      await processWebhookQueue();
      expect(seen).toEqual([webhookId]);
    } finally {
      topicHandlers[topic] = saved;
    }
  });
});

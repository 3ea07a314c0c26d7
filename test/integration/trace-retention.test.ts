import { describe, expect, it } from "vitest";
import type { Readable } from "node:stream";
import { pool } from "../../app/db.server";
import { pruneInbox } from "../../app/domain/webhooks/requeue.server";
import { fsma204CsvStream } from "../../app/domain/exports/fsma204.server";
import { lotExportScope } from "../../app/domain/exports/recall-exports.server";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant, newId, shipToCustomer } from "../helpers/factories";

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

// FSMA 204 asks for traceability records kept 2 years (docs/decisions/108). The only pruning job
// deletes old processed webhook payloads; the Key Data Elements live in our own tables.
const TRACE_TABLES = ["lots", "ledger_entries", "allocations", "allocation_returns", "orders", "order_lines", "fulfillments", "fulfillment_lines"];

async function traceRows(shopId: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of TRACE_TABLES) {
    const r = await pool().query<{ n: string }>(`select count(*)::text as n from ${table} where shop_id = $1`, [shopId]);
    counts[table] = Number(r.rows[0]!.n);
  }
  return counts;
}

describe("record retention", () => {
  it("pruning the webhook inbox deletes old payloads only: a 2-year-old receipt, shipment and return still answer the FSMA 204 sheet", async () => {
    const shop = await createTestShop("retention");
    const variant = await createVariant(shop.id, { sku: "EGG-6", productTitle: "Free range eggs", title: "6 pack" });
    const place = await createLocation(shop.id, { name: "Farm shop" });
    const longAgo = new Date(Date.now() - 800 * 86_400_000); // more than 2 years
    const lot = await createLot(shop.id, {
      variantId: variant,
      lotNumber: "E-2024",
      quantity: 12,
      locationId: place,
      receivedAt: longAgo,
      supplier: "Hill Farm",
    });
    const shipped = await shipToCustomer(shop.id, {
      name: "#1",
      customerId: newId(),
      customerName: "Ann Lee",
      variantId: variant,
      lotId: lot,
      locationId: place,
      quantity: 2,
      fulfilledAt: longAgo,
      returnedQuantity: 1,
      returnedAt: longAgo,
    });
    await pool().query("update allocations set created_at = $2, updated_at = $2 where id = $1", [shipped.allocationId, longAgo]);
    // The delivery that brought the fulfilment, processed 800 days ago.
    const webhookId = `retention-${newId()}`;
    await pool().query(
      `insert into webhook_events (webhook_id, shop_domain, topic, payload, status, received_at, processed_at)
       values ($1, $2, 'fulfillments/create', $3::jsonb, 'PROCESSED', $4, $4)`,
      [webhookId, shop.domain, JSON.stringify({ id: 1, order_id: String(shipped.orderId) }), longAgo],
    );
    const before = await traceRows(shop.id);
    const sheetBefore = await text(await fsma204CsvStream(shop.id, await lotExportScope(shop.id, { lotNumber: "E-2024" })));

    expect(await pruneInbox(30)).toBeGreaterThanOrEqual(1);

    // The payload is gone (it held customer data and Shopify never redelivers), the trace is not.
    expect((await pool().query("select 1 from webhook_events where webhook_id = $1", [webhookId])).rowCount).toBe(0);
    expect(await traceRows(shop.id)).toEqual(before);
    expect(before).toMatchObject({ lots: 1, allocations: 1, allocation_returns: 1, orders: 1, order_lines: 1, fulfillments: 1 });
    const sheetAfter = await text(await fsma204CsvStream(shop.id, await lotExportScope(shop.id, { lotNumber: "E-2024" })));
    expect(sheetAfter).toBe(sheetBefore);
    const events = sheetAfter
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => line.split(",")[0]);
    expect(events).toEqual(["Receiving", "Shipping", "Receiving"]);
    expect(sheetAfter).toContain(longAgo.toISOString().slice(0, 10));
  });
});

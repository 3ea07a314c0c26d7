// Shopify ids beyond 2^53 stay exact end to end. The catalog comes in as Shopify's own samples
// (products/create: variants 642667041472713922 and 757650484644203962, locations/create: location
// 866550311766439020), signed through the real route and worker; then a lot of the first variant
// is received, made into a kit of the second, and shipped to an order. Each id must come out with
// the same digits from the database, the JSON API, the CLI, the recall CSV and EPCIS exports and
// the admin lot page: none of them is a double (JSON.parse would make them ...713984, ...203904,
// ...439040, other rows).
import { randomUUID } from "node:crypto";
import type { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { callRoute, processWebhookQueue, useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { webhookHeaders } from "../helpers/webhooks";
import { shopifySampleBody, webhookApiVersion } from "../helpers/shopify-samples";
import { createTestShop } from "../helpers/shops";
import { createLot, shipToCustomer } from "../helpers/factories";
import { adminGet } from "../helpers/admin-requests";
import { cliOutput } from "../helpers/cli";
import { adminHeaders } from "../helpers/session";
import { pool } from "../../app/db.server";
import { closeQueues } from "../../app/lib/queues.server";
import { withTransaction } from "../../app/lib/sql.server";
import { recordProductionRun } from "../../app/domain/genealogy/genealogy.server";
import { lotExportScope, recallCsvStream, recallEpcisStream } from "../../app/domain/exports/recall-exports.server";
import { loader as variantLotsLoader } from "../../app/routes/api.extensions.variant-lots";
import { loader as lotLoader } from "../../app/routes/app.lots.$id";

useOwnQueuePrefix();
afterAll(() => closeQueues());

const VARIANT = "642667041472713922";
const KIT_VARIANT = "757650484644203962";
const LOCATION = "866550311766439020";
const CUSTOMER = "115310627314723954";
const KNOWN = [VARIANT, KIT_VARIANT, LOCATION, CUSTOMER, "788032119674292922" /* the product */];

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}

async function deliverSample(topic: string, shop: string): Promise<void> {
  const { text: body } = shopifySampleBody(topic, webhookApiVersion());
  const headers = webhookHeaders({ topic, shop, body, webhookId: randomUUID() }, body);
  expect((await callRoute(new Request("https://lotkeeper.test/webhooks", { method: "POST", headers, body }))).status).toBe(200);
}

/** Every run of 16+ digits in a text: the ids it carries, as written. */
const idsIn = (s: string) => new Set(s.match(/\d{16,}/g) ?? []);

describe("ids beyond 2^53, end to end", () => {
  it("keep their digits through the database, JSON, the CLI, CSV, EPCIS and the admin lot page", async () => {
    for (const id of [VARIANT, KIT_VARIANT, LOCATION, CUSTOMER]) expect(String(Number(id))).not.toBe(id); // none survives a double
    const shop = await createTestShop("big-ids");
    await deliverSample("products/create", shop.domain);
    await deliverSample("locations/create", shop.domain);
    await processWebhookQueue();
    await pool().query("update variants set lot_tracked = true where shop_id = $1", [shop.id]);

    const lotId = await createLot(shop.id, { variantId: BigInt(VARIANT), lotNumber: "BIG-1", quantity: 10, locationId: BigInt(LOCATION) });
    const run = await withTransaction((sql) =>
      recordProductionRun(sql, shop.id, {
        kind: "KIT",
        outputVariantId: BigInt(KIT_VARIANT),
        outputLotNumber: "BIG-KIT",
        quantity: 2,
        locationId: BigInt(LOCATION),
        inputs: [{ lotNumber: "BIG-1", quantity: 2 }],
      }),
    );
    await shipToCustomer(shop.id, {
      customerId: BigInt(CUSTOMER),
      customerName: "Big Id",
      variantId: BigInt(VARIANT),
      lotId,
      locationId: BigInt(LOCATION),
      quantity: 3,
    });
    await shipToCustomer(shop.id, {
      customerId: BigInt(CUSTOMER),
      customerName: "Big Id",
      variantId: BigInt(KIT_VARIANT),
      lotId: run.output.lotId,
      locationId: BigInt(LOCATION),
      quantity: 1,
    });

    // Database: bigint columns, read as text.
    const db = await pool().query<{ variant_id: string; location_id: string; customer_id: string }>(
      `select a.variant_id::text, a.location_id::text, a.customer_id::text from allocations a where a.shop_id = $1 order by a.id`,
      [shop.id],
    );
    expect(db.rows).toEqual([
      { variant_id: VARIANT, location_id: LOCATION, customer_id: CUSTOMER },
      { variant_id: KIT_VARIANT, location_id: LOCATION, customer_id: CUSTOMER },
    ]);

    // JSON: the variant block's API, asked with the variant's gid.
    const response = await variantLotsLoader({
      request: new Request(`https://lotkeeper.test/api/extensions/variant-lots?variantId=gid://shopify/ProductVariant/${VARIANT}`, {
        headers: { ...adminHeaders(shop.domain), Origin: "https://extensions.shopifycdn.com" },
      }),
      params: {},
      context: {},
    });
    const json = await response.text();
    expect(JSON.parse(json)).toMatchObject({ known: true, lots: [{ lotNumber: "BIG-1", variantId: VARIANT, balances: [{ locationId: LOCATION }] }] });

    // CLI: lots list and trace lot print the ids as strings of the same digits.
    const listed = await cliOutput(["lots", "list", "--shop", shop.domain]);
    expect(listed).toContain(`"variantId": "${VARIANT}"`);
    const traced = await cliOutput(["trace", "lot", "--shop", shop.domain, "--lot", "BIG-1", "--direction", "forward"]);
    expect(traced).toContain(`"${KIT_VARIANT}"`);
    for (const id of [...idsIn(listed), ...idsIn(traced)]) if (id.length >= 18) expect(KNOWN, id).toContain(id);

    // CSV and EPCIS of the lot's recall scope (the lot and the kit made from it).
    const scope = await lotExportScope(shop.id, { lotNumber: "BIG-1" });
    const csv = await text(await recallCsvStream(shop.id, scope));
    for (const id of [VARIANT, KIT_VARIANT, LOCATION, CUSTOMER]) expect(csv, id).toContain(id);
    const epcis = await text(await recallEpcisStream(shop.id, scope));
    const events = (JSON.parse(epcis) as { epcisBody: { eventList: Array<Record<string, unknown>> } }).epcisBody.eventList;
    const transformation = events.find((e) => e.type === "TransformationEvent");
    expect(JSON.stringify(transformation)).toContain(KIT_VARIANT); // the output class: rounded before (row_to_json)
    expect(JSON.stringify(transformation)).toContain(VARIANT);
    for (const id of idsIn(epcis)) if (id.length >= 18) expect(KNOWN, id).toContain(id);

    // Admin lot page: what its loader hands the page.
    const page = await lotLoader({ request: adminGet(shop.domain, `/app/lots/${lotId}`), params: { id: String(lotId) }, context: {} });
    const pageText = JSON.stringify(page);
    expect(page.lot.variantId).toBe(VARIANT);
    expect(pageText).toContain(LOCATION);
    expect(pageText).toContain(KIT_VARIANT);
    for (const id of idsIn(pageText)) if (id.length >= 18) expect(KNOWN, id).toContain(id);
  });
});

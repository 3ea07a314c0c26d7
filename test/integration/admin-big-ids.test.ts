// Ids past what a BIGINT holds (2^63-1), in every place an admin route reads one: a path segment
// is a 404, a query parameter, cursor or form field answers like any other unknown id (a 404, the
// page without that filter, or the form's own error); none reaches Postgres as an
// out-of-range cast (a 500). One rule decides it: parseId (app/lib/ids.ts).
import { describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { loader as lotLoader, action as lotAction } from "../../app/routes/app.lots.$id";
import { loader as lotsLoader } from "../../app/routes/app.lots._index";
import { loader as recallLoader, action as recallAction } from "../../app/routes/app.recalls.$id";
import { loader as exportLoader } from "../../app/routes/app.recalls.$id.export";
import { loader as newRecallLoader, action as newRecallAction } from "../../app/routes/app.recalls.new";
import { loader as recallsLoader } from "../../app/routes/app.recalls._index";
import { loader as taskLoader } from "../../app/routes/app.tasks_.$id";
import { loader as tasksLoader } from "../../app/routes/app.tasks";
import { loader as dataRequestLoader } from "../../app/routes/app.data-requests.$id";
import { loader as dataRequestsLoader } from "../../app/routes/app.data-requests._index";
import { loader as moveLoader, action as moveAction } from "../../app/routes/app.allocations.$id.move";
import { action as reviewAction } from "../../app/routes/app.review";
import { action as settingsAction } from "../../app/routes/app.settings";
import { loader as variantLotsLoader } from "../../app/routes/api.extensions.variant-lots";
import { loader as orderLotsLoader } from "../../app/routes/api.extensions.order-lots";
import { loader as productLotsLoader } from "../../app/routes/api.extensions.product-lots";
import { adminGet, adminPost } from "../helpers/admin-requests";
import { adminHeaders } from "../helpers/session";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant } from "../helpers/factories";

const OVER = "9223372036854775808"; // 2^63: one past the largest BIGINT
const FAR_OVER = "99999999999999999999";
const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64url");

type Handler = (args: { request: Request; params: Record<string, string>; context: object }) => Promise<unknown>;

/** The status an admin loader/action answers with; an error that is not a Response is what the server turns into a 500. */
async function statusOf(handler: Handler, request: Request, params: Record<string, string> = {}): Promise<number> {
  try {
    const value = await handler({ request, params, context: {} });
    return value instanceof Response ? value.status : 200;
  } catch (thrown) {
    if (thrown instanceof Response) return thrown.status;
    return 500;
  }
}

const extension = (shop: string, path: string) =>
  new Request(`https://lotkeeper.test${path}`, { headers: { ...adminHeaders(shop), Origin: "https://extensions.shopifycdn.com" } });

describe("ids over the BIGINT range on admin routes", () => {
  it("a path id over 2^63-1 is a 404 on every route with one", async () => {
    const shop = await createTestShop("big-path");
    for (const id of [OVER, FAR_OVER]) {
      const params = { id };
      const cases: Array<[string, Handler, Request]> = [
        ["lot page", lotLoader as Handler, adminGet(shop.domain, `/app/lots/${id}`)],
        ["lot action", lotAction as Handler, adminPost(shop.domain, `/app/lots/${id}`, { intent: "quarantine" })],
        ["recall page", recallLoader as Handler, adminGet(shop.domain, `/app/recalls/${id}`)],
        ["recall action", recallAction as Handler, adminPost(shop.domain, `/app/recalls/${id}`, { intent: "close" })],
        ["recall export", exportLoader as Handler, adminGet(shop.domain, `/app/recalls/${id}/export?format=csv`)],
        ["task page", taskLoader as Handler, adminGet(shop.domain, `/app/tasks/${id}`)],
        ["data request download", dataRequestLoader as Handler, adminGet(shop.domain, `/app/data-requests/${id}`)],
        ["allocation move page", moveLoader as Handler, adminGet(shop.domain, `/app/allocations/${id}/move`)],
        ["allocation move action", moveAction as Handler, adminPost(shop.domain, `/app/allocations/${id}/move`, { lotId: "1" })],
      ];
      for (const [what, handler, request] of cases) expect(await statusOf(handler, request, params), `${what} ${id}`).toBe(404);
    }
  });

  it("a query id, cursor or form id over 2^63-1 answers without a 500", async () => {
    const shop = await createTestShop("big-query");
    const location = await createLocation(shop.id);
    const variant = await createVariant(shop.id);
    const lot = await createLot(shop.id, { variantId: variant, lotNumber: "Q-1", quantity: 2, locationId: location });
    const lotParams = { id: String(lot) };
    const recall = (
      await pool().query<{ id: bigint }>("insert into recalls (shop_id, reference, reason, severity) values ($1, 'R-BIG', 'x', 'CLASS_II') returning id", [
        shop.id,
      ])
    ).rows[0]!.id;
    const cases: Array<[string, Handler, Request, Record<string, string>?]> = [
      ["lots ?variant", lotsLoader as Handler, adminGet(shop.domain, `/app/lots?variant=${OVER}`)],
      ["lots ?location", lotsLoader as Handler, adminGet(shop.domain, `/app/lots?location=${FAR_OVER}`)],
      ["lots ?expiry", lotsLoader as Handler, adminGet(shop.domain, `/app/lots?expiry=${FAR_OVER}`)],
      ["lots ?cursor", lotsLoader as Handler, adminGet(shop.domain, `/app/lots?cursor=${b64(JSON.stringify(["2026-01-01", OVER]))}`)],
      ["lot ?ledger", lotLoader as Handler, adminGet(shop.domain, `/app/lots/${lot}?ledger=${OVER}`), lotParams],
      ["lot ?after", lotLoader as Handler, adminGet(shop.domain, `/app/lots/${lot}?after=${b64(`c:${OVER}`)}`), lotParams],
      ["lot action locationId", lotAction as Handler, adminPost(shop.domain, `/app/lots/${lot}`, { intent: "quarantine", locationId: OVER }), lotParams],
      ["recall page ?after", recallLoader as Handler, adminGet(shop.domain, `/app/recalls/${recall}?after=${b64(`c:${OVER}`)}`), { id: String(recall) }],
      ["tasks ?after", tasksLoader as Handler, adminGet(shop.domain, `/app/tasks?after=${OVER}`)],
      ["recalls ?after", recallsLoader as Handler, adminGet(shop.domain, `/app/recalls?after=${b64(`r:2026-01-01T00:00:00.000000|${OVER}`)}`)],
      ["new recall ?variant", newRecallLoader as Handler, adminGet(shop.domain, `/app/recalls/new?lot=Q-1&variant=${OVER}`)],
      [
        "new recall variant field",
        newRecallAction as Handler,
        adminPost(shop.domain, "/app/recalls/new", { lot: "NO-SUCH", variant: OVER, reason: "x", severity: "CLASS_II" }),
      ],
      ["data requests ?after", dataRequestsLoader as Handler, adminGet(shop.domain, `/app/data-requests?after=${b64(`d:2026-01-01T00:00:00.000000|${OVER}`)}`)],
      ["review id", reviewAction as Handler, adminPost(shop.domain, "/app/review", { id: OVER, intent: "resolve-discrepancy" })],
      ["review lotId", reviewAction as Handler, adminPost(shop.domain, "/app/review", { id: "1", lotId: FAR_OVER })],
      ["settings productId", settingsAction as Handler, adminPost(shop.domain, "/app/settings", { intent: "product", productId: OVER, lotTracked: "true" })],
      ["variant block", variantLotsLoader as Handler, extension(shop.domain, `/api/extensions/variant-lots?variantId=gid://shopify/ProductVariant/${OVER}`)],
      ["order block", orderLotsLoader as Handler, extension(shop.domain, `/api/extensions/order-lots?orderId=gid://shopify/Order/${FAR_OVER}`)],
      ["product block", productLotsLoader as Handler, extension(shop.domain, `/api/extensions/product-lots?productId=${OVER}`)],
    ];
    for (const [what, handler, request, params] of cases) expect([200, 400, 404], what).toContain(await statusOf(handler, request, params));
    // Nothing changed: the lot is still active with its units.
    expect((await pool().query("select status::text from lots where id = $1", [lot])).rows).toEqual([{ status: "ACTIVE" }]);
  });
});

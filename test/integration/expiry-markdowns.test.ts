// Markdowns on short-dated stock (decision 113): the daily expiry check puts an automatic discount
// on a variant while its earliest sellable lot is within the shop's markdown rules, deepens it
// closer to expiry, and takes it away once that lot is sold out or recalled, so fresh stock is not
// discounted; Shopify (msw, behind the schema gate) ends with exactly one discount or none, even
// when a create's answer was lost.
import { afterAll, describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { runExpiryDay } from "../../app/domain/expiry/daily-run.server";
import { sendOutboxEntry } from "../../app/domain/sync/outbox.server";
import { markdownTitle } from "../../app/domain/expiry/markdown-rules";
import { openRecall } from "../../app/domain/recall/recall-case.server";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { graphql, HttpResponse, server } from "../helpers/shopify-mock";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant } from "../helpers/factories";
import { cliJson, runCli } from "../helpers/cli";

useOwnQueuePrefix();
afterAll(async () => {
  for (const name of [QUEUE_NAMES.notices, QUEUE_NAMES.maintenance, QUEUE_NAMES.shopifySync]) await getQueue(name).obliterate({ force: true });
});

interface Discount {
  id: string;
  title: string;
  percentage: number;
  variants: string[];
}

/** Shopify's automatic discounts of the shops under test, as the mutations leave them. */
function shopifyDiscounts(options: { loseFirstCreateAnswer?: boolean } = {}) {
  const discounts = new Map<string, Discount>();
  let next = 1;
  let lose = options.loseFirstCreateAnswer ?? false;
  type Input = { title: string; customerGets: { value: { percentage: number }; items: { products: { productVariantsToAdd: string[] } } } };
  const cost = { requestedQueryCost: 10, actualQueryCost: 10, throttleStatus: { maximumAvailable: 2000, currentlyAvailable: 1990, restoreRate: 100 } };
  server.use(
    graphql.query("LotkeeperMarkdownFind", ({ variables }) => {
      const title = /title:'(.*)'/.exec(String(variables.query))?.[1];
      const nodes = [...discounts.values()]
        .filter((d) => d.title === title)
        .map((d) => ({ id: d.id, discount: { __typename: "DiscountAutomaticBasic", title: d.title } }));
      return HttpResponse.json({ data: { discountNodes: { nodes } }, extensions: { cost } });
    }),
    graphql.mutation("LotkeeperMarkdownCreate", ({ variables }) => {
      const input = variables.automaticBasicDiscount as Input;
      const id = `gid://shopify/DiscountAutomaticNode/${next++}`;
      discounts.set(id, {
        id,
        title: input.title,
        percentage: input.customerGets.value.percentage,
        variants: input.customerGets.items.products.productVariantsToAdd,
      });
      if (lose) {
        lose = false;
        return HttpResponse.json({ errors: [{ message: "Internal error. Looks like something went wrong on our end." }] }, { status: 500 });
      }
      return HttpResponse.json({ data: { discountAutomaticBasicCreate: { automaticDiscountNode: { id }, userErrors: [] } }, extensions: { cost } });
    }),
    graphql.mutation("LotkeeperMarkdownUpdate", ({ variables }) => {
      const found = discounts.get(String(variables.id));
      if (found) found.percentage = (variables.automaticBasicDiscount as Input).customerGets.value.percentage;
      return HttpResponse.json({
        data: {
          discountAutomaticBasicUpdate: found
            ? { automaticDiscountNode: { id: found.id }, userErrors: [] }
            : { automaticDiscountNode: null, userErrors: [{ field: ["id"], message: "Discount does not exist", code: "INVALID" }] },
        },
        extensions: { cost },
      });
    }),
    graphql.mutation("LotkeeperMarkdownDelete", ({ variables }) => {
      discounts.delete(String(variables.id));
      return HttpResponse.json({ data: { discountAutomaticDelete: { deletedAutomaticDiscountId: variables.id, userErrors: [] } }, extensions: { cost } });
    }),
  );
  return discounts;
}

async function sendPending(shopId: number) {
  const rows = await pool().query<{ id: bigint }>(
    "select id from outbox_entries where shop_id = $1 and kind = 'markdown.sync' and status <> 'SENT' order by id",
    [shopId],
  );
  return Promise.all(rows.rows.map((r) => sendOutboxEntry(r.id)));
}

async function markdownShop(label: string) {
  const shop = await createTestShop(label, { ianaTimezone: "UTC", markdownRules: "14:20, 5:40" });
  const locationId = await createLocation(shop.id, { name: "Main" });
  const variantId = await createVariant(shop.id, { productTitle: "Yogurt" });
  const shortDated = await createLot(shop.id, { variantId, lotNumber: "Y-SHORT", expiresOn: "2026-12-14", quantity: 3, locationId });
  const fresh = await createLot(shop.id, { variantId, lotNumber: "Y-FRESH", expiresOn: "2027-02-01", quantity: 20, locationId });
  return { shop, variantId, locationId, shortDated, fresh };
}

const day = (d: string) => new Date(`${d}T08:00:00Z`);

describe("markdowns on short-dated stock", () => {
  it("20 % at 14 days, 40 % at 5, gone once the short-dated lot is sold out", async () => {
    const discounts = shopifyDiscounts();
    const { shop, variantId, locationId, shortDated } = await markdownShop("markdown");
    const quiet = await runExpiryDay(shop.id, { now: day("2026-11-20") }); // 24 days left: nothing yet
    expect(quiet.steps.markdowns).toMatchObject({ enabled: true, count: 0 });

    const first = await runExpiryDay(shop.id, { now: day("2026-11-30") }); // 14 days left
    expect(first.steps.markdowns).toMatchObject({ count: 1, changes: [{ lotNumber: "Y-SHORT", daysLeft: 14, from: 0, to: 20 }] });
    await sendPending(shop.id);
    const ours = () => [...discounts.values()].filter((d) => d.title === markdownTitle(variantId));
    expect(ours()).toEqual([expect.objectContaining({ percentage: 0.2, variants: [`gid://shopify/ProductVariant/${variantId}`] })]);

    expect((await runExpiryDay(shop.id, { now: day("2026-12-01") })).steps.markdowns).toMatchObject({ count: 0 }); // still 20 %: nothing sent
    const deeper = await runExpiryDay(shop.id, { now: day("2026-12-09") }); // 5 days left
    expect(deeper.steps.markdowns).toMatchObject({ changes: [{ from: 20, to: 40 }] });
    await sendPending(shop.id);
    expect(ours().map((d) => d.percentage)).toEqual([0.4]);

    // The short-dated lot sells out: the fresh lot (54 days left) earns no markdown.
    await pool().query("update lot_balances set quantity = 0 where lot_id = $1 and location_id = $2", [shortDated, locationId]);
    const gone = await runExpiryDay(shop.id, { now: day("2026-12-10") });
    expect(gone.steps.markdowns).toMatchObject({ changes: [{ from: 40, to: 0, lotNumber: null }] });
    await sendPending(shop.id);
    expect(ours()).toEqual([]);
    expect((await pool().query("select percent, discount_id from markdowns where shop_id = $1", [shop.id])).rows).toEqual([{ percent: 0, discount_id: null }]);
  });

  it("a lot recalled while marked down loses its markdown at the next check", async () => {
    const discounts = shopifyDiscounts();
    const { shop, variantId, shortDated } = await markdownShop("markdown-recall");
    await runExpiryDay(shop.id, { now: day("2026-12-05") });
    await sendPending(shop.id);
    expect([...discounts.values()].filter((d) => d.title === markdownTitle(variantId))).toHaveLength(1);
    await openRecall(shop.id, { lots: [{ lotNumber: "Y-SHORT" }], reason: "Listeria in a sample", severity: "CLASS_I" });
    expect((await pool().query("select status::text from lots where id = $1", [shortDated])).rows[0]).toEqual({ status: "RECALLED" });
    const next = await runExpiryDay(shop.id, { now: day("2026-12-06") });
    expect(next.steps.markdowns).toMatchObject({ changes: [{ to: 0 }] });
    await sendPending(shop.id);
    expect([...discounts.values()].filter((d) => d.title === markdownTitle(variantId))).toHaveLength(0);
  });

  it("a create whose answer was lost is found again by its title: one discount, never two", async () => {
    const discounts = shopifyDiscounts({ loseFirstCreateAnswer: true });
    const { shop, variantId } = await markdownShop("markdown-lost");
    await runExpiryDay(shop.id, { now: day("2026-12-05") });
    const [firstTry] = await sendPending(shop.id);
    expect(firstTry!.status).not.toBe("sent");
    await sendPending(shop.id);
    const ours = [...discounts.values()].filter((d) => d.title === markdownTitle(variantId));
    expect(ours).toHaveLength(1);
    expect((await pool().query("select discount_id from markdowns where shop_id = $1", [shop.id])).rows).toEqual([{ discount_id: ours[0]!.id }]);
  });

  it("rules are checked when saved, and a dry run changes nothing in Shopify or the app", async () => {
    shopifyDiscounts();
    const { shop } = await markdownShop("markdown-dry");
    const preview = await runExpiryDay(shop.id, { now: day("2026-12-05"), dryRun: true });
    expect(preview.steps.markdowns).toMatchObject({ count: 1, changes: [{ daysLeft: 9, to: 20 }] });
    expect((await pool().query("select 1 from markdowns where shop_id = $1", [shop.id])).rowCount).toBe(0);
    expect((await pool().query("select 1 from outbox_entries where shop_id = $1 and kind = 'markdown.sync'", [shop.id])).rowCount).toBe(0);

    const refused = await runCli(["expiry", "settings", "--shop", shop.domain, "--markdowns", "14:40, 5:20"]);
    expect(String((refused.error as Error).message)).toMatch(/closer to expiry must take more off/);
    expect(await cliJson(["expiry", "settings", "--shop", shop.domain, "--markdowns", "7:30"])).toMatchObject({ markdowns: "7:30" });
    expect(await cliJson(["expiry", "settings", "--shop", shop.domain, "--markdowns", "off"])).toMatchObject({ markdowns: "" });

    // A product the merchant exempts gets no markdown, whatever the shop's rules.
    const productId = (await pool().query<{ product_id: string }>("select product_id::text from variants where shop_id = $1", [shop.id])).rows[0]!.product_id;
    expect(await cliJson(["expiry", "settings", "--shop", shop.domain, "--product", productId, "--automation", "off"])).toMatchObject({ variants: 1 });
    await cliJson(["expiry", "settings", "--shop", shop.domain, "--markdowns", "14:20"]);
    expect((await runExpiryDay(shop.id, { now: day("2026-12-05"), dryRun: true })).steps.markdowns).toMatchObject({ enabled: true, count: 0 });
  });
});

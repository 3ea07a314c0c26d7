// A recall with more affected orders and customers than one window of tag jobs: the first window
// is queued when the case opens, the outbox sweep queues the rest as the first ones are sent.
import { describe, expect, it } from "vitest";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { pool } from "../../app/db.server";
import { getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { openRecall, getRecall, TAG_JOBS_QUEUED_AT_ONCE } from "../../app/domain/recall/recall-case.server";
import { sweepPendingOutbox } from "../../app/domain/sync/outbox.server";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant } from "../helpers/factories";

useOwnQueuePrefix();

describe("recall tagging at scale", () => {
  it("queues one window of tag jobs, and the sweep feeds the rest as they are sent", async () => {
    const shop = await createTestShop("recall-tag-window");
    const variant = await createVariant(shop.id);
    const location = await createLocation(shop.id);
    const lot = await createLot(shop.id, { variantId: variant, lotNumber: "BIG", quantity: 1000, locationId: location });
    const customers = 600; // 600 orders + 600 customers = 1,200 tags
    await pool().query(
      `insert into orders (shop_id, id, name, customer_id, customer_email, updated_at)
       select $1, 9100000 + g, '#' || g, 8100000 + g, 'c' || g || '@example.com', now() from generate_series(1, $2::int) g`,
      [shop.id, customers],
    );
    await pool().query(
      `insert into allocations (shop_id, fulfillment_id, line_item_id, order_id, variant_id, customer_id, customer_key, lot_id, unknown_lot, location_id, quantity, fulfilled_at, updated_at)
       select $1, 7100000 + g, 6100000 + g, 9100000 + g, $3, 8100000 + g, (8100000 + g)::text, $4, false, $5, 1, now(), now() from generate_series(1, $2::int) g`,
      [shop.id, customers, variant, lot, location],
    );
    const recall = await openRecall(shop.id, { lots: [{ lotNumber: "BIG" }], reason: "x", severity: "CLASS_I", tagShopify: true, reference: "BIG-1" });
    expect(recall.tagging).toMatchObject({ total: 2 * customers, pending: 2 * customers });
    const queue = getQueue(QUEUE_NAMES.shopifySync);
    // + the "Lot quarantined" Flow trigger, queued with the quarantine (decision 109).
    expect(await queue.getWaitingCount()).toBe(TAG_JOBS_QUEUED_AT_ONCE + 1);

    // The first window is sent (as the workers would); the sweep then queues the rest, once.
    await pool().query(
      `update outbox_entries set status = 'SENT', sent_at = now()
        where id in (select id from outbox_entries where shop_id = $1 and kind = 'tags.add' order by id limit $2)`,
      [shop.id, TAG_JOBS_QUEUED_AT_ONCE],
    );
    await queue.drain();
    // The rest of the tags, then the Flow triggers behind them: Recall opened, one Customer affected
    // per customer, and the drained Lot quarantined.
    expect(await sweepPendingOutbox({ shopId: shop.id, olderThanMs: 0 })).toBe(2 * customers - TAG_JOBS_QUEUED_AT_ONCE + 1 + customers + 1);
    expect(await sweepPendingOutbox({ shopId: shop.id, olderThanMs: 0 })).toBe(0);
    expect((await getRecall(shop.id, recall.id))!.tagging).toMatchObject({
      total: 2 * customers,
      sent: TAG_JOBS_QUEUED_AT_ONCE,
      pending: 2 * customers - TAG_JOBS_QUEUED_AT_ONCE,
    });
    await queue.obliterate({ force: true });
  });
});

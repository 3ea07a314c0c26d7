// Tasks > Failed webhook deliveries: the merchant sees their shop's failed deliveries with the
// reason in plain words and retries one (the replay `lotkeeper events replay` does); another
// shop's delivery id is a 404 and stays as it was.
import { afterAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { pool } from "../../app/db.server";
import { closeQueues } from "../../app/lib/queues.server";
import { loader as tasksLoader, action as tasksAction } from "../../app/routes/app.tasks";
import { createTestShop } from "../helpers/shops";
import { adminGet, adminPost, statusOf } from "../helpers/admin-requests";
import { inboxRow, jobCounts, processWebhookQueue, useOwnQueuePrefix } from "../helpers/webhook-pipeline";

useOwnQueuePrefix();
afterAll(() => closeQueues());

/** A locations/create delivery that failed once (its payload is fine now that the cause is fixed). */
async function failedDelivery(shopDomain: string, locationId: number, name: string): Promise<string> {
  const webhookId = randomUUID();
  await pool().query(
    `insert into webhook_events (webhook_id, shop_domain, topic, payload, status, attempts, last_error)
     values ($1, $2, 'locations/create', $3::jsonb, 'FAILED', 1, 'InvalidPayloadError: location has no name')`,
    [webhookId, shopDomain, JSON.stringify({ id: locationId, name, active: true })],
  );
  return webhookId;
}

describe("admin: retrying a failed webhook delivery", () => {
  it("lists the shop's failed deliveries in plain words, retries one, and refuses another shop's", async () => {
    const mine = await createTestShop("retry-mine");
    const theirs = await createTestShop("retry-theirs");
    const myEvent = await failedDelivery(mine.domain, 71, "Back room");
    const theirEvent = await failedDelivery(theirs.domain, 72, "Their room");

    const before = await tasksLoader({ request: adminGet(mine.domain, "/app/tasks"), params: {}, context: {} });
    expect(before.failed).toEqual([
      {
        webhookId: myEvent,
        topic: "locations/create",
        attempts: 1,
        error: "Shopify sent data the app cannot use: location has no name",
        receivedAt: expect.any(String),
      },
    ]);

    // Another shop's id: 404, its row untouched and nothing queued.
    const retry = (shop: string, webhookId: string) =>
      tasksAction({ request: adminPost(shop, "/app/tasks", { intent: "retry", webhookId }), params: {}, context: {} });
    expect(await statusOf(retry(mine.domain, theirEvent))).toBe(404);
    expect(await inboxRow(theirEvent)).toMatchObject({ status: "FAILED", attempts: 1, last_error: "InvalidPayloadError: location has no name" });
    expect((await jobCounts()).waiting).toBe(0);

    const result = await retry(mine.domain, myEvent);
    expect(result).toEqual({ ok: true, message: "Retrying the locations/create delivery: it is queued again and leaves this list once processed" });
    expect(await inboxRow(myEvent)).toMatchObject({ status: "PENDING" });
    await processWebhookQueue();
    expect(await inboxRow(myEvent)).toMatchObject({ status: "PROCESSED", attempts: 2, last_error: null });
    const location = await pool().query("select name from locations where shop_id = $1 and id = 71", [mine.id]);
    expect(location.rows).toEqual([{ name: "Back room" }]);
    const after = await tasksLoader({ request: adminGet(mine.domain, "/app/tasks"), params: {}, context: {} });
    expect(after.failed).toEqual([]);

    // Retrying it again (a second tab): says it is already done.
    expect(await retry(mine.domain, myEvent)).toMatchObject({ ok: false, error: `The ${myEvent} delivery is already processed: nothing to retry` });
    expect(await inboxRow(theirEvent)).toMatchObject({ status: "FAILED", attempts: 1 });
  });
});

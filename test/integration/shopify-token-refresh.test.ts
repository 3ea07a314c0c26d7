// Expiring offline access tokens (decision 084): the worker refreshes through the library before a
// call and after a 401, one refresh per shop however many jobs need it (Postgres advisory lock),
// and every Shopify change is applied exactly once.
import { afterAll, describe, expect, it } from "vitest";
import { createTestShop } from "../helpers/shops";
import { newId } from "../helpers/factories";
import { mockCatalog, mockInventoryMutations, type SentMutation } from "../helpers/lots-shopify";
import { mockTokenAuthority, storedSession } from "../helpers/shopify-tokens";
import { pool, prisma } from "../../app/db.server";
import { receiveLot } from "../../app/domain/lots/receive-lot.server";
import { queueOutboxEntries, sendOutboxEntry } from "../../app/domain/sync/outbox.server";
import { closeQueues, getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { eventually, useOwnQueuePrefix } from "../helpers/webhook-pipeline";

useOwnQueuePrefix();

afterAll(async () => {
  await getQueue(QUEUE_NAMES.shopifySync).obliterate({ force: true });
  await closeQueues();
});

async function setup(label: string) {
  const shop = await createTestShop(label);
  const variants = [
    { id: newId(), inventoryItemId: newId(), sku: "TEA-RED" },
    { id: newId(), inventoryItemId: newId(), sku: "TEA-GREEN" },
  ];
  const main = { id: newId(), name: "Main" };
  mockCatalog(variants, [main]);
  const sent: SentMutation[] = [];
  mockInventoryMutations(sent);
  const shopify = await mockTokenAuthority(shop.domain);
  const receive = async (variant: number, lotNumber: string, quantity: number) =>
    (await receiveLot(shop.id, { variantId: variants[variant]!.id, lotNumber, quantity, locationId: main.id })).outboxId!;
  return { shop, sent, shopify, receive };
}

async function outboxStatus(id: bigint): Promise<string> {
  const r = await pool().query<{ status: string }>("select status::text from outbox_entries where id = $1", [id]);
  return r.rows[0]!.status;
}

/** The idempotency keys Shopify applied, in order (a key twice would be a doubled change). */
const appliedKeys = (sent: SentMutation[]) => sent.map((m) => m.variables.idempotencyKey);

/** An hour goes by: Shopify stops accepting the token, and the stored session's expiry is past. */
async function tokenExpires(shop: string, shopify: { revoke(t: string): void }) {
  const before = await storedSession(shop);
  shopify.revoke(before.accessToken);
  await prisma.session.update({ where: { id: before.id }, data: { expires: new Date(Date.now() - 60_000) } });
  return before;
}

describe("expiring offline access tokens in the worker", () => {
  it("a token that expires between two jobs: the second job refreshes once, stores the new pair and sends its change", async () => {
    const { shop, sent, shopify, receive } = await setup("token-expiry");
    const first = await receive(0, "E1", 5);
    const second = await receive(0, "E2", 7);
    expect(await sendOutboxEntry(first)).toEqual({ status: "sent", outboxId: first });
    expect(shopify.refreshes).toBe(0);

    const old = await tokenExpires(shop.domain, shopify);
    expect(await sendOutboxEntry(second)).toEqual({ status: "sent", outboxId: second });

    expect(shopify.refreshes).toBe(1);
    expect(shopify.rejected).toBe(0); // refreshed before the call, not after a refusal
    const now = await storedSession(shop.domain);
    expect(now.accessToken).not.toBe(old.accessToken);
    expect(shopify.valid.has(now.accessToken)).toBe(true);
    expect(now.refreshToken).not.toBe(old.refreshToken); // rotated: the next refresh uses the new one
    expect(now.expires!.getTime()).toBeGreaterThan(Date.now() + 50 * 60_000);
    expect(sent.map((m) => (m.variables.input as { changes: { delta: number }[] }).changes[0]!.delta)).toEqual([5, 7]);
    expect(await outboxStatus(first)).toBe("SENT");
    expect(await outboxStatus(second)).toBe("SENT");
  });

  it("Shopify answers 401 mid-job: the session is refreshed, the change sent again once, applied once", async () => {
    const { shop, sent, shopify, receive } = await setup("token-401");
    const id = await receive(0, "U1", 4);
    // Shopify revoked the token early (or the clock runs behind Shopify's): the stored expiry still looks fine.
    const old = await storedSession(shop.domain);
    shopify.revoke(old.accessToken);

    expect(await sendOutboxEntry(id)).toEqual({ status: "sent", outboxId: id });
    expect(shopify.rejected).toBe(1);
    expect(shopify.refreshes).toBe(1);
    expect(appliedKeys(sent)).toHaveLength(1);
    expect(await outboxStatus(id)).toBe("SENT");
    const now = await storedSession(shop.domain);
    expect(now.accessToken).not.toBe(old.accessToken);
    expect(shopify.valid.has(now.accessToken)).toBe(true);
  });

  it("401 while Shopify's token endpoint is down: the job is retried later and the change applied once", async () => {
    const { shop, sent, shopify, receive } = await setup("token-down");
    const id = await receive(0, "D1", 3);
    shopify.revoke((await storedSession(shop.domain)).accessToken);
    shopify.failNextRefreshes(1);

    const firstTry = await sendOutboxEntry(id);
    expect(firstTry).toMatchObject({ status: "retry", outboxId: id });
    expect(sent).toHaveLength(0);
    expect(await outboxStatus(id)).toBe("PENDING");
    // Marked expired: the retry refreshes before it calls, instead of sending the refused token again.
    expect((await storedSession(shop.domain)).expires!.getTime()).toBeLessThan(Date.now());

    const rejectedBefore = shopify.rejected;
    expect(await sendOutboxEntry(id)).toEqual({ status: "sent", outboxId: id });
    expect(shopify.rejected).toBe(rejectedBefore);
    expect(shopify.refreshes).toBe(1);
    expect(appliedKeys(sent)).toHaveLength(1);
    expect(await sendOutboxEntry(id)).toEqual({ status: "already-done", outboxId: id });
    expect(appliedKeys(sent)).toHaveLength(1);
  });

  it("a non-expiring token (no refresh token) that Shopify refuses: nothing is refreshed or changed, the change waits", async () => {
    const { shop, sent, shopify, receive } = await setup("token-legacy");
    const id = await receive(0, "N1", 1);
    const legacy = await prisma.session.update({
      where: { id: `offline_${shop.domain}` },
      data: { expires: null, refreshToken: null, refreshTokenExpires: null },
    });
    shopify.revoke(legacy.accessToken); // uninstalled: Shopify refuses the token

    expect(await sendOutboxEntry(id)).toMatchObject({ status: "retry", outboxId: id, error: expect.stringContaining("no refresh token") });
    expect(shopify.refreshes).toBe(0);
    expect(sent).toHaveLength(0);
    expect(await outboxStatus(id)).toBe("PENDING");
    expect(await storedSession(shop.domain)).toEqual(legacy);
  });

  it("through the real worker: 401 with the token endpoint down, the job is delayed and retried, the change applied once", async () => {
    const { shop, sent, shopify, receive } = await setup("token-worker");
    const id = await receive(0, "W1", 6);
    shopify.revoke((await storedSession(shop.domain)).accessToken);
    shopify.failNextRefreshes(1);
    await queueOutboxEntries([id]);
    const { createQueueWorker } = await import("../../workers/main");
    const worker = createQueueWorker(QUEUE_NAMES.shopifySync, { concurrency: 2 });
    try {
      await eventually(async () => (await outboxStatus(id)) === "SENT", "the retried job to send the change", 20_000);
    } finally {
      await worker.close();
    }
    const row = await pool().query<{ attempts: number }>("select attempts from outbox_entries where id = $1", [id]);
    expect(row.rows[0]!.attempts).toBe(2); // the refused try, then the retry
    expect(shopify.refreshes).toBe(1);
    // (The worker also takes other tests' queued rows of this file: only this shop's changes count here.)
    const mine = sent.filter((m) => m.shop === shop.domain);
    expect(appliedKeys(mine)).toHaveLength(1);
    expect((mine[0]!.variables.input as { changes: { delta: number }[] }).changes[0]!.delta).toBe(6);
  });

  it("two jobs needing a refresh at once refresh once (advisory lock); another shop's session is untouched", async () => {
    const { shop, sent, shopify, receive } = await setup("token-race");
    const other = await createTestShop("token-race-other");
    const otherShopify = await mockTokenAuthority(other.domain);
    await tokenExpires(other.domain, otherShopify);
    const otherBefore = await storedSession(other.domain);
    const a = await receive(0, "C1", 2);
    const b = await receive(1, "C2", 3); // another variant: the two changes do not wait on each other
    await tokenExpires(shop.domain, shopify);
    shopify.slowRefreshes(300); // both jobs are waiting for a token while the first refresh is in flight

    const outcomes = await Promise.all([sendOutboxEntry(a), sendOutboxEntry(b)]);

    expect(outcomes).toEqual([
      { status: "sent", outboxId: a },
      { status: "sent", outboxId: b },
    ]);
    expect(shopify.refreshes).toBe(1);
    expect(new Set(appliedKeys(sent)).size).toBe(2);
    expect(sent).toHaveLength(2);
    expect(await storedSession(other.domain)).toEqual(otherBefore);
    expect(otherShopify.refreshes).toBe(0);
  });
});

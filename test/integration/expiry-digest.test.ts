// The daily expiry digest mail (app/domain/expiry/expiry-digest.server.ts) against a real SMTP
// server: what the check found reaches the shop's owner once; quiet days and shops that cannot be
// mailed are skipped with the reason; an interrupted send is never repeated.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { resetEnvForTests } from "../../app/env.server";
import { getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { runExpiryDay } from "../../app/domain/expiry/daily-run.server";
import { EXPIRY_DIGEST_JOB, sendExpiryDigest } from "../../app/domain/expiry/expiry-digest.server";
import { saveNoticeSettings } from "../../app/domain/recall/recall-notices.server";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant } from "../helpers/factories";
import { startSmtpServer, type TestSmtp } from "../helpers/smtp";

useOwnQueuePrefix();
let smtp: TestSmtp;

beforeAll(async () => {
  smtp = await startSmtpServer();
  process.env.SMTP_URL = smtp.url;
  resetEnvForTests();
});

afterAll(async () => {
  for (const name of [QUEUE_NAMES.notices, QUEUE_NAMES.maintenance, QUEUE_NAMES.shopifySync]) await getQueue(name).obliterate({ force: true });
  await smtp.close();
  delete process.env.SMTP_URL;
  resetEnvForTests();
});

const NOW = new Date("2026-12-04T12:00:00Z");

async function checkedShop(label: string, options: { email?: string | null; from?: string | null; lots?: boolean } = {}) {
  const shop = await createTestShop(label, { ianaTimezone: "Europe/Berlin", email: options.email === undefined ? `${label}@example.com` : options.email });
  await saveNoticeSettings(pool(), shop.id, {
    fromAddress: options.from === undefined ? "lots@shop.example" : options.from,
    merchantContact: null,
    subject: null,
    body: null,
  });
  if (options.lots ?? true) {
    const locationId = await createLocation(shop.id, { name: "Berlin warehouse" });
    const variantId = await createVariant(shop.id, { productTitle: "Granola" });
    await createLot(shop.id, { variantId, lotNumber: "G-OLD", expiresOn: "2026-12-01", quantity: 3, locationId });
    await createLot(shop.id, { variantId, lotNumber: "G-SOON", expiresOn: "2026-12-18", quantity: 9, locationId });
  }
  const run = await runExpiryDay(shop.id, { now: NOW });
  return { shop, run };
}

const digestOf = async (shopId: number) =>
  (await pool().query("select digest_status, digest_reason from expiry_runs where shop_id = $1", [shopId])).rows[0] as {
    digest_status: string | null;
    digest_reason: string | null;
  };

describe("the daily expiry digest", () => {
  it("mails what today's check found to the shop's owner, once", async () => {
    const { shop, run } = await checkedShop("digest");
    const job = await getQueue(QUEUE_NAMES.notices).getJob(`${EXPIRY_DIGEST_JOB}-${shop.id}-2026-12-04`);
    expect(job?.data).toEqual({ shopId: shop.id, day: "2026-12-04" });

    expect(await sendExpiryDigest(shop.id, "2026-12-04", { finalAttempt: false })).toEqual({ status: "sent" });
    const mails = smtp.mails.filter((m) => m.to.includes("digest@example.com"));
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ from: "lots@shop.example", subject: "Lotkeeper expiry check 2026-12-04: 1 lot expired, 1 lot expiring soon" });
    expect(mails[0]!.body).toContain("- G-OLD (Granola - Default): expires 2026-12-01, 3 units (Berlin warehouse: 3)");
    expect(mails[0]!.body).toContain("- G-SOON (Granola - Default): expires 2026-12-18, 14 days left, 9 units (Berlin warehouse: 9)");
    expect(mails[0]!.body).toContain(`/admin/apps/test-api-key/app/tasks/${run.taskId}`);
    expect(await digestOf(shop.id)).toEqual({ digest_status: "SENT", digest_reason: "mailed to digest@example.com" });

    expect(await sendExpiryDigest(shop.id, "2026-12-04", { finalAttempt: false })).toEqual({ status: "already-done" });
    expect(smtp.mails.filter((m) => m.to.includes("digest@example.com"))).toHaveLength(1);
  });

  it("a quiet day, or a shop without an email or a sender, is skipped with the reason", async () => {
    const quiet = await checkedShop("quiet", { lots: false });
    expect(await sendExpiryDigest(quiet.shop.id, "2026-12-04", { finalAttempt: false })).toMatchObject({ status: "skipped" });
    expect(await digestOf(quiet.shop.id)).toEqual({ digest_status: "SKIPPED", digest_reason: "nothing expired or entered its alert window" });

    const unknown = await checkedShop("noemail", { email: null, from: null });
    expect(await sendExpiryDigest(unknown.shop.id, "2026-12-04", { finalAttempt: false })).toMatchObject({ status: "skipped" });
    expect((await digestOf(unknown.shop.id)).digest_reason).toBe(
      "not mailed: the shop's email is not known yet (read from Shopify by the next reconciliation); no sender address (Settings, Recall notices)",
    );
    expect(smtp.mails.filter((m) => m.to.some((to) => to.startsWith("quiet") || to.startsWith("noemail")))).toHaveLength(0);
  });

  it("a send that was interrupted after claiming is recorded as failed, never mailed again", async () => {
    const { shop } = await checkedShop("interrupted");
    await pool().query("update expiry_runs set digest_status = 'SENDING' where shop_id = $1", [shop.id]);
    expect(await sendExpiryDigest(shop.id, "2026-12-04", { finalAttempt: false })).toMatchObject({ status: "failed" });
    expect((await digestOf(shop.id)).digest_status).toBe("FAILED");
    expect(smtp.mails.filter((m) => m.to.includes("interrupted@example.com"))).toHaveLength(0);
  });
});

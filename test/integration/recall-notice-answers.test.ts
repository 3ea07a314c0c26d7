// Customers answer a recall notice (decision 111), against a real SMTP server started here
// (smtp-server) and the app proxy route: the mailed notice carries a personal link on the shop's
// domain; the page behind it (signed by Shopify) shows the recall and a form; the answer is
// recorded on the notice and moves the customer in the case; a changed answer replaces it;
// unsigned or tampered requests get 401, unknown tokens 404, another shop's token 404.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { resetEnvForTests } from "../../app/env.server";
import { getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { openRecall } from "../../app/domain/recall/recall-case.server";
import { fanOutRecallNotices, recallNoticesView, saveNoticeSettings, sendRecallNotice, setNoticeDetails } from "../../app/domain/recall/recall-notices.server";
import { parseNoticeSettings } from "../../app/domain/recall/notice-rules";
import { hashRespondToken, noticeResponses } from "../../app/domain/recall/notice-answers.server";
import { action, loader } from "../../app/routes/proxy.$";
import { queueDueReminders, sendNoticeReminder } from "../../app/domain/recall/notice-reminders.server";
import { jobIdFor } from "../../app/lib/queues.server";
import { createTestShop } from "../helpers/shops";
import { createLocation, createLot, createVariant, newId, shipToCustomer } from "../helpers/factories";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { startSmtpServer, type ReceivedMail, type TestSmtp } from "../helpers/smtp";
import { proxyRequest, type ProxyRequestOptions } from "../helpers/app-proxy";

useOwnQueuePrefix();

let smtp: TestSmtp;
let mails: ReceivedMail[];

beforeAll(async () => {
  smtp = await startSmtpServer();
  mails = smtp.mails;
  process.env.SMTP_URL = smtp.url;
  process.env.NOTICE_RATE_PER_SECOND = "100";
  resetEnvForTests();
});

afterAll(async () => {
  for (const name of [QUEUE_NAMES.notices, QUEUE_NAMES.shopifySync]) await getQueue(name).obliterate({ force: true });
  await smtp.close();
  delete process.env.SMTP_URL;
  delete process.env.NOTICE_RATE_PER_SECOND;
  resetEnvForTests();
});

async function call(options: ProxyRequestOptions & { form?: Record<string, string> }): Promise<{ status: number; html: string }> {
  const get = proxyRequest(options);
  const request = options.form ? new Request(get.url, { method: "POST", headers: get.headers, body: new URLSearchParams(options.form) }) : get;
  let response: Response;
  try {
    const args = { request, params: { "*": options.path.slice(1) }, context: {} };
    response = options.form ? await action(args) : await loader(args);
  } catch (thrown) {
    if (!(thrown instanceof Response)) throw thrown;
    response = thrown;
  }
  return { status: response.status, html: await response.text() };
}

/** A shop, one lot shipped to one customer, the recall, and the notice mailed through the real sending path. */
async function noticeSent(label: string) {
  const shop = await createTestShop(label);
  const variant = await createVariant(shop.id, { productTitle: "Almond Butter", title: "250 g" });
  const location = await createLocation(shop.id);
  const lotNumber = `AB-${label}`;
  const lot = await createLot(shop.id, { variantId: variant, lotNumber, quantity: 20, locationId: location });
  const customerId = newId();
  const email = `answer-${newId()}@example.com`;
  await shipToCustomer(shop.id, { variantId: variant, lotId: lot, locationId: location, quantity: 1, customerId, customerName: "Alice", customerEmail: email });
  const recall = await openRecall(shop.id, { lots: [{ lotNumber }], reason: "Salmonella found in a sample", severity: "CLASS_I" });
  await saveNoticeSettings(pool(), shop.id, parseNoticeSettings({ fromAddress: "recalls@shop.example", merchantContact: "0800 1" }));
  await setNoticeDetails(shop.id, recall.id, { action: "Do not eat it.", remedy: "We refund the full price." });
  await fanOutRecallNotices(shop.id, recall.id);
  await getQueue(QUEUE_NAMES.notices).drain(); // the test sends the one notice itself, through the same function the worker calls
  const notice = await pool().query<{ id: bigint }>(`select id from recall_notices where recall_id = $1`, [recall.id]);
  expect(await sendRecallNotice(notice.rows[0]!.id, { finalAttempt: false })).toEqual({ status: "sent" });
  const mail = mails.find((m) => m.to.includes(email))!;
  const link = new RegExp(`https://${shop.domain.replace(/\./g, "\\.")}/apps/lotkeeper/recall/([A-Za-z0-9_-]{43})`).exec(mail.body);
  expect(link, "the notice carries the personal link").not.toBeNull();
  return { shop, recall, lotNumber, customerKey: customerId.toString(), noticeId: notice.rows[0]!.id, token: link![1]!, mail };
}

async function caseStatus(recallId: bigint, customerKey: string): Promise<string> {
  const r = await pool().query<{ status: string }>(`select status::text from recall_customers where recall_id = $1 and customer_key = $2`, [
    recallId,
    customerKey,
  ]);
  return r.rows[0]!.status;
}

async function noticeAnswer(noticeId: bigint) {
  const r = await pool().query<{ answer: string | null; answer_note: string | null; answered_at: Date | null; respond_token_hash: string | null }>(
    `select answer::text, answer_note, answered_at, respond_token_hash from recall_notices where id = $1`,
    [noticeId],
  );
  return r.rows[0]!;
}

describe("customers answer a recall notice", () => {
  it("the mailed link opens the recall page, and the answer updates the case", async () => {
    const { shop, recall, lotNumber, customerKey, noticeId, token } = await noticeSent("answer-a");
    // Only the hash is stored.
    expect((await noticeAnswer(noticeId)).respond_token_hash).toBe(hashRespondToken(token));
    expect(await caseStatus(recall.id, customerKey)).toBe("CONTACTED");

    const page = await call({ shop: shop.domain, path: `/recall/${token}` });
    expect(page.status).toBe(200);
    expect(page.html).toContain("Almond Butter - 250 g");
    expect(page.html).toContain(`Lot: ${lotNumber}`);
    expect(page.html).toContain("Do not eat it.");
    for (const value of ["RETURNED", "DESTROYED", "STILL_HAVE", "NEVER_RECEIVED"]) expect(page.html).toContain(`value="${value}"`);

    const answered = await call({ shop: shop.domain, path: `/recall/${token}`, form: { answer: "DESTROYED", note: "Put it in the bin." } });
    expect(answered.status).toBe(200);
    expect(answered.html).toContain("your answer is recorded");
    expect(await noticeAnswer(noticeId)).toMatchObject({ answer: "DESTROYED", answer_note: "Put it in the bin.", answered_at: expect.any(Date) });
    expect(await caseStatus(recall.id, customerKey)).toBe("DESTROYED");

    // A second answer replaces the first, and undoes what the first set in the case.
    await call({ shop: shop.domain, path: `/recall/${token}`, form: { answer: "STILL_HAVE", note: "" } });
    expect(await noticeAnswer(noticeId)).toMatchObject({ answer: "STILL_HAVE", answer_note: null });
    expect(await caseStatus(recall.id, customerKey)).toBe("CONTACTED");
    await call({ shop: shop.domain, path: `/recall/${token}`, form: { answer: "RETURNED" } });
    expect(await caseStatus(recall.id, customerKey)).toBe("RETURNED");
    // The page remembers the answer.
    expect((await call({ shop: shop.domain, path: `/recall/${token}` })).html).toContain('value="RETURNED" checked');
  });

  it("refuses unsigned and tampered requests, unknown tokens, bad answers, and another shop's token", async () => {
    const a = await noticeSent("answer-ta");
    const b = await noticeSent("answer-tb");
    const path = `/recall/${a.token}`;

    expect((await call({ shop: a.shop.domain, path, unsigned: true })).status).toBe(401);
    expect((await call({ shop: a.shop.domain, path, unsigned: true, form: { answer: "RETURNED" } })).status).toBe(401);
    const tampered = await call({ shop: a.shop.domain, path, form: { answer: "RETURNED" }, tamper: (p) => p.set("shop", b.shop.domain) });
    expect(tampered.status).toBe(401);
    expect((await noticeAnswer(a.noticeId)).answer).toBeNull();

    expect((await call({ shop: a.shop.domain, path: `/recall/${"x".repeat(43)}` })).status).toBe(404);
    expect((await call({ shop: a.shop.domain, path: "/recall/short" })).status).toBe(404);
    // Shop A's token under shop B's (correctly signed) domain opens nothing.
    expect((await call({ shop: b.shop.domain, path })).status).toBe(404);
    expect((await call({ shop: b.shop.domain, path, form: { answer: "RETURNED" } })).status).toBe(404);

    const bad = await call({ shop: a.shop.domain, path, form: { answer: "ATE_IT" } });
    expect(bad.status).toBe(400);
    expect(bad.html).toContain("Please choose one of the options.");
    expect((await call({ shop: a.shop.domain, path, form: { answer: "RETURNED", note: "x".repeat(501) } })).status).toBe(400);
    expect((await noticeAnswer(a.noticeId)).answer).toBeNull();
    expect(await caseStatus(a.recall.id, a.customerKey)).toBe("CONTACTED");
    expect(await caseStatus(b.recall.id, b.customerKey)).toBe("CONTACTED");
  });

  it("reminds a customer who did not answer after the shop's days, once per reminder, at most twice", async () => {
    const a = await noticeSent("remind-a");
    const b = await noticeSent("remind-b"); // answers: no reminder
    const c = await noticeSent("remind-c"); // its shop waits 30 days
    await pool().query(`insert into recall_notice_settings (shop_id, reminder_days) values ($1, 30) on conflict (shop_id) do update set reminder_days = 30`, [
      c.shop.id,
    ]);
    await call({ shop: b.shop.domain, path: `/recall/${b.token}`, form: { answer: "NEVER_RECEIVED" } });
    const queue = getQueue(QUEUE_NAMES.notices);
    const job = (id: bigint, n: number) => queue.getJob(jobIdFor("notice-reminder", `${id}-${n}`));

    // Not due yet: sent just now.
    await queueDueReminders();
    expect(await job(a.noticeId, 1)).toBeUndefined();

    const backdate = (id: bigint, days: number) =>
      pool().query(
        `update recall_notices set sent_at = now() - make_interval(days => $2), reminded_at = case when reminded_at is null then null else now() - make_interval(days => $2) end where id = $1`,
        [id, days],
      );
    for (const n of [a, b, c]) await backdate(n.noticeId, 8);
    await queueDueReminders();
    await queueDueReminders(); // a second sweep queues the same job id: nothing new
    expect(await job(a.noticeId, 1)).toBeDefined();
    expect(await job(b.noticeId, 1)).toBeUndefined();
    expect(await job(c.noticeId, 1)).toBeUndefined();

    const address = a.mail.to[0]!;
    const mailsTo = (to: string) => mails.filter((m) => m.to.includes(to));
    expect(await sendNoticeReminder(a.noticeId, 1)).toEqual({ status: "sent" });
    expect(await sendNoticeReminder(a.noticeId, 1)).toEqual({ status: "not-due" }); // a duplicated job mails nobody
    expect(mailsTo(address)).toHaveLength(2);
    const reminder = mailsTo(address)[1]!;
    const fresh = /\/apps\/lotkeeper\/recall\/([A-Za-z0-9_-]{43})/.exec(reminder.body)![1]!;
    expect(fresh).not.toBe(a.token);
    expect((await call({ shop: a.shop.domain, path: `/recall/${fresh}` })).status).toBe(200);

    // The second reminder after another 8 days; then no more.
    await backdate(a.noticeId, 8);
    await queueDueReminders();
    expect(await job(a.noticeId, 2)).toBeDefined();
    expect(await sendNoticeReminder(a.noticeId, 2)).toEqual({ status: "sent" });
    await backdate(a.noticeId, 8);
    await queueDueReminders();
    expect(await job(a.noticeId, 3)).toBeUndefined();
    expect(await sendNoticeReminder(a.noticeId, 3)).toEqual({ status: "not-due" });
    expect(mailsTo(address)).toHaveLength(3);
    expect(mails.filter((m) => m.to.includes(b.mail.to[0]!))).toHaveLength(1);
    expect(mails.filter((m) => m.to.includes(c.mail.to[0]!))).toHaveLength(1);

    // The recall page's notices card: who answered, who has not yet, who needs a call (no answer after both reminders).
    const viewA = (await recallNoticesView(a.shop.id, a.recall.id)).responses;
    expect(viewA.counts).toEqual({ answered: 0, notAnswered: 0, needsCall: 1 });
    expect(viewA.needsCall.map((n) => [n.customerName, n.status, n.remindersSent])).toEqual([["Alice", "SENT", 2]]);
    const viewB = (await recallNoticesView(b.shop.id, b.recall.id)).responses;
    expect(viewB.counts).toEqual({ answered: 1, notAnswered: 0, needsCall: 0 });
    expect(viewB.answered.map((n) => n.answer)).toEqual(["NEVER_RECEIVED"]);
    expect((await noticeResponses(c.shop.id, c.recall.id)).counts).toEqual({ answered: 0, notAnswered: 1, needsCall: 0 });
  });
});

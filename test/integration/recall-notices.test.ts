// Recall notices by email, against a real SMTP server started here (smtp-server): the real notices
// worker sends each customer of the recall exactly one notice with the lot, product and every
// placeholder filled; running the fan-out again or a duplicated send job mails nobody twice; a 550
// for one recipient is recorded as BOUNCED with the server's reason while the others still go;
// a job that died after claiming its notice is not mailed again; two shops never mix; an edited
// template is the one used.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { pool } from "../../app/db.server";
import { resetEnvForTests } from "../../app/env.server";
import { getQueue, QUEUE_NAMES } from "../../app/lib/queues.server";
import { openRecall } from "../../app/domain/recall/recall-case.server";
import {
  fanOutRecallNotices,
  NoticesNotReadyError,
  noticeProgress,
  requestRecallNotices,
  RECALL_NOTICE_SEND_JOB,
  saveNoticeSettings,
  sendRecallNotice,
  setNoticeDetails,
} from "../../app/domain/recall/recall-notices.server";
import { parseNoticeSettings } from "../../app/domain/recall/notice-rules";
import { createQueueWorker } from "../../workers/main";
import { createTestShop } from "../helpers/shops";
import { startSmtpServer, type ReceivedMail, type TestSmtp } from "../helpers/smtp";
import { createLocation, createLot, createVariant, newId, shipToCustomer } from "../helpers/factories";
import { eventually, useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { adminGet, adminPost } from "../helpers/admin-requests";
import { cliJson } from "../helpers/cli";
import { withTransaction } from "../../app/lib/sql.server";
import { redactCustomer } from "../../app/domain/privacy/privacy.server";
import { setCustomerContactStatus } from "../../app/domain/recall/recall-case.server";
import { runDoctor } from "../../app/lib/doctor.server";
import { action as settingsAction } from "../../app/routes/app.settings";
import { action as recallAction, loader as recallLoader } from "../../app/routes/app.recalls.$id";

useOwnQueuePrefix();

const deferred = new Set<string>();
let smtp: TestSmtp;
let mails: ReceivedMail[];
const workers: ReturnType<typeof createQueueWorker>[] = [];

beforeAll(async () => {
  smtp = await startSmtpServer({
    refuse(address) {
      // "later-..." is refused once with 451 (try again later), then accepted.
      if (address.startsWith("later") && !deferred.has(address)) {
        deferred.add(address);
        return { code: 451, message: "4.7.1 try again later" };
      }
      return address.startsWith("bounce") ? { code: 550, message: "5.1.1 mailbox unavailable" } : null;
    },
  });
  mails = smtp.mails;
  process.env.SMTP_URL = smtp.url;
  process.env.NOTICE_RATE_PER_SECOND = "100";
  resetEnvForTests();
});

afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.close()));
});

afterAll(async () => {
  for (const name of [QUEUE_NAMES.notices, QUEUE_NAMES.shopifySync]) await getQueue(name).obliterate({ force: true });
  await smtp.close();
  delete process.env.SMTP_URL;
  delete process.env.NOTICE_RATE_PER_SECOND;
  resetEnvForTests();
});

function startNoticeWorker() {
  const worker = createQueueWorker(QUEUE_NAMES.notices, { concurrency: 4 });
  workers.push(worker);
  return worker;
}

async function notices(recallId: bigint) {
  const r = await pool().query<{ id: bigint; customer_key: string; email: string | null; status: string; reason: string | null }>(
    `select id, customer_key, email, status::text, reason from recall_notices where recall_id = $1 order by customer_key`,
    [recallId],
  );
  return r.rows;
}

async function settled(recallId: bigint) {
  await eventually(async () => (await notices(recallId)).every((n) => n.status !== "QUEUED" && n.status !== "SENDING"), "every notice settled");
}

const mailsTo = (address: string) => mails.filter((m) => m.to.includes(address));

/** A shop with one lot of almond butter shipped to the given customers, and a recall of that lot. */
async function recallScenario(label: string, customers: Omit<Parameters<typeof shipToCustomer>[1], "variantId" | "lotId" | "locationId" | "quantity">[]) {
  const shop = await createTestShop(label);
  const variant = await createVariant(shop.id, { productTitle: "Almond Butter", title: "250 g" });
  const location = await createLocation(shop.id);
  const lotNumber = `AB-${label}`;
  const lot = await createLot(shop.id, { variantId: variant, lotNumber, quantity: 50, locationId: location });
  for (const c of customers) await shipToCustomer(shop.id, { variantId: variant, lotId: lot, locationId: location, quantity: 1, ...c });
  const recall = await openRecall(shop.id, { lots: [{ lotNumber }], reason: "Salmonella found in a sample", severity: "CLASS_I" });
  return { shop, recall, lotNumber };
}

describe("recall notices by email", () => {
  it("mails every reachable customer once, records a bounce, lists customers without email, and never mails twice", async () => {
    const domainTag = newId();
    const alice = `alice-${domainTag}@example.com`;
    const bounce = `bounce-${domainTag}@example.com`;
    const guest = `guest-${domainTag}@example.com`;
    const destroyedId = newId();
    const { shop, recall, lotNumber } = await recallScenario("notice-a", [
      { customerId: newId(), customerName: "Alice Adams", customerEmail: alice, name: "#1001" },
      { customerId: newId(), customerName: "Bob Bounce", customerEmail: bounce, name: "#1002" },
      { customerId: null, customerName: "Gina Guest", customerEmail: guest, name: "#1003" },
      { customerId: newId(), customerName: "Carol NoMail", customerEmail: null, customerPhone: "+49 30 1234", name: "#1004" },
      { customerId: newId(), customerName: null, customerEmail: null, redacted: true, name: "#1005" },
      { customerId: destroyedId, customerName: "Dan Destroyed", customerEmail: `destroyed-${domainTag}@example.com`, name: "#1006" },
    ]);
    // The case already records that this customer destroyed the product: nothing left to stop using.
    await setCustomerContactStatus(shop.id, recall.id, destroyedId.toString(), "DESTROYED");

    // Art. 36 needs the action and the remedy, and the customer needs a sender and a contact.
    await expect(requestRecallNotices(shop.id, recall.id)).rejects.toThrow(NoticesNotReadyError);
    await saveNoticeSettings(
      pool(),
      shop.id,
      parseNoticeSettings({ fromAddress: "recalls@shop-a.example", merchantContact: "0800 123 456 (free), help@shop-a.example" }),
    );
    await setNoticeDetails(shop.id, recall.id, {
      hazard: "The product may contain Salmonella, which can cause serious food poisoning.",
      action: "Do not eat it; keep it away from children.",
      remedy: "We refund the full price.",
    });

    startNoticeWorker();
    await requestRecallNotices(shop.id, recall.id);
    await eventually(async () => (await notices(recall.id)).length === 4, "one notice row per customer but the redacted one");
    await settled(recall.id);

    const rows = await notices(recall.id);
    expect(rows.map((r) => [r.email, r.status])).toEqual(
      expect.arrayContaining([
        [alice, "SENT"],
        [guest, "SENT"],
        [bounce, "BOUNCED"],
        [null, "NO_EMAIL"],
      ]),
    );
    expect(rows.find((r) => r.email === bounce)!.reason).toMatch(/550/);
    expect(await noticeProgress(shop.id, recall.id)).toEqual({ total: 4, queued: 0, sending: 0, sent: 2, bounced: 1, failed: 0, noEmail: 1 });

    expect(mailsTo(alice)).toHaveLength(1);
    expect(mailsTo(guest)).toHaveLength(1);
    expect(mailsTo(bounce)).toHaveLength(0);
    const mail = mailsTo(alice)[0]!;
    expect(mail.from).toBe("recalls@shop-a.example");
    expect(mail.subject).toBe(`Product safety recall: Almond Butter - 250 g (lot ${lotNumber})`);
    expect(mail.body).toContain("PRODUCT SAFETY RECALL");
    expect(mail.body).toContain("Dear Alice Adams,");
    expect(mail.body).toContain("order #1001");
    expect(mail.body).toContain(`Lot / batch number: ${lotNumber}`);
    expect(mail.body).toContain("Hazard: The product may contain Salmonella");
    expect(mail.body).toContain("stop using this product immediately. Do not eat it");
    expect(mail.body).toContain("Remedy: We refund the full price.");
    expect(mail.body).toContain("0800 123 456 (free)");
    expect(mail.body).not.toContain("{{");
    expect(mailsTo(guest)[0]!.body).toContain("Dear Gina Guest,");

    // Send notices again, and a duplicated send job for every row: nobody gets a second mail.
    const before = mails.length;
    expect(await fanOutRecallNotices(shop.id, recall.id)).toMatchObject({ queued: 0 });
    const queue = getQueue(QUEUE_NAMES.notices);
    for (const r of rows) await queue.add(RECALL_NOTICE_SEND_JOB, { shopId: shop.id, noticeId: r.id.toString() }, { jobId: `dup-${r.id}` });
    await eventually(async () => (await queue.getJobCounts("waiting", "active", "delayed")).waiting === 0, "duplicates processed");
    await eventually(async () => (await queue.getJobCounts("active")).active === 0, "duplicates done");
    expect(mails.length).toBe(before);
    expect((await notices(recall.id)).map((r) => r.status).sort()).toEqual(["BOUNCED", "NO_EMAIL", "SENT", "SENT"]);

    // The operator's list of who needs attention.
    const attention = await cliJson<{ notices: { email: string | null; status: string; customerName: string }[] }>([
      "recall",
      "notify",
      "--shop",
      shop.domain,
      "--recall",
      recall.reference,
      "--status",
      "no_email,bounced",
    ]);
    expect(attention.notices.map((n) => [n.customerName, n.status]).sort()).toEqual([
      ["Bob Bounce", "BOUNCED"],
      ["Carol NoMail", "NO_EMAIL"],
    ]);
  });

  it("customers/redact erases a notice's address, and a notice not sent yet is never sent", async () => {
    const email = `erased-${newId()}@example.com`;
    const customerId = newId();
    const { shop, recall } = await recallScenario("notice-redact", [{ customerId, customerName: "Erin", customerEmail: email }]);
    await saveNoticeSettings(pool(), shop.id, parseNoticeSettings({ fromAddress: "recalls@redact.example", merchantContact: "0800 3" }));
    await setNoticeDetails(shop.id, recall.id, { action: "Bring it back.", remedy: "Refund." });
    await fanOutRecallNotices(shop.id, recall.id);
    await getQueue(QUEUE_NAMES.notices).drain(); // no worker: the notice is still queued when the request comes
    await withTransaction((sql) => redactCustomer(sql, shop.id, shop.domain, { customerId, email, phone: null, orderIds: [], dataRequestId: null }));
    const [row] = await notices(recall.id);
    expect(row).toMatchObject({ email: null, status: "FAILED", reason: expect.stringContaining("customers/redact") });
    expect(await sendRecallNotice(row!.id, { finalAttempt: false })).toEqual({ status: "already-done" });
    expect(mailsTo(email)).toHaveLength(0);
  });

  it("does not mail again a notice whose sender died after claiming it", async () => {
    const email = `crash-${newId()}@example.com`;
    const { shop, recall } = await recallScenario("notice-crash", [{ customerId: newId(), customerName: "Cris", customerEmail: email }]);
    await saveNoticeSettings(pool(), shop.id, parseNoticeSettings({ fromAddress: "recalls@crash.example", merchantContact: "0800 1" }));
    await setNoticeDetails(shop.id, recall.id, { action: "Bring it back.", remedy: "Refund." });
    await fanOutRecallNotices(shop.id, recall.id);
    await getQueue(QUEUE_NAMES.notices).drain(); // no worker here: the test plays the crashed one
    const [row] = await notices(recall.id);
    // The claim of an attempt that then died (the mail server may have accepted the mail).
    await pool().query(`update recall_notices set status = 'SENDING', attempts = 1, claimed_at = now() where id = $1`, [row!.id]);
    expect(await sendRecallNotice(row!.id, { finalAttempt: false })).toEqual({ status: "interrupted" });
    const [after] = await notices(recall.id);
    expect(after).toMatchObject({ status: "FAILED", reason: expect.stringMatching(/interrupted.*not sent again/) });
    expect(mailsTo(email)).toHaveLength(0);
    expect(await sendRecallNotice(row!.id, { finalAttempt: false })).toEqual({ status: "already-done" });
    expect(mailsTo(email)).toHaveLength(0);
  });

  it("keeps shops apart and uses each shop's own edited template", async () => {
    const a = `tenant-a-${newId()}@example.com`;
    const b = `tenant-b-${newId()}@example.com`;
    const shopA = await recallScenario("notice-ta", [{ customerId: newId(), customerName: "Ann", customerEmail: a, name: "#A1" }]);
    const shopB = await recallScenario("notice-tb", [{ customerId: newId(), customerName: "Ben", customerEmail: b, name: "#B1" }]);
    await saveNoticeSettings(pool(), shopA.shop.id, parseNoticeSettings({ fromAddress: "recalls@a.example", merchantContact: "A hotline" }));
    // Shop B's merchant edits the template on the settings page and sends from the recall page.
    const subjectB = "Produktrückruf {{lot}}";
    const bodyB =
      "Hallo {{customer_name}}, Charge {{lot}} von {{product}} (Bestellung {{order}}): {{hazard}} {{action}} {{remedy}} Fragen: {{merchant_contact}}";
    const domainB = shopB.shop.domain;
    const refused = await settingsAction({
      request: adminPost(domainB, "/app/settings", {
        intent: "notices",
        fromAddress: "rueckruf@b.example",
        merchantContact: "x",
        subject: "{{lott}}",
        body: bodyB,
      }),
      params: {},
      context: {},
    });
    expect(refused).toMatchObject({ ok: false, errors: { subject: expect.stringContaining("unknown placeholder {{lott}}") } });
    const saved = await settingsAction({
      request: adminPost(domainB, "/app/settings", {
        intent: "notices",
        fromAddress: "rueckruf@b.example",
        merchantContact: "B-Hotline 0800 2",
        subject: subjectB,
        body: bodyB,
      }),
      params: {},
      context: {},
    });
    expect(saved).toMatchObject({ ok: true });
    const recallPath = `/app/recalls/${shopB.recall.id}`;
    const params = { id: shopB.recall.id.toString() };
    expect(await recallAction({ request: adminPost(domainB, recallPath, { intent: "send-notices" }), params, context: {} })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/no action.*no remedy/),
    });
    expect(
      await recallAction({
        request: adminPost(domainB, recallPath, { intent: "notice-details", hazard: "", action: "Stop.", remedy: "Refund.", respond: "" }),
        params,
        context: {},
      }),
    ).toMatchObject({ ok: true });
    await setNoticeDetails(shopA.shop.id, shopA.recall.id, { action: "Stop.", remedy: "Refund." });
    startNoticeWorker();
    expect(await recallAction({ request: adminPost(domainB, recallPath, { intent: "send-notices" }), params, context: {} })).toMatchObject({ ok: true });
    await eventually(async () => mailsTo(b).length === 1, "shop B's notice");
    // Only shop B's case was notified.
    expect(await notices(shopA.recall.id)).toEqual([]);
    expect(mailsTo(a)).toHaveLength(0);
    await requestRecallNotices(shopA.shop.id, shopA.recall.id);
    await eventually(async () => mailsTo(a).length === 1, "shop A's notice");
    await settled(shopA.recall.id);

    const mailB = mailsTo(b)[0]!;
    expect(mailB.from).toBe("rueckruf@b.example");
    expect(mailB.subject).toBe(`Produktrückruf ${shopB.lotNumber}`);
    expect(mailB.body).toBe(
      `Hallo Ben, Charge ${shopB.lotNumber} von Almond Butter - 250 g (Bestellung #B1): Salmonella found in a sample Stop. Refund. Fragen: B-Hotline 0800 2`,
    );
    const mailA = mailsTo(a)[0]!;
    expect(mailA.from).toBe("recalls@a.example");
    expect(mailA.subject).toBe(`Product safety recall: Almond Butter - 250 g (lot ${shopA.lotNumber})`);
    expect(mailA.body).toContain("A hotline");
    expect(mailA.body).not.toContain("B-Hotline");
    expect(mailsTo(b)).toHaveLength(1);

    // The recall page shows the progress, and the customer is marked contacted.
    await settled(shopB.recall.id);
    const page = await recallLoader({ request: adminGet(domainB, recallPath), params, context: {} });
    expect(page.notices.progress).toMatchObject({ total: 1, sent: 1, queued: 0 });
    expect(page.notices.blockers).toEqual([]);
    expect(page.recall.progress).toMatchObject({ customers: 1, contacted: 1, toContact: 0 });
  });

  it("retries a notice the mail server deferred (451), and paces a shop without losing or doubling any", async () => {
    const later = `later-${newId()}@example.com`;
    const others = [1, 2, 3].map((n) => `paced-${n}-${newId()}@example.com`);
    const { shop, recall } = await recallScenario("notice-pace", [
      { customerId: newId(), customerName: "Lea", customerEmail: later },
      ...others.map((email, n) => ({ customerId: newId(), customerName: `Paced ${n}`, customerEmail: email })),
    ]);
    await saveNoticeSettings(pool(), shop.id, parseNoticeSettings({ fromAddress: "recalls@pace.example", merchantContact: "0800 4" }));
    await setNoticeDetails(shop.id, recall.id, { action: "Bring it back.", remedy: "Refund." });
    process.env.NOTICE_RATE_PER_SECOND = "1";
    resetEnvForTests();
    try {
      startNoticeWorker();
      await requestRecallNotices(shop.id, recall.id);
      await eventually(async () => (await notices(recall.id)).length === 4, "rows written");
      await settled(recall.id);
    } finally {
      process.env.NOTICE_RATE_PER_SECOND = "100";
      resetEnvForTests();
    }
    const rows = await pool().query<{ email: string; status: string; attempts: number }>(
      `select email, status::text, attempts from recall_notices where recall_id = $1 order by email`,
      [recall.id],
    );
    expect(rows.rows.every((r) => r.status === "SENT")).toBe(true);
    expect(rows.rows.find((r) => r.email === later)!.attempts).toBe(2);
    for (const email of [later, ...others]) expect(mailsTo(email)).toHaveLength(1);
  });

  it("lotkeeper doctor checks the mail server when SMTP_URL is set", async () => {
    expect((await runDoctor()).checks.find((c) => c.name === "smtp")).toMatchObject({ ok: true, message: expect.stringContaining("mail server answers") });
    const working = process.env.SMTP_URL;
    process.env.SMTP_URL = "smtp://127.0.0.1:1";
    resetEnvForTests();
    try {
      const report = await runDoctor();
      expect(report.ok).toBe(false);
      expect(report.checks.find((c) => c.name === "smtp")).toMatchObject({ ok: false, fix: expect.stringContaining("SMTP_URL") });
    } finally {
      process.env.SMTP_URL = working;
      resetEnvForTests();
    }
  });
});

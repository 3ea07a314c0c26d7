// Recall notice rules: the default template covers GPSR Art. 36(2), placeholders fill, templates
// with unknown placeholders are refused, the notice refuses to go out without what Art. 36 needs,
// and an SMTP failure is retried only when the mail server cannot have accepted the message.
import { describe, expect, it } from "vitest";
import {
  classifySmtpError,
  DEFAULT_NOTICE_BODY,
  DEFAULT_NOTICE_SUBJECT,
  noticeBlockers,
  NoticeSettingsError,
  parseNoticeSettings,
  playDownTerms,
  renderNotice,
  renderSubject,
  type NoticeValues,
} from "../../app/domain/recall/notice-rules";

const values: NoticeValues = {
  product: "Almond Butter - 250 g",
  lot: "AB-7",
  hazard: "May contain Salmonella.",
  action: "Do not eat it.",
  remedy: "Full refund.",
  respond: "Reply to this email.",
  merchant_contact: "0800 123",
  customer_name: "Alice",
  order: "#1001",
};

describe("the default recall notice", () => {
  it("carries every element Art. 36(2) asks for, filled", () => {
    const text = renderNotice(DEFAULT_NOTICE_BODY, values);
    expect(text.startsWith("PRODUCT SAFETY RECALL")).toBe(true); // (a)
    expect(text).toContain("Product: Almond Butter - 250 g"); // (b)
    expect(text).toContain("Lot / batch number: AB-7");
    expect(text).toContain("order #1001");
    expect(text).toContain("Hazard: May contain Salmonella."); // (c)
    expect(text).toContain("stop using this product immediately. Do not eat it."); // (d)
    expect(text).toContain("Remedy: Full refund. This is free of charge"); // (e)
    expect(text).toContain("free of charge: 0800 123"); // (f)
    expect(text).toContain("share this information"); // (g)
    expect(text).not.toMatch(/\{\{/);
    expect(renderSubject(DEFAULT_NOTICE_SUBJECT, values)).toBe("Product safety recall: Almond Butter - 250 g (lot AB-7)");
    expect(playDownTerms(DEFAULT_NOTICE_BODY)).toEqual([]);
  });

  it("keeps a subject on one line whatever the values hold", () => {
    expect(renderSubject("Recall {{lot}}", { ...values, lot: "A\r\nBcc: x@example.com" })).toBe("Recall A Bcc: x@example.com");
  });
});

describe("notice settings", () => {
  it("stores the default as null and refuses unknown placeholders, a body without the lot and a bad sender", () => {
    expect(parseNoticeSettings({ fromAddress: " recalls@shop.example ", subject: DEFAULT_NOTICE_SUBJECT, body: DEFAULT_NOTICE_BODY })).toEqual({
      fromAddress: "recalls@shop.example",
      merchantContact: null,
      subject: null,
      body: null,
    });
    expect(parseNoticeSettings({ subject: "Rückruf {{ lot }}", body: "Charge {{lot}}" })).toMatchObject({
      subject: "Rückruf {{ lot }}",
      body: "Charge {{lot}}",
    });
    let error: unknown;
    try {
      parseNoticeSettings({ fromAddress: "not an address", subject: "{{lott}}", body: "no lot here" });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NoticeSettingsError);
    expect((error as NoticeSettingsError).problems.map((p) => p.field)).toEqual(["fromAddress", "subject", "body"]);
  });
});

describe("notice blockers", () => {
  const ready = { status: "OPEN", reason: "Salmonella", hazard: null, action: "Do not eat it.", remedy: "Refund.", respond: null };
  const settings = { fromAddress: "r@shop.example", merchantContact: "0800", subject: null, body: null };

  it("lets a complete recall go and names everything missing otherwise", () => {
    expect(noticeBlockers(ready, settings, true)).toEqual([]);
    const blockers = noticeBlockers(
      { ...ready, status: "CLOSED", action: null, remedy: null },
      { ...settings, fromAddress: null, merchantContact: null },
      false,
    );
    expect(blockers).toHaveLength(6);
    expect(blockers.join(" ")).toMatch(/SMTP_URL.*closed.*sender.*contact.*action.*remedy/);
  });

  it("refuses words that play the risk down", () => {
    expect(noticeBlockers({ ...ready, hazard: "A precautionary, voluntary recall: no accidents have been reported." }, settings, true)).toEqual([
      expect.stringContaining(`"precautionary", "voluntary", "no accidents have been reported"`),
    ]);
  });
});

describe("SMTP failures", () => {
  it("bounces a refused recipient, fails other refusals, and retries only what cannot have been accepted", () => {
    expect(classifySmtpError({ code: "EENVELOPE", responseCode: 550, command: "RCPT TO", response: "550 5.1.1 mailbox unavailable" })).toEqual({
      status: "BOUNCED",
      reason: "550 5.1.1 mailbox unavailable",
    });
    expect(classifySmtpError({ code: "EMESSAGE", responseCode: 554, command: "DATA", response: "554 spam" }).status).toBe("FAILED");
    expect(classifySmtpError({ code: "EENVELOPE", responseCode: 451, command: "RCPT TO", response: "451 try later" }).status).toBe("RETRY");
    expect(classifySmtpError({ code: "ESOCKET", command: "CONN", message: "connect ECONNREFUSED" }).status).toBe("RETRY");
    expect(classifySmtpError({ code: "EAUTH", responseCode: 535, command: "AUTH PLAIN", response: "535 bad credentials" }).status).toBe("FAILED");
    expect(classifySmtpError({ code: "EAUTH", command: "API", message: "Missing credentials" }).status).toBe("FAILED");
    // The connection broke after the message went: it may have been accepted; never sent twice.
    const lost = classifySmtpError({ code: "ETIMEDOUT", command: "DATA", message: "Timeout" });
    expect(lost.status).toBe("FAILED");
    expect(lost.reason).toMatch(/may have accepted/);
  });
});

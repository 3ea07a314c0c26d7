// The answer form and how an answer moves the customer in the recall case (decision 111).
import { describe, expect, it } from "vitest";
import { nextContactStatus, parseAnswerForm, renderAnswerPage, respondText } from "../../app/domain/recall/notice-answer-rules";

describe("notice answers", () => {
  it("returned and destroyed close the customer's line; other answers mark them reached without undoing the merchant's record", () => {
    expect(nextContactStatus("TO_CONTACT", null, "RETURNED")).toBe("RETURNED");
    expect(nextContactStatus("CONTACTED", null, "DESTROYED")).toBe("DESTROYED");
    expect(nextContactStatus("TO_CONTACT", null, "STILL_HAVE")).toBe("CONTACTED");
    expect(nextContactStatus("CONTACTED", null, "NEVER_RECEIVED")).toBe("CONTACTED");
    // The customer changes their own answer: what it set is undone.
    expect(nextContactStatus("DESTROYED", "DESTROYED", "STILL_HAVE")).toBe("CONTACTED");
    // The merchant recorded the return by hand: a later "still have it" does not undo it.
    expect(nextContactStatus("RETURNED", null, "STILL_HAVE")).toBe("RETURNED");
    expect(nextContactStatus("RETURNED", "DESTROYED", "NEVER_RECEIVED")).toBe("RETURNED");
  });

  it("accepts one of the four answers and a note of at most 500 characters", () => {
    expect(parseAnswerForm({ answer: "returned", note: "  Brought it to the store.\r\n " })).toEqual({
      ok: true,
      answer: "RETURNED",
      note: "Brought it to the store.",
    });
    expect(parseAnswerForm({ answer: "NEVER_RECEIVED", note: "" })).toEqual({ ok: true, answer: "NEVER_RECEIVED", note: null });
    expect(parseAnswerForm({ answer: "ATE_IT" })).toMatchObject({ ok: false });
    expect(parseAnswerForm({ answer: null })).toMatchObject({ ok: false });
    expect(parseAnswerForm({ answer: "DESTROYED", note: "x".repeat(501) })).toMatchObject({ ok: false });
  });

  it("escapes what the page shows and puts the link first in {{respond}}", () => {
    const html = renderAnswerPage({
      shopName: "s.myshopify.com",
      reference: "R-1",
      products: "<script>alert(1)</script>",
      lots: "L1",
      hazard: "h",
      action: "",
      remedy: "",
      answer: null,
      note: '"><b>',
    });
    expect(html).not.toContain("<script>alert");
    expect(html).not.toContain('"><b>');
    expect(respondText("https://s.myshopify.com/apps/lotkeeper/recall/t", "Or call us.")).toBe(
      "Tell us what you did with the product (no login needed): https://s.myshopify.com/apps/lotkeeper/recall/t\nOr call us.",
    );
  });
});

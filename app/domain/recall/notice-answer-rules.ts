// Customers answer a recall notice (decision 111): each notice carries a personal link
// https://<shop>/apps/lotkeeper/recall/<token> (the app proxy, decision 110). The token is 32 random
// bytes; only its SHA-256 is stored, so a database dump holds no working link (token functions:
// notice-answers.server.ts, so the recall page's card can import these labels). Pure: no I/O.
import { escapeHtml } from "./public-check-rules";

export const NOTICE_ANSWERS = ["RETURNED", "DESTROYED", "STILL_HAVE", "NEVER_RECEIVED"] as const;
export type NoticeAnswer = (typeof NOTICE_ANSWERS)[number];

export const ANSWER_LABELS: Record<NoticeAnswer, string> = {
  RETURNED: "I returned it",
  DESTROYED: "I destroyed / threw it away",
  STILL_HAVE: "I still have it",
  NEVER_RECEIVED: "I never received it",
};

export const ANSWER_NOTE_MAX = 500;

/** Reminders per notice without an answer, and the days before each when the shop sets none. */
export const MAX_REMINDERS = 2;
export const DEFAULT_REMINDER_DAYS = 7;

/** A token as newRespondToken writes it; anything else is not looked up at all. */
export function isRespondToken(text: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(text);
}

/** The personal link: on the shop's own domain, through the app proxy (shopify.app.toml [app_proxy] prefix apps, subpath lotkeeper). */
export function respondLink(shopDomain: string, token: string): string {
  return `https://${shopDomain}/apps/lotkeeper/recall/${token}`;
}

/** {{respond}} when the notice has a link: the link first, then what the recall says about responding, if anything. */
export function respondText(link: string, recallRespond: string | null): string {
  const extra = recallRespond?.trim();
  return `Tell us what you did with the product (no login needed): ${link}${extra ? `\n${extra}` : ""}`;
}

/**
 * The case follows the answer: returned or destroyed closes the customer's line in the case
 * (RETURNED / DESTROYED, as a merchant would set it by hand); "still have it" and "never received"
 * leave them reached (CONTACTED) but open: the merchant still follows them up.
 */
export function contactStatusForAnswer(answer: NoticeAnswer): "RETURNED" | "DESTROYED" | "CONTACTED" {
  if (answer === "RETURNED") return "RETURNED";
  if (answer === "DESTROYED") return "DESTROYED";
  return "CONTACTED";
}

/**
 * The customer's status in the case after an answer. Returned / destroyed set it; "still have it" /
 * "never received" mark a customer still TO_CONTACT as reached, and undo only what their own earlier
 * answer set (a changed answer replaces it), never a RETURNED or DESTROYED the merchant recorded.
 */
export function nextContactStatus(
  current: "TO_CONTACT" | "CONTACTED" | "RETURNED" | "DESTROYED",
  previousAnswer: NoticeAnswer | null,
  answer: NoticeAnswer,
): "TO_CONTACT" | "CONTACTED" | "RETURNED" | "DESTROYED" {
  const wanted = contactStatusForAnswer(answer);
  if (wanted !== "CONTACTED") return wanted;
  if (current === "TO_CONTACT") return "CONTACTED";
  if (previousAnswer && contactStatusForAnswer(previousAnswer) === current) return "CONTACTED";
  return current;
}

export type ParsedAnswer = { ok: true; answer: NoticeAnswer; note: string | null } | { ok: false; error: string };

export function parseAnswerForm(form: { answer?: string | null; note?: string | null }): ParsedAnswer {
  const answer = (form.answer ?? "").trim().toUpperCase();
  if (!(NOTICE_ANSWERS as readonly string[]).includes(answer)) return { ok: false, error: "Please choose one of the options." };
  const note = (form.note ?? "").replace(/\r\n/g, "\n").trim();
  if (note.length > ANSWER_NOTE_MAX) return { ok: false, error: `The note can be at most ${ANSWER_NOTE_MAX} characters.` };
  return { ok: true, answer: answer as NoticeAnswer, note: note || null };
}

export interface AnswerPageNotice {
  shopName: string;
  reference: string;
  products: string;
  lots: string;
  hazard: string;
  action: string;
  remedy: string;
  answer: NoticeAnswer | null;
  note: string | null;
}

/**
 * The page behind the link: the recall as the notice states it, and the form. The form posts to
 * the same proxy URL (relative action ""), so Shopify signs the POST as it signed the GET.
 */
export function renderAnswerPage(notice: AnswerPageNotice, state: { saved?: boolean; error?: string } = {}): string {
  const e = escapeHtml;
  const radios = NOTICE_ANSWERS.map(
    (a) => `<label><input type="radio" name="answer" value="${a}"${notice.answer === a ? " checked" : ""} required> ${e(ANSWER_LABELS[a])}</label><br>`,
  ).join("");
  const banner = state.error
    ? `<p class="alert" role="alert">${e(state.error)}</p>`
    : state.saved
      ? `<p class="ok" role="status">Thank you, your answer is recorded. You can change it below at any time.</p>`
      : notice.answer
        ? `<p class="ok">You answered: ${e(ANSWER_LABELS[notice.answer])}. You can change it below.</p>`
        : "";
  const body =
    `<h1 class="alert">Product safety recall</h1>${banner}` +
    `<p class="lot">${e(notice.products)}<br>Lot: ${e(notice.lots)}</p>` +
    `<p><strong>Hazard:</strong> ${e(notice.hazard)}</p>` +
    (notice.action ? `<p><strong>What to do:</strong> ${e(notice.action)}</p>` : "") +
    (notice.remedy ? `<p><strong>Remedy:</strong> ${e(notice.remedy)}</p>` : "") +
    `<form method="post" action=""><fieldset><legend>What did you do with the product?</legend>${radios}</fieldset>` +
    `<p><label>Note (optional)<br><textarea name="note" maxlength="${ANSWER_NOTE_MAX}" rows="4" cols="40">${e(notice.note ?? "")}</textarea></label></p>` +
    `<p><button type="submit">Send answer</button></p></form>` +
    `<p class="small">Recall ${e(notice.reference)}</p>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>Product safety recall - ${e(notice.shopName)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;line-height:1.5}.alert{color:#b00020}.ok{color:#1a7f37}.lot{font-size:1.1rem}.small{color:#555;font-size:.9rem}fieldset{border:0;padding:0}</style>
</head><body><main>${body}<p class="small">${e(notice.shopName)}</p></main></body></html>`;
}

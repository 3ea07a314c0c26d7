// Pure rules of recall notices (no database): the default template, the placeholders, rendering,
// what a valid template and sender are, and how an SMTP answer maps to a notice status.
// The default follows EU GPSR (Regulation 2023/988) Art. 36: see docs/decisions/107-recall-notices-by-email.md.
import { RecallInputError } from "./errors";

export const NOTICE_PLACEHOLDERS = ["product", "lot", "hazard", "action", "remedy", "respond", "merchant_contact", "customer_name", "order"] as const;
export type NoticePlaceholder = (typeof NOTICE_PLACEHOLDERS)[number];
export type NoticeValues = Record<NoticePlaceholder, string>;

// Art. 36(2) asks for (a) the headline "Product safety recall"; (b) the product, its lot, where
// and when it was sold (our shop, the order); (c) the hazard, plainly; (d) the action, including
// "stop using it immediately"; (e) the remedy; (f) a free-of-charge way to get more information;
// (g) a recommendation to pass the notice on.
export const DEFAULT_NOTICE_SUBJECT = "Product safety recall: {{product}} (lot {{lot}})";
export const DEFAULT_NOTICE_BODY = `PRODUCT SAFETY RECALL

Dear {{customer_name}},

You bought the following product from us (order {{order}}):

  Product: {{product}}
  Lot / batch number: {{lot}}

Hazard: {{hazard}}

What you must do: stop using this product immediately. {{action}}

Remedy: {{remedy}} This is free of charge for you.

How to respond: {{respond}}

Questions, free of charge: {{merchant_contact}}

Please share this information with anyone who may use the product.`;

/** What {{respond}} says when the recall does not say otherwise. */
export const DEFAULT_RESPOND = "Reply to this email, quoting your order number.";

export const MAX_SUBJECT_LENGTH = 200;
export const MAX_BODY_LENGTH = 10_000;

/** Fills {{name}} placeholders; an unknown placeholder is left as written (validateTemplate refuses it on save). */
export function renderNotice(template: string, values: NoticeValues): string {
  return template.replace(/\{\{\s*([a-z_]+)\s*\}\}/g, (whole, name: string) =>
    (NOTICE_PLACEHOLDERS as readonly string[]).includes(name) ? values[name as NoticePlaceholder] : whole,
  );
}

/** Subject lines are one line: a value with a line break must not start a header of its own. */
export function renderSubject(template: string, values: NoticeValues): string {
  return renderNotice(template, values)
    .replace(/[\r\n]+/g, " ")
    .trim();
}

export interface NoticeSettingsInput {
  fromAddress?: unknown;
  merchantContact?: unknown;
  subject?: unknown;
  body?: unknown;
}

export interface NoticeSettings {
  fromAddress: string | null;
  merchantContact: string | null;
  /** null: the default subject. */
  subject: string | null;
  /** null: the default body. */
  body: string | null;
}

const EMAIL = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;]+$/;

function unknownPlaceholders(text: string): string[] {
  return [...text.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)].map((m) => m[1]!).filter((n) => !(NOTICE_PLACEHOLDERS as readonly string[]).includes(n));
}

/** Checks the settings form; a subject or body equal to the default (or empty) is stored as null, so later default changes reach it. */
export function parseNoticeSettings(input: NoticeSettingsInput): NoticeSettings {
  const problems: { field: string; message: string }[] = [];
  const from = String(input.fromAddress ?? "").trim();
  if (from && !EMAIL.test(from)) problems.push({ field: "fromAddress", message: "must be an email address such as recalls@yourstore.com" });
  const contact = String(input.merchantContact ?? "").trim();
  if (contact.length > 500) problems.push({ field: "merchantContact", message: "must be at most 500 characters" });
  const normalise = (v: unknown) =>
    String(v ?? "")
      .replace(/\r\n/g, "\n")
      .trim();
  const subject = normalise(input.subject);
  const body = normalise(input.body);
  const check = (field: string, text: string, max: number) => {
    if (text.length > max) problems.push({ field, message: `must be at most ${max} characters` });
    const unknown = unknownPlaceholders(text);
    if (unknown.length)
      problems.push({
        field,
        message: `unknown placeholder ${unknown.map((u) => `{{${u}}}`).join(", ")}: use ${NOTICE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(" ")}`,
      });
  };
  check("subject", subject, MAX_SUBJECT_LENGTH);
  check("body", body, MAX_BODY_LENGTH);
  if (body && !body.includes("{{lot}}")) problems.push({ field: "body", message: "must name the lot ({{lot}}): customers need it to find the product" });
  if (problems.length) throw new NoticeSettingsError(problems);
  return {
    fromAddress: from || null,
    merchantContact: contact || null,
    subject: subject && subject !== DEFAULT_NOTICE_SUBJECT ? subject : null,
    body: body && body !== DEFAULT_NOTICE_BODY ? body : null,
  };
}

export class NoticeSettingsError extends RecallInputError {
  override name = "NoticeSettingsError";
  constructor(readonly problems: { field: string; message: string }[]) {
    super(problems.map((p) => `${p.field}: ${p.message}`).join("; "));
  }
}

export interface NoticeDetails {
  hazard: string | null;
  action: string | null;
  remedy: string | null;
  respond: string | null;
}

/** The recall's notice fields, trimmed; empty -> null. */
export function parseNoticeDetails(input: Partial<Record<keyof NoticeDetails, unknown>>): NoticeDetails {
  const field = (name: keyof NoticeDetails) => {
    const v = String(input[name] ?? "").trim();
    if (v.length > 2000) throw new RecallInputError(`${name} must be at most 2000 characters`);
    return v || null;
  };
  return { hazard: field("hazard"), action: field("action"), remedy: field("remedy"), respond: field("respond") };
}

/**
 * Words Art. 36(2)(c) names as playing the risk down ("voluntary", "precautionary", "discretionary",
 * "in rare/specific situations", "no reported accidents"), as found in the text.
 */
export function playDownTerms(text: string): string[] {
  const found = text.match(
    /\b(voluntar\w*|precaution\w*|discretion\w*|in (?:rare|specific) (?:situations|cases)|no (?:reported )?(?:accidents|incidents|injuries)(?: have been| were)? reported|no (?:reported )?(?:accidents|incidents|injuries))\b/gi,
  );
  return [...new Set((found ?? []).map((f) => f.toLowerCase()))];
}

/** Why notices cannot be sent yet (empty: they can). Art. 36 needs the hazard, the action and the remedy; the customer needs a sender to reply to. */
export function noticeBlockers(recall: { status: string; reason: string } & NoticeDetails, settings: NoticeSettings, smtpConfigured: boolean): string[] {
  const blockers: string[] = [];
  if (!smtpConfigured) blockers.push("SMTP_URL is not set: the operator must configure the mail server (see README, Recall notices)");
  if (recall.status !== "OPEN") blockers.push("the recall is closed");
  if (!settings.fromAddress) blockers.push("no sender address: set one under Settings > Recall notices");
  if (!settings.merchantContact) blockers.push("no contact for customers' questions: set one under Settings > Recall notices");
  if (!recall.action) blockers.push("the recall says no action for customers (what they must do besides stop using it)");
  if (!recall.remedy) blockers.push("the recall offers no remedy (refund, replacement or repair)");
  const downplaying = playDownTerms(
    [recall.hazard ?? recall.reason, recall.action ?? "", recall.remedy ?? "", settings.subject ?? "", settings.body ?? ""].join("\n"),
  );
  if (downplaying.length)
    blockers.push(
      `the notice plays the risk down (${downplaying.map((t) => `"${t}"`).join(", ")}): the regulation forbids such words; state the hazard plainly`,
    );
  return blockers;
}

export type SmtpErrorOutcome = { status: "BOUNCED" | "FAILED" | "RETRY"; reason: string };

/** SMTP commands before the message is handed over: a failure there means nothing was accepted. */
const BEFORE_MESSAGE = /^(API|CONN|EHLO|HELO|LHLO|STARTTLS|AUTH\b.*|MAIL FROM|RCPT TO|RSET)$/;

/**
 * What an SMTP failure means for a notice (nodemailer's error: code, responseCode, command):
 *   - the server refused with 5xx: for the recipient (RCPT TO) a bounce, otherwise FAILED; no retry helps;
 *   - the server refused with 4xx, or the connection failed before the message was handed over:
 *     nothing was accepted, so a retry cannot mail twice (RETRY);
 *   - bad credentials: FAILED (the operator fixes SMTP_URL, then the merchant sends again);
 *   - anything else (the connection broke while or after the message was sent): it may have been
 *     accepted, so FAILED, never retried: a customer is never mailed twice (decision 107).
 */
export function classifySmtpError(error: { code?: string; responseCode?: number; response?: string; message?: string; command?: string }): SmtpErrorOutcome {
  const reason = (error.response ?? error.message ?? "unknown SMTP error").replace(/\s+/g, " ").slice(0, 500);
  const code = error.responseCode;
  if (code !== undefined && code >= 500) return { status: error.command === "RCPT TO" ? "BOUNCED" : "FAILED", reason };
  if (code !== undefined && code >= 400) return { status: "RETRY", reason };
  if (error.code === "EAUTH") return { status: "FAILED", reason };
  if (error.command !== undefined && BEFORE_MESSAGE.test(error.command)) return { status: "RETRY", reason };
  if (error.code === "EDNS" || error.code === "ECONNECTION")
    return error.command === undefined ? { status: "RETRY", reason } : { status: "FAILED", reason: interrupted(reason) };
  return { status: "FAILED", reason: interrupted(reason) };
}

function interrupted(reason: string): string {
  return `sending was interrupted and the mail server may have accepted the notice; not sent again (${reason})`;
}

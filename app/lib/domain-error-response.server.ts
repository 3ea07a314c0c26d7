// The one place where routes turn a domain error into an answer, as app/cli/main.ts does for the
// CLI (docs/decisions/095-use-cases-as-steps.md). A domain error's message already says what went
// wrong and what to do; what differs by entry point is only the form of the answer:
//   - an action (a form post) answers a banner, { ok: false, error } (field errors for validation
//     problems), with HTTP 200 as every action result; only "the thing the URL names does not
//     exist in this shop" is a 404;
//   - a loader (a page or a download) answers 404 for the thing its URL names, 400 with the
//     message otherwise (a stale cursor, a bad parameter);
//   - the admin extensions' JSON API answers { error } with 404, 400 or 422 (extensionErrorJson in
//     extension-response.server.ts).
// Anything that is not a domain error is a bug or an outage: it is rethrown (a 500 and a log line).
import { failed, problemsFailed } from "../components/action-result";
import { DomainError } from "../domain/errors";
import { AllocationNotFoundError, OrderNotFoundError } from "../domain/allocation/errors";
import { LotNotFoundError } from "../domain/lots/lot-errors";
import { InvalidCursorError, LotNotFoundError as RecallLotNotFoundError, RecallNotFoundError } from "../domain/recall/errors";
import { DataRequestCursorError } from "../domain/privacy/errors";
import { EventNotFoundError } from "../domain/webhooks/events.server";
import { BadResourceIdError } from "./extension-views";
import { LocationNotFoundError } from "../domain/picking/errors";
import { VariantNotFoundError } from "../domain/pos/errors";

/** What a route's URL names: a not-found error about it is a 404, about anything else a refusal. */
export type Resource = "lot" | "allocation" | "recall" | "webhook event" | "order" | "location" | "variant";

export interface FieldProblem {
  field: string;
  message: string;
}

export interface DomainErrorAnswer {
  /** not-found: something is not the shop's; bad-request: a parameter the app gave out is stale or malformed; refused: a rule says no. */
  kind: "not-found" | "bad-request" | "refused";
  /** The error class's name, e.g. "EventAlreadyProcessedError", for a route that words one case itself. */
  name: string;
  message: string;
  /** For not-found: what is missing. */
  resource: Resource | null;
  /** For validation errors: every field problem (LotValidationError, SettingsValidationError ...). */
  problems: FieldProblem[] | null;
}

const NOT_FOUND: [new (...args: never[]) => Error, Resource][] = [
  [LotNotFoundError, "lot"],
  [RecallLotNotFoundError, "lot"],
  [AllocationNotFoundError, "allocation"],
  [RecallNotFoundError, "recall"],
  [EventNotFoundError, "webhook event"],
  [OrderNotFoundError, "order"],
  [LocationNotFoundError, "location"],
  [VariantNotFoundError, "variant"],
];

const BAD_REQUEST: (new (...args: never[]) => Error)[] = [InvalidCursorError, DataRequestCursorError, BadResourceIdError];

/** Classifies a domain error (or an extension's bad resource id); rethrows anything else. */
export function domainErrorAnswer(error: unknown): DomainErrorAnswer {
  if (!(error instanceof DomainError) && !(error instanceof BadResourceIdError)) throw error;
  const problems = "problems" in error && Array.isArray(error.problems) ? (error.problems as FieldProblem[]) : null;
  const base = { name: error.name, message: error.message, problems };
  const notFound = NOT_FOUND.find(([type]) => error instanceof type);
  if (notFound) return { ...base, kind: "not-found", resource: notFound[1] };
  if (BAD_REQUEST.some((type) => error instanceof type)) return { ...base, kind: "bad-request", resource: null };
  return { ...base, kind: "refused", resource: null };
}

export interface RefusalOptions {
  /** What the URL names (a missing one is a 404 "Not found"). */
  resource?: Resource;
  /** Put before the message, e.g. "Not received: ". */
  prefix?: string;
  /** A prefix of its own for an error, by error name, e.g. { Gs1Error: "Barcode not read: " }. */
  prefixes?: Record<string, string>;
  /** The form's label for each field a validation problem names ("delta" -> "Units"). */
  labels?: Record<string, string>;
  /** A route's own wording for a case, by error name; field errors are kept. */
  messages?: Record<string, string>;
}

/**
 * An action's answer to a domain error: the banner (failed), or the 404 Response thrown when the
 * thing the URL names is not the shop's. Use as `catch (error) { return refusal(error, {...}) }`.
 */
export function refusal(error: unknown, options: RefusalOptions = {}): ReturnType<typeof failed> {
  const answer = domainErrorAnswer(error);
  if (answer.kind === "not-found" && answer.resource === options.resource) throw new Response("Not found", { status: 404 });
  const prefix = options.prefixes?.[answer.name] ?? options.prefix ?? "";
  const own = options.messages?.[answer.name];
  if (own !== undefined) return failed(own, Object.fromEntries((answer.problems ?? []).map((p) => [p.field, p.message])));
  if (answer.problems && options.labels) return problemsFailed(answer.problems, options.labels, prefix);
  return failed(`${prefix}${answer.message}`);
}

/**
 * A loader's answer to a domain error, to throw: 404 "Not found" for the thing the URL names, 400
 * with the message for anything else the shop's data or the parameters refuse.
 */
export function errorResponse(error: unknown, resource?: Resource): Response {
  const answer = domainErrorAnswer(error);
  if (answer.kind === "not-found" && answer.resource === resource) return new Response("Not found", { status: 404 });
  return new Response(answer.message, { status: 400 });
}

/** The message a page shows in place (a search that found nothing, a barcode that did not read). */
export function refusalMessage(error: unknown): string {
  return domainErrorAnswer(error).message;
}

/** The status the extensions' JSON API answers with (extension-response.server.ts extensionErrorJson). */
export function extensionErrorStatus(answer: DomainErrorAnswer): 404 | 400 | 422 {
  return answer.kind === "not-found" ? 404 : answer.kind === "bad-request" ? 400 : 422;
}

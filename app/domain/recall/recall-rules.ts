// Pure rules of a recall case (no database): what a valid opening is, the Shopify tag, progress.
import { RecallInputError } from "./errors";

export type RecallSeverity = "CLASS_I" | "CLASS_II" | "CLASS_III";
export type ContactStatus = "TO_CONTACT" | "CONTACTED" | "RETURNED" | "DESTROYED";

export const CONTACT_STATUSES: readonly ContactStatus[] = ["TO_CONTACT", "CONTACTED", "RETURNED", "DESTROYED"];

/** "class_i", "CLASS_I", "I", "1" -> CLASS_I. */
export function parseSeverity(value: string): RecallSeverity {
  const v = value
    .trim()
    .toUpperCase()
    .replace(/^CLASS[_ -]?/, "");
  const map: Record<string, RecallSeverity> = { I: "CLASS_I", "1": "CLASS_I", II: "CLASS_II", "2": "CLASS_II", III: "CLASS_III", "3": "CLASS_III" };
  const severity = map[v];
  if (!severity) throw new RecallInputError(`unknown severity "${value}": use CLASS_I (serious harm), CLASS_II or CLASS_III`);
  return severity;
}

export function parseContactStatus(value: string): ContactStatus {
  const v = value.trim().toUpperCase().replace(/[ -]/g, "_");
  if ((CONTACT_STATUSES as readonly string[]).includes(v)) return v as ContactStatus;
  throw new RecallInputError(`unknown contact status "${value}": use to_contact, contacted, returned or destroyed`);
}

export interface OpenRecallFields {
  lots: { lotNumber: string; variantId?: bigint }[];
  reason: string;
  severity: RecallSeverity | string;
  reference?: string;
  tagShopify?: boolean;
}

export function validateOpenRecall(input: OpenRecallFields) {
  if (input.lots.length === 0) throw new RecallInputError("a recall needs at least one lot");
  const reason = input.reason.trim();
  if (reason.length === 0) throw new RecallInputError("a recall needs a reason (what is wrong with the lot)");
  if (reason.length > 1000) throw new RecallInputError("the reason is longer than 1000 characters");
  const reference = input.reference?.trim() || undefined;
  if (reference !== undefined && !/^[\x21-\x7e][\x20-\x7e]{0,62}[\x21-\x7e]?$/.test(reference)) {
    throw new RecallInputError(`reference "${input.reference}" must be 1-64 printable characters`);
  }
  for (const lot of input.lots) {
    if (lot.lotNumber.trim() === "") throw new RecallInputError("a lot number is empty");
  }
  return {
    lots: input.lots.map((l) => ({ lotNumber: l.lotNumber.trim(), variantId: l.variantId })),
    reason,
    severity: parseSeverity(input.severity),
    reference,
    tagShopify: input.tagShopify ?? false,
  };
}

/** The tag written on affected orders and customers in Shopify ("recall-R-20261126-1"). Shopify tags: up to 255 characters, no commas. */
export function recallTag(reference: string): string {
  return `recall-${reference}`.replace(/,/g, " ").slice(0, 255);
}

export function completion(counts: Record<ContactStatus, number>) {
  const customers = counts.TO_CONTACT + counts.CONTACTED + counts.RETURNED + counts.DESTROYED;
  const pct = (n: number) => (customers === 0 ? 100 : Math.floor((n / customers) * 1000) / 10);
  return {
    customers,
    toContact: counts.TO_CONTACT,
    contacted: counts.CONTACTED,
    returned: counts.RETURNED,
    destroyed: counts.DESTROYED,
    completionPercent: pct(customers - counts.TO_CONTACT),
    resolvedPercent: pct(counts.RETURNED + counts.DESTROYED),
  };
}

// What a lot label carries, as GS1 data: the element string a printer encodes in GS1-128 or GS1
// DataMatrix and the text a person reads beside it. Pure: no database, no barcode library, so the
// same rules are unit-tested and shared by the CLI and the admin download (docs/decisions/097).
import { DomainError } from "../errors";
import { isValidAi10Lot, normalizeGtin, Gs1Error } from "../gs1/gs1";

export class LabelError extends DomainError {
  override name = "LabelError";
}

/** A lot whose product has no GTIN: a GS1 label is keyed by one, so there is nothing to print. */
export class LabelMissingGtinError extends LabelError {
  override name = "LabelMissingGtinError";
}

/** Lot data GS1 cannot carry (a lot number outside AI (10), a GTIN with a wrong check digit). */
export class LabelDataError extends LabelError {
  override name = "LabelDataError";
}

export const LABEL_SIZES = ["4x6", "2.25x1.25", "a4"] as const;
export type LabelSize = (typeof LABEL_SIZES)[number];
export const SYMBOLOGIES = ["gs1-128", "datamatrix", "both"] as const;
export type SymbologyChoice = (typeof SYMBOLOGIES)[number];
/** Most labels a request may print: a typo of 10000 copies should not build a 400-page PDF. */
export const MAX_COPIES = 500;

export interface LabelLot {
  lotNumber: string;
  /** The lot's own GTIN (scanned at receipt), preferred over the variant's barcode. */
  gtin: string | null;
  variantBarcode: string | null;
  /** YYYY-MM-DD */
  expiresOn: string | null;
  productTitle: string | null;
  variantTitle: string | null;
  sku: string | null;
  /** AI (21), for a label of one serialised item; lots themselves are not serialised. */
  serial?: string | null;
}

export interface LabelContent {
  /** 14 digits. */
  gtin: string;
  lotNumber: string;
  /** YYYY-MM-DD, or null for a lot without an expiry date. */
  expiresOn: string | null;
  serial: string | null;
  /** Human-readable GS1 form, "(01)...(17)...(10)...", as bwip-js takes it and a person reads it. */
  elementString: string;
  product: string;
}

/**
 * The GS1 data of a lot's label. Fixed-length AIs come first and (10) lot last: a variable-length
 * field at the end needs no FNC1 separator, so the symbol is shortest that way.
 */
export function labelContent(lot: LabelLot): LabelContent {
  const source = lot.gtin?.trim() ? "lot" : lot.variantBarcode?.trim() ? "variant" : null;
  const product = productName(lot);
  if (!source) {
    throw new LabelMissingGtinError(
      `lot "${lot.lotNumber}" (${product}) has no GTIN: set the variant's barcode in Shopify or the lot's GTIN, then print the label`,
    );
  }
  const raw = (source === "lot" ? lot.gtin : lot.variantBarcode)!.trim();
  let gtin: string;
  try {
    gtin = normalizeGtin(raw);
  } catch (error) {
    if (!(error instanceof Gs1Error)) throw error;
    const where = source === "lot" ? "the lot's GTIN" : "the variant's barcode";
    throw new LabelDataError(`${where} is not a GTIN a GS1 label can carry: ${error.message}`);
  }
  if (!isValidAi10Lot(lot.lotNumber)) {
    throw new LabelDataError(
      `lot number "${lot.lotNumber}" cannot be printed as GS1 AI (10): it must be 1 to 20 characters of A-Z, a-z, 0-9 and ! " % & ' ( ) * + , - . / : ; < = > ? _ (no spaces)`,
    );
  }
  // Set 82 allows "(" and ")", but in the parenthesised form the barcode writer takes they would
  // read as the start of another AI; such a lot is refused rather than encoded wrongly.
  if (/[()]/.test(lot.lotNumber)) {
    throw new LabelDataError(`lot number "${lot.lotNumber}" contains "(" or ")": a GS1 label of this app cannot carry them; rename the lot without brackets`);
  }
  const serial = lot.serial?.trim() || null;
  if (serial !== null && !isValidAi10Lot(serial)) {
    // AI (21) has the same format as (10): X..20 of character set 82.
    throw new LabelDataError(`serial "${serial}" cannot be printed as GS1 AI (21): 1 to 20 characters of GS1 character set 82`);
  }
  if (serial !== null && /[()]/.test(serial)) {
    throw new LabelDataError(`serial "${serial}" contains "(" or ")", which a GS1 label of this app cannot carry`);
  }
  let elementString = `(01)${gtin}`;
  if (lot.expiresOn) elementString += `(17)${gs1Yymmdd(lot.expiresOn)}`;
  if (serial) elementString += `(21)${serial}`;
  elementString += `(10)${lot.lotNumber}`;
  return { gtin, lotNumber: lot.lotNumber, expiresOn: lot.expiresOn, serial, elementString, product };
}

/** YYYY-MM-DD -> YYMMDD (AI (17)); the reader restores the century by GS1's sliding window. */
export function gs1Yymmdd(isoDate: string): string {
  const m = /^\d{2}(\d{2})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!m) throw new LabelDataError(`expiry "${isoDate}" is not a date YYYY-MM-DD`);
  return `${m[1]}${m[2]}${m[3]}`;
}

export function productName(lot: Pick<LabelLot, "productTitle" | "variantTitle" | "sku">): string {
  const title = [lot.productTitle, lot.variantTitle && lot.variantTitle !== "Default Title" ? lot.variantTitle : null].filter(Boolean).join(" - ");
  return title || lot.sku || "unknown product";
}

/** Which symbols a label gets. The 2.25x1.25 in label has room for one symbol, not two. */
export function symbolsFor(size: LabelSize, choice: SymbologyChoice | undefined): ("gs1-128" | "datamatrix")[] {
  const chosen = choice ?? (size === "2.25x1.25" ? "datamatrix" : "both");
  if (chosen === "both" && size === "2.25x1.25") {
    throw new LabelError("a 2.25x1.25 in label has room for one barcode: choose gs1-128 or datamatrix");
  }
  return chosen === "both" ? ["gs1-128", "datamatrix"] : [chosen];
}

export function parseLabelSize(value: string): LabelSize {
  if ((LABEL_SIZES as readonly string[]).includes(value)) return value as LabelSize;
  throw new LabelError(`label size must be one of ${LABEL_SIZES.join(", ")}, got "${value}"`);
}

export function parseSymbology(value: string): SymbologyChoice {
  if ((SYMBOLOGIES as readonly string[]).includes(value)) return value as SymbologyChoice;
  throw new LabelError(`symbology must be one of ${SYMBOLOGIES.join(", ")}, got "${value}"`);
}

export function parseCopies(value: string | number): number {
  const n = typeof value === "number" ? value : /^\d+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_COPIES) throw new LabelError(`copies must be a whole number from 1 to ${MAX_COPIES}, got "${value}"`);
  return n;
}

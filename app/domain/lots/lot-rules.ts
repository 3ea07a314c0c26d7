// The rules of receiving and moving lot units, as pure functions (no database, no Shopify):
// what a valid receipt looks like, how dates compare, how automatic lot numbers are made.
import { matchShopifyId } from "../../lib/json";
import type { Gs1Data } from "../gs1/gs1";
import { LotNotFoundError, LotValidationError, type FieldProblem } from "./lot-errors";
import { parseId } from "../../lib/ids";
import type { Day } from "../shops/shop-day";

export const LOT_NUMBER_MAX = 64;
export const MAX_QUANTITY = 1_000_000_000;

export interface ReceiptInput {
  variantId: string | number | bigint;
  lotNumber?: string | null;
  quantity: string | number;
  locationId: string | number | bigint;
  expiresOn?: string | null;
  bestBeforeOn?: string | null;
  producedOn?: string | null;
  supplier?: string | null;
  supplierLot?: string | null;
  purchaseOrder?: string | null;
  unitCost?: string | number | null;
  currency?: string | null;
  notes?: string | null;
  gtin?: string | null;
  /** Bin the units are put away in at the location; when absent the balance keeps the bin it has. */
  bin?: string | null;
  /** When the goods arrived (defaults to now); used for automatic lot numbers. */
  receivedAt?: Date | string | null;
}

export interface LotDates {
  expiresOn: string | null;
  bestBeforeOn: string | null;
  producedOn: string | null;
}

export interface ValidReceipt extends LotDates {
  variantId: bigint;
  /** null: generate one from the shop's pattern. */
  lotNumber: string | null;
  quantity: number;
  locationId: bigint;
  supplier: string | null;
  supplierLot: string | null;
  purchaseOrder: string | null;
  /** Decimal as a string with up to 4 places, e.g. "1.2500". */
  unitCost: string | null;
  currency: string | null;
  notes: string | null;
  gtin: string | null;
  /** Normalised bin (see normaliseBin), or null: leave the balance's bin as it is. */
  bin: string | null;
  receivedAt: Date;
}

/** 'YYYY-MM-DD' that is a real calendar date, or a problem message. */
export function checkDate(value: string): string | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return `"${value}" is not a date; write it as YYYY-MM-DD`;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12) return `"${value}" is not a real date: there is no month ${m[2]}`;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > last) return `"${value}" is not a real date: ${m[1]}-${m[2]} has ${last} days`;
  if (year < 1900 || year > 2200) return `"${value}" is outside the years 1900-2200`;
  return null;
}

/** Lot numbers: 1-64 printable characters (no control characters, no leading/trailing spaces). */
export function checkLotNumber(value: string): string | null {
  if (value.length === 0) return "is empty; give a lot number or leave it out to have one generated";
  if ([...value].length > LOT_NUMBER_MAX) return `is ${[...value].length} characters long; at most ${LOT_NUMBER_MAX} are allowed`;
  const control = /[\u0000-\u001f\u007f-\u009f]/.exec(value);
  if (control)
    return `contains the control character U+${control[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}; only printable characters are allowed`;
  if (value.trim() !== value) return "starts or ends with a space";
  return null;
}

/** A whole number of units > 0 (or >= 0 with allowZero), from CLI text, CSV or a form. */
export function parseQuantity(value: string | number | null | undefined, options: { allowZero?: boolean } = {}): number | string {
  const text = typeof value === "number" ? String(value) : (value ?? "").trim();
  if (text === "") return "is required";
  if (!/^-?\d+$/.test(text)) return `"${text}" is not a whole number of units`;
  const n = Number(text);
  if (options.allowZero ? n < 0 : n <= 0) return `must be ${options.allowZero ? "zero or more" : "a positive whole number"}, got ${text}`;
  if (n > MAX_QUANTITY) return `${text} is more than ${MAX_QUANTITY} units`;
  return n;
}

/** A Shopify numeric id or GID, as a bigint; or a problem message. */
export function parseShopifyId(value: string | number | bigint | null | undefined, type: string): bigint | string {
  if (value === null || value === undefined || value === "") return "is required";
  if (typeof value === "bigint") return value > 0n ? value : "must be a positive id";
  const text = String(value).trim();
  const id = matchShopifyId(text, type);
  if (id === null) return `"${text}" is not a ${type} id (digits, or gid://shopify/${type}/<digits>)`;
  return id > 0n && id < 2n ** 63n ? id : `"${text}" is out of range`;
}

function optionalText(value: string | null | undefined, field: string, max: number, problems: FieldProblem[]): string | null {
  const text = (value ?? "").trim();
  if (text === "") return null;
  if (text.length > max) problems.push({ field, message: `is ${text.length} characters long; at most ${max} are allowed` });
  return text;
}

/** Validates a receipt; throws LotValidationError listing every problem. */
export function validateReceipt(input: ReceiptInput, now: Date = new Date()): ValidReceipt {
  const problems: FieldProblem[] = [];
  const variantId = parseShopifyId(input.variantId, "ProductVariant");
  if (typeof variantId === "string") problems.push({ field: "variant", message: variantId });
  const locationId = parseShopifyId(input.locationId, "Location");
  if (typeof locationId === "string") problems.push({ field: "location", message: locationId });
  const quantity = parseQuantity(input.quantity);
  if (typeof quantity === "string") problems.push({ field: "quantity", message: quantity });

  let lotNumber: string | null = null;
  if (input.lotNumber !== null && input.lotNumber !== undefined && input.lotNumber !== "") {
    const problem = checkLotNumber(input.lotNumber);
    if (problem) problems.push({ field: "lot", message: problem });
    else lotNumber = input.lotNumber;
  }

  const dates: LotDates = { expiresOn: null, bestBeforeOn: null, producedOn: null };
  for (const [key, field] of [
    ["expiresOn", "expires"],
    ["bestBeforeOn", "best-before"],
    ["producedOn", "produced"],
  ] as const) {
    const raw = (input[key] ?? "").trim();
    if (raw === "") continue;
    const problem = checkDate(raw);
    if (problem) problems.push({ field, message: problem });
    else dates[key] = raw;
  }
  if (dates.producedOn && dates.expiresOn && dates.expiresOn < dates.producedOn) {
    problems.push({ field: "expires", message: `${dates.expiresOn} is before the production date ${dates.producedOn}` });
  }
  if (dates.producedOn && dates.bestBeforeOn && dates.bestBeforeOn < dates.producedOn) {
    problems.push({ field: "best-before", message: `${dates.bestBeforeOn} is before the production date ${dates.producedOn}` });
  }

  let unitCost: string | null = null;
  const costText = input.unitCost === null || input.unitCost === undefined ? "" : String(input.unitCost).trim();
  if (costText !== "") {
    if (!/^\d{1,10}(\.\d{1,4})?$/.test(costText))
      problems.push({ field: "cost", message: `"${costText}" is not an amount (e.g. 1.25, at most 4 decimals, not negative)` });
    else unitCost = costText;
  }
  let currency: string | null = null;
  const currencyText = (input.currency ?? "").trim();
  if (currencyText !== "") {
    if (!/^[A-Za-z]{3}$/.test(currencyText))
      problems.push({ field: "currency", message: `"${currencyText}" is not a 3-letter ISO 4217 code such as EUR or USD` });
    else currency = currencyText.toUpperCase();
  }
  if (currency && !unitCost) problems.push({ field: "currency", message: "given without a unit cost (--cost)" });

  let gtin: string | null = null;
  if (input.gtin) {
    if (!/^\d{8}$|^\d{12,14}$/.test(input.gtin)) problems.push({ field: "gtin", message: `"${input.gtin}" is not a GTIN (8, 12, 13 or 14 digits)` });
    else gtin = input.gtin.padStart(14, "0");
  }

  let receivedAt = now;
  if (input.receivedAt) {
    const d = input.receivedAt instanceof Date ? input.receivedAt : new Date(input.receivedAt);
    if (Number.isNaN(d.getTime())) problems.push({ field: "received", message: `"${String(input.receivedAt)}" is not a date` });
    else receivedAt = d;
  }

  const supplier = optionalText(input.supplier, "supplier", 200, problems);
  const supplierLot = optionalText(input.supplierLot, "supplier-lot", 64, problems);
  const purchaseOrder = optionalText(input.purchaseOrder, "po", 64, problems);
  const notes = optionalText(input.notes, "notes", 2000, problems);
  const bin = binOption(input.bin, problems);

  if (problems.length > 0) throw new LotValidationError(problems);
  return {
    variantId: variantId as bigint,
    lotNumber,
    quantity: quantity as number,
    locationId: locationId as bigint,
    ...dates,
    supplier,
    supplierLot,
    purchaseOrder,
    unitCost,
    currency,
    notes,
    gtin,
    bin,
    receivedAt,
  };
}

export const BIN_MAX = 32;

/**
 * A bin code as stored: trimmed, upper-case (pickers read "a-03" and "A-03" as the same shelf, and
 * the pick list sorts by it), inner runs of spaces made one. Letters, digits and . - _ / and
 * spaces only, at most BIN_MAX characters; anything else is refused rather than silently cleaned.
 */
export function normaliseBin(raw: string): { bin: string; problem: null } | { bin: null; problem: string } {
  const bin = raw.trim().replace(/\s+/g, " ").toUpperCase();
  if (bin === "") return { bin: null, problem: "is empty; give a bin code such as A-03-2" };
  if (bin.length > BIN_MAX) return { bin: null, problem: `"${bin}" is longer than ${BIN_MAX} characters` };
  if (!/^[A-Z0-9][A-Z0-9 ._/-]*$/.test(bin)) {
    return { bin: null, problem: `"${raw.trim()}" is not a bin code: use letters, digits, spaces and . - _ / (starting with a letter or digit)` };
  }
  return { bin, problem: null };
}

/**
 * A bin option as the CLI, the admin panel, a transfer or a count give it, pushed onto `problems`
 * when it is not a bin code. Undefined, null or blank: no bin named (the caller decides whether
 * that means "keep" or "clear").
 */
export function binOption(raw: string | null | undefined, problems: FieldProblem[], field = "bin"): string | null {
  if (raw === null || raw === undefined || raw.trim() === "") return null;
  const normal = normaliseBin(raw);
  if (normal.bin === null) problems.push({ field, message: normal.problem });
  return normal.bin;
}

/**
 * Dates of a new receipt against the lot's: each date given must equal the one stored, when one
 * is stored. Returns the conflicts ("expiry 2027-01-31 differs from the lot's 2027-02-28").
 */
export function dateConflicts(existing: LotDates, incoming: LotDates): string[] {
  const names: Record<keyof LotDates, string> = { expiresOn: "expiry", bestBeforeOn: "best-before date", producedOn: "production date" };
  const out: string[] = [];
  for (const key of Object.keys(names) as (keyof LotDates)[]) {
    const a = existing[key];
    const b = incoming[key];
    if (a && b && a !== b) out.push(`${names[key]} ${b} differs from the lot's ${a}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Automatic lot numbers

export const AUTO_LOT_TOKENS = ["YYYYMMDD", "YYMMDD", "YYYY", "YY", "MM", "DD", "PO", "SKU", "SEQ"] as const;

/** Problems with a pattern (unknown tokens, unbalanced braces, nothing that varies), or []. */
export function checkAutoLotPattern(pattern: string): string[] {
  const problems: string[] = [];
  if (pattern.trim() === "") return ["the pattern is empty"];
  const unknown: string[] = [];
  const stripped = pattern.replace(/\{([A-Za-z]+)(\d)?\}/g, (whole, token: string) => {
    if (!(AUTO_LOT_TOKENS as readonly string[]).includes(token) && !unknown.includes(whole)) unknown.push(whole);
    return "";
  });
  // One line naming each unknown token and the allowed ones; the "needs a date..." check waits
  // until they are fixed (an unknown token is usually a misspelt one).
  if (unknown.length)
    problems.push(`unknown token${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")}: use ${AUTO_LOT_TOKENS.map((t) => `{${t}}`).join(" ")}`);
  if (/[{}]/.test(stripped)) problems.push("has a brace that is not part of a {TOKEN}");
  if (!unknown.length && !/\{(YYYYMMDD|YYMMDD|YYYY|YY|MM|DD|PO|SEQ)\d?\}/.test(pattern)) problems.push("needs at least a date, {PO} or {SEQ} token");
  return problems;
}

export interface AutoLotContext {
  /** The shop's day of the receipt (shop-day.ts): a lot received at 23:30 UTC in Auckland is numbered for the next day. */
  day: Day;
  purchaseOrder: string | null;
  sku: string | null;
}

const SEPARATORS = /[-_./ ]/;

/**
 * Renders everything but {SEQ}: "{YYYYMMDD}-{PO}-{SEQ}" -> "20261126-PO77-{SEQ}". A token
 * without a value ({PO} without a purchase order) disappears with one separator next to it.
 */
export function renderAutoLotPrefix(pattern: string, ctx: AutoLotContext): string {
  const [y, mm, dd] = ctx.day.split("-") as [string, string, string];
  const clean = (s: string | null) =>
    (s ?? "")
      .trim()
      .replace(/[^\p{L}\p{N}._-]+/gu, "-")
      .slice(0, 24);
  const values: Record<string, string> = {
    YYYYMMDD: `${y}${mm}${dd}`,
    YYMMDD: `${y.slice(2)}${mm}${dd}`,
    YYYY: y,
    YY: y.slice(2),
    MM: mm,
    DD: dd,
    PO: clean(ctx.purchaseOrder),
    SKU: clean(ctx.sku),
  };
  let out = pattern;
  for (const [token, value] of Object.entries(values)) {
    out = out.replace(new RegExp(`\\{${token}\\}`, "g"), value === "" ? "\u0000" : value);
  }
  // Drop empty tokens together with one adjacent separator.
  out = out.replace(/([-_./ ])?\u0000([-_./ ])?/g, (_m, before: string | undefined, after: string | undefined) => (before && after ? before : ""));
  return out.replace(new RegExp(`^${SEPARATORS.source}+|${SEPARATORS.source}+$`, "g"), "");
}

/** Fills {SEQ} or {SEQn} (n digits, default 3). A pattern without {SEQ} gets "-<seq>" only when needed (seq > 1). */
export function applySequence(prefix: string, seq: number): string {
  if (/\{SEQ\d?\}/.test(prefix)) {
    return prefix.replace(/\{SEQ(\d)?\}/g, (_m, width: string | undefined) => String(seq).padStart(Number(width ?? 3), "0"));
  }
  return seq <= 1 ? prefix : `${prefix}-${seq}`;
}

// ---------------------------------------------------------------------------------------------
// Editing a lot's attributes (completing a lot reconciliation created, correcting a typo)

/** The attributes of a receipt a merchant can edit later (what the variant, quantity and location are is history). */
export type LotPatchInput = Pick<
  ReceiptInput,
  "lotNumber" | "expiresOn" | "bestBeforeOn" | "producedOn" | "supplier" | "supplierLot" | "purchaseOrder" | "unitCost" | "currency" | "notes"
>;

/** Columns to set: a key absent leaves the column alone; "" or null clears it (except the lot number). */
export type LotPatch = Partial<{
  lot_number: string;
  expires_on: string | null;
  best_before_on: string | null;
  produced_on: string | null;
  supplier: string | null;
  supplier_lot: string | null;
  purchase_order: string | null;
  unit_cost: string | null;
  currency: string | null;
  notes: string | null;
}>;

export function validateLotPatch(input: LotPatchInput): LotPatch {
  const problems: FieldProblem[] = [];
  const patch: LotPatch = {};
  const given = (v: unknown) => v !== undefined;
  const blank = (v: unknown) => v === null || (typeof v === "string" && v.trim() === "");
  if (given(input.lotNumber)) {
    const problem = blank(input.lotNumber) ? "cannot be emptied" : checkLotNumber(input.lotNumber!);
    if (problem) problems.push({ field: "lot", message: problem });
    else patch.lot_number = input.lotNumber!;
  }
  for (const [key, column, field] of [
    ["expiresOn", "expires_on", "expires"],
    ["bestBeforeOn", "best_before_on", "best-before"],
    ["producedOn", "produced_on", "produced"],
  ] as const) {
    const v = input[key];
    if (!given(v)) continue;
    if (blank(v)) patch[column] = null;
    else {
      const problem = checkDate(v!.trim());
      if (problem) problems.push({ field, message: problem });
      else patch[column] = v!.trim();
    }
  }
  for (const [key, column, field, max] of [
    ["supplier", "supplier", "supplier", 200],
    ["supplierLot", "supplier_lot", "supplier-lot", 64],
    ["purchaseOrder", "purchase_order", "po", 64],
    ["notes", "notes", "notes", 2000],
  ] as const) {
    if (given(input[key])) patch[column] = optionalText(input[key], field, max, problems);
  }
  if (given(input.unitCost)) {
    const text = blank(input.unitCost) ? "" : String(input.unitCost).trim();
    if (text !== "" && !/^\d{1,10}(\.\d{1,4})?$/.test(text))
      problems.push({ field: "cost", message: `"${text}" is not an amount (e.g. 1.25, at most 4 decimals, not negative)` });
    else patch.unit_cost = text || null;
  }
  if (given(input.currency)) {
    const text = blank(input.currency) ? "" : String(input.currency).trim();
    if (text !== "" && !/^[A-Za-z]{3}$/.test(text))
      problems.push({ field: "currency", message: `"${text}" is not a 3-letter ISO 4217 code such as EUR or USD` });
    else patch.currency = text ? text.toUpperCase() : null;
  }
  if (problems.length > 0) throw new LotValidationError(problems);
  return patch;
}

// ---------------------------------------------------------------------------------------------
// Receiving from a scan

/** What a receipt takes from a GS1 scan (parseGs1's data). */
export type ScannedData = Pick<Gs1Data, "gtin" | "lot" | "expiry" | "bestBefore" | "productionDate">;

/**
 * Fills a receipt from a parsed GS1 scan. A value typed by hand that contradicts the scan is a
 * problem (the wrong box was scanned, or the wrong value typed), never silently overridden.
 */
export function mergeScan(input: ReceiptInput, scan: ScannedData): ReceiptInput {
  const problems: FieldProblem[] = [];
  const pick = (typed: string | null | undefined, scanned: string | null, field: string): string | null | undefined => {
    if (!scanned) return typed;
    if (typed && typed !== scanned) problems.push({ field, message: `"${typed}" differs from the scanned ${scanned}` });
    return typed || scanned;
  };
  const merged: ReceiptInput = {
    ...input,
    lotNumber: pick(input.lotNumber, scan.lot, "lot"),
    expiresOn: pick(input.expiresOn, scan.expiry, "expires"),
    bestBeforeOn: pick(input.bestBeforeOn, scan.bestBefore, "best-before"),
    producedOn: pick(input.producedOn, scan.productionDate, "produced"),
    gtin: pick(input.gtin ? input.gtin.padStart(14, "0") : input.gtin, scan.gtin, "gtin"),
  };
  if (problems.length > 0) throw new LotValidationError(problems);
  return merged;
}

/** The forms a GTIN-14 may be stored in as a Shopify barcode (GTIN-14, EAN-13, UPC-A, EAN-8). */
export function barcodeForms(gtin14: string): string[] {
  const forms = [gtin14];
  for (const length of [13, 12, 8]) {
    if (/^0+$/.test(gtin14.slice(0, 14 - length))) forms.push(gtin14.slice(14 - length));
  }
  return forms;
}

/** A lot id as given in a URL, form or CLI option; one that is not a number names no lot (LotNotFoundError). */
export function lotIdOf(value: bigint | string | number): bigint {
  if (typeof value === "bigint") return value;
  const id = parseId(String(value));
  if (id === null) throw new LotNotFoundError(`lot id "${value}" is not a number`);
  return id;
}

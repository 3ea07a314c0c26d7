// GS1 barcode data as scanners deliver it: element strings (with or without a symbology
// identifier, variable fields ended by the group separator ASCII 29), the human-readable form
// with parentheses, GS1 Digital Link URIs (also behind a QR Code or Data Matrix symbology
// identifier ]Q1/]d1), and plain retail barcodes (EAN-13, EAN-8, UPC-A, ITF-14: a GTIN alone).
// Pure TypeScript with no Node-only imports: the admin Receive page runs this same parser in the
// browser.
//
// References: GS1 General Specifications (AI table, section 3; element strings and the table of
// AIs with a predefined length, 7.8.5; check digits 7.9; character set 82, 7.11; century of YYMMDD
// dates 7.12), GS1 Digital Link URI syntax 1.x (primary keys, key qualifiers and their order, data
// attributes in the query), ISO/IEC 15424 symbology identifiers. What we accept beyond GS1's own
// syntax engine, on purpose, is listed in docs/decisions/081-gs1-conformance.md.
import { DomainError } from "../errors";

export interface Gs1Data {
  /** 14 digits, check digit verified. */
  gtin: string | null;
  lot: string | null;
  /** YYYY-MM-DD */
  expiry: string | null;
  bestBefore: string | null;
  productionDate: string | null;
  serial: string | null;
}

export interface Gs1Element {
  ai: string;
  value: string;
  /** 1-based character position of the AI in the input. */
  position: number;
}

/** What the scanned text was, in words a person at the dock recognises. */
export type Gs1Format = "EAN-13" | "EAN-8" | "UPC-A" | "GTIN-14" | "GS1 element string" | "GS1 (AI) text" | "GS1 Digital Link";

export interface Gs1Result extends Gs1Data {
  /** Every element read, in order, including AIs this app does not use (e.g. (30) count). */
  elements: Gs1Element[];
  format: Gs1Format;
}

export class Gs1Error extends DomainError {
  override name = "Gs1Error";
  constructor(
    message: string,
    /** 1-based character position in the input where the problem is, when known. */
    readonly position?: number,
    readonly ai?: string,
  ) {
    super(message);
  }
}

export interface ParseOptions {
  /** Today, for the century of two-digit years (GS1 sliding window). Defaults to now. */
  today?: Date;
}

export const GROUP_SEPARATOR = "\u001d";

/** What the characters after a leading check-digited key (if any) may be. */
type Kind = "numeric" | "alnum" | "date" | "datetime";
interface AiSpec {
  title: string;
  kind: Kind;
  min: number;
  max: number;
  /** The first `checked` digits are a GS1 key whose last digit is its mod-10 check digit. */
  checked?: number;
}

const fixed = (title: string, length: number, kind: Kind = "numeric", checked?: number): AiSpec => ({ title, kind, min: length, max: length, checked });
const variable = (title: string, max: number, kind: Kind = "alnum", min = 1, checked?: number): AiSpec => ({ title, kind, min, max, checked });

// The AIs a receiving dock meets (GS1 General Specifications, AI table). Anything else is reported
// as unknown rather than guessed at: guessing the length of an unknown AI would misread every
// element after it.
const AI_TABLE: Record<string, AiSpec> = {
  "00": fixed("SSCC", 18, "numeric", 18),
  "01": fixed("GTIN", 14, "numeric", 14),
  "02": fixed("content GTIN", 14, "numeric", 14),
  "10": variable("lot", 20),
  "11": fixed("production date", 6, "date"),
  "12": fixed("due date", 6, "date"),
  "13": fixed("packaging date", 6, "date"),
  "15": fixed("best before date", 6, "date"),
  "16": fixed("sell by date", 6, "date"),
  "17": fixed("expiry date", 6, "date"),
  "20": fixed("variant", 2),
  "21": variable("serial", 20),
  "22": variable("consumer product variant", 20),
  "235": variable("third party controlled serialised extension", 28),
  "30": variable("count", 8, "numeric"),
  "37": variable("count of trade items", 8, "numeric"),
  "240": variable("additional product id", 30),
  "241": variable("customer part number", 30),
  "250": variable("secondary serial", 30),
  "251": variable("reference to source entity", 30),
  // GDTI: N13 with check digit, then an optional serial component X..17.
  "253": variable("document type identifier (GDTI)", 30, "alnum", 13, 13),
  "254": variable("GLN extension", 20),
  // GCN: N13 with check digit, then an optional serial component N..12.
  "255": variable("coupon code (GCN)", 25, "numeric", 13, 13),
  "400": variable("customer purchase order", 30),
  "401": variable("consignment number", 30),
  "402": fixed("shipment id", 17, "numeric", 17),
  "403": variable("routing code", 30),
  "410": fixed("ship to GLN", 13, "numeric", 13),
  "411": fixed("bill to GLN", 13, "numeric", 13),
  "412": fixed("purchased from GLN", 13, "numeric", 13),
  "413": fixed("ship for GLN", 13, "numeric", 13),
  "414": fixed("location GLN", 13, "numeric", 13),
  "415": fixed("invoicing party GLN", 13, "numeric", 13),
  "416": fixed("production location GLN", 13, "numeric", 13),
  "417": fixed("party GLN", 13, "numeric", 13),
  "420": variable("ship to postal code", 20),
  "422": fixed("country of origin", 3),
  "7003": fixed("expiration date and time", 10, "datetime"),
  // GRAI: N14 (a leading 0 and a check digit) then an optional serial X..16.
  "8003": variable("returnable asset identifier (GRAI)", 30, "alnum", 14, 14),
  "8004": variable("individual asset identifier (GIAI)", 30),
  "8005": fixed("price per unit", 6),
  "8017": fixed("service relation number, provider (GSRN)", 18, "numeric", 18),
  "8018": fixed("service relation number, recipient (GSRN)", 18, "numeric", 18),
  "8020": variable("payment slip reference", 25),
  "90": variable("internal", 30),
};
// Measures, 310n-369n: N6, where n is the number of decimal places and only 0 to 5 exist (GS1
// General Specifications AI table). 317-319, 338-339 and 358-359 are not assigned.
for (let prefix = 310; prefix <= 369; prefix++) {
  if ((prefix >= 317 && prefix <= 319) || prefix === 338 || prefix === 339 || prefix === 358 || prefix === 359) continue;
  for (let n = 0; n <= 5; n++) AI_TABLE[`${prefix}${n}`] = fixed("measure", 6);
}
// Amounts payable (390n) and prices (392n): N..15 with n = 0..9 decimal places.
for (let n = 0; n <= 9; n++) {
  AI_TABLE[`390${n}`] = variable("amount payable", 15, "numeric");
  AI_TABLE[`392${n}`] = variable("price", 15, "numeric");
}
for (let ai = 91; ai <= 99; ai++) AI_TABLE[String(ai)] = variable("company internal", 90);

const NAMES: Record<string, string> = { "01": "GTIN", "10": "lot", "11": "production date", "15": "best-before date", "17": "expiry date", "21": "serial" };

// AIs whose first two digits are in GS1's table of predefined lengths (General Specifications
// figure 7.8.5-2): only these may be followed by the next AI without a group separator (FNC1).
// Every other AI, fixed length or not (e.g. (7003), (402), (422)), ends at a separator or the end.
const PREDEFINED_LENGTH = /^(0[0-4]|1[1-9]|20|3[1-6]|41)/;

/** The AI at the start of `text` (2, 3 or 4 digits, by the GS1 table). */
function lookupAi(text: string): { ai: string; spec: AiSpec } | undefined {
  for (const len of [2, 3, 4]) {
    const ai = text.slice(0, len);
    if (ai.length === len && /^\d+$/.test(ai) && AI_TABLE[ai]) return { ai, spec: AI_TABLE[ai]! };
  }
  return undefined;
}

function label(ai: string): string {
  return `${NAMES[ai] ?? AI_TABLE[ai]?.title ?? "element"} (${ai})`;
}

/** GS1 mod-10 check digit of the digits before the last. */
export function gs1CheckDigit(digitsWithoutCheck: string): number {
  let sum = 0;
  const n = digitsWithoutCheck.length;
  for (let i = 0; i < n; i++) {
    const d = digitsWithoutCheck.charCodeAt(n - 1 - i) - 48;
    sum += d * (i % 2 === 0 ? 3 : 1);
  }
  return (10 - (sum % 10)) % 10;
}

/** GTIN-8/12/13/14 -> 14 digits, or an error naming what is wrong. */
export function normalizeGtin(value: string, position?: number): string {
  if (!/^\d+$/.test(value)) throw new Gs1Error(`GTIN "${value}"${at(position)} must contain digits only`, position, "01");
  if (![8, 12, 13, 14].includes(value.length)) {
    throw new Gs1Error(`GTIN "${value}"${at(position)} has ${value.length} digits; a GTIN has 8, 12, 13 or 14`, position, "01");
  }
  const gtin = value.padStart(14, "0");
  const expected = gs1CheckDigit(gtin.slice(0, 13));
  const actual = Number(gtin[13]);
  if (expected !== actual) {
    throw new Gs1Error(`GTIN ${value}${at(position)} has check digit ${actual}, expected ${expected}`, position, "01");
  }
  return gtin;
}

export function isValidGtin(value: string): boolean {
  try {
    normalizeGtin(value);
    return true;
  } catch {
    return false;
  }
}

function at(position?: number): string {
  return position === undefined ? "" : ` at character ${position}`;
}

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * YYMMDD -> YYYY-MM-DD, century by GS1's sliding window. Day 00 means "no day given" and is read
 * as the month's last day, unless `allowDay00` is false (date-times, e.g. (7003)).
 */
export function gs1Date(value: string, ai: string, position: number | undefined, today: Date, allowDay00 = true): string {
  if (!/^\d{6}$/.test(value)) throw new Gs1Error(`${label(ai)}${at(position)} must be 6 digits YYMMDD, got "${value}"`, position, ai);
  const yy = Number(value.slice(0, 2));
  const month = Number(value.slice(2, 4));
  let day = Number(value.slice(4, 6));
  const currentYear = today.getUTCFullYear();
  const currentYy = currentYear % 100;
  const diff = yy - currentYy;
  let century = currentYear - currentYy;
  if (diff >= 51) century -= 100;
  else if (diff <= -50) century += 100;
  const year = century + yy;
  if (month < 1 || month > 12)
    throw new Gs1Error(`${label(ai)} ${value}${at(position)} is not a real date: month ${value.slice(2, 4)} does not exist`, position, ai);
  const last = daysInMonth(year, month);
  if (day === 0 && !allowDay00) throw new Gs1Error(`${label(ai)} ${value}${at(position)} is not a real date: day 00 is not allowed here`, position, ai);
  if (day === 0) day = last;
  else if (day > last) {
    throw new Gs1Error(`${label(ai)} ${value}${at(position)} is not a real date: ${year}-${value.slice(2, 4)} has ${last} days`, position, ai);
  }
  return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

// GS1 AI encodable character set 82 (General Specifications figure 7.11-1).
const CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]*$/;

/**
 * Whether `lot` can be carried as AI (10) batch/lot: 1 to 20 characters of GS1 AI encodable
 * character set 82 (GS1 General Specifications, AI table and figure 7.11-1). Spaces, "#", "@",
 * letters outside A-Z/a-z (umlauts) and anything longer than 20 are not.
 */
export function isValidAi10Lot(lot: string): boolean {
  return lot.length >= 1 && lot.length <= 20 && CSET82.test(lot);
}

function shown(c: string): string {
  const code = c.codePointAt(0)!;
  return code < 32 || code > 126 ? `U+${code.toString(16).toUpperCase().padStart(4, "0")}` : `"${c}"`;
}

/** Checks one AI's value against the AI table (length, character set, check digit, date). */
function checkValue(ai: string, spec: AiSpec, value: string, position: number | undefined, today: Date): void {
  if (value.length === 0) throw new Gs1Error(`${label(ai)}${at(position)} is empty`, position, ai);
  if (spec.min === spec.max && value.length < spec.min) {
    throw new Gs1Error(`${label(ai)}${at(position)} needs ${spec.min} characters, got ${value.length}: the data is truncated`, position, ai);
  }
  if (spec.min === spec.max && value.length > spec.max) {
    throw new Gs1Error(
      `${label(ai)}${at(position)} needs ${spec.max} characters, got ${value.length}: a group separator (FNC1) is missing after it, or the data is wrong`,
      position,
      ai,
    );
  }
  if (value.length > spec.max) {
    throw new Gs1Error(`${label(ai)}${at(position)} is ${value.length} characters long, at most ${spec.max} are allowed`, position, ai);
  }
  if (value.length < spec.min) throw new Gs1Error(`${label(ai)}${at(position)} needs at least ${spec.min} characters, got ${value.length}`, position, ai);
  const key = spec.checked ? value.slice(0, spec.checked) : "";
  const rest = value.slice(key.length);
  if (key && !/^\d+$/.test(key)) throw new Gs1Error(`${label(ai)}${at(position)} must start with ${spec.checked} digits, got "${key}"`, position, ai);
  if ((spec.kind === "numeric" || spec.kind === "date" || spec.kind === "datetime") && !/^\d*$/.test(rest)) {
    throw new Gs1Error(`${label(ai)}${at(position)} must be digits only, got "${value}"`, position, ai);
  }
  if (spec.kind === "alnum" && !CSET82.test(rest)) {
    const c = [...rest].find((ch) => !CSET82.test(ch))!;
    throw new Gs1Error(`${label(ai)}${at(position)} contains ${shown(c)}, which GS1 does not allow`, position, ai);
  }
  if (key) {
    const expected = gs1CheckDigit(key.slice(0, -1));
    if (Number(key[key.length - 1]) !== expected) {
      // "GTIN 09506000134353 ...": the words normalizeGtin has always used for a GTIN.
      throw new Gs1Error(
        `${ai === "01" ? "GTIN" : label(ai)} ${key}${at(position)} has check digit ${key[key.length - 1]}, expected ${expected}`,
        position,
        ai,
      );
    }
  }
  if (spec.kind === "date") gs1Date(value, ai, position, today);
  if (spec.kind === "datetime") {
    // YYMMDDhhmm: a real date (no day 00), hours 00-23, minutes 00-59.
    gs1Date(value.slice(0, 6), ai, position, today, false);
    const hh = Number(value.slice(6, 8));
    const mm = Number(value.slice(8, 10));
    if (hh > 23 || mm > 59)
      throw new Gs1Error(`${label(ai)} ${value}${at(position)} is not a real time: ${value.slice(6, 8)}:${value.slice(8, 10)}`, position, ai);
  }
}

function result(elements: Gs1Element[], format: Gs1Format, today: Date): Gs1Result {
  const out: Gs1Result = { gtin: null, lot: null, expiry: null, bestBefore: null, productionDate: null, serial: null, elements, format };
  const seen = new Map<string, Gs1Element>();
  for (const e of elements) {
    const previous = seen.get(e.ai);
    if (previous && previous.value !== e.value) {
      throw new Gs1Error(`${label(e.ai)} appears twice with different values ("${previous.value}" and "${e.value}")${at(e.position)}`, e.position, e.ai);
    }
    seen.set(e.ai, e);
    checkValue(e.ai, AI_TABLE[e.ai]!, e.value, e.position, today);
    switch (e.ai) {
      case "01":
        out.gtin = e.value;
        break;
      case "10":
        out.lot = e.value;
        break;
      case "21":
        out.serial = e.value;
        break;
      case "11":
        out.productionDate = gs1Date(e.value, e.ai, e.position, today);
        break;
      case "15":
        out.bestBefore = gs1Date(e.value, e.ai, e.position, today);
        break;
      case "17":
        out.expiry = gs1Date(e.value, e.ai, e.position, today);
        break;
    }
  }
  return out;
}

const SYMBOLOGY = /^\][A-Za-z][0-9A-Za-z]/;
// Symbology identifiers (ISO/IEC 15424) whose data is a GS1 element string: GS1-128, GS1 DataBar
// and composite, GS1 DataMatrix, GS1 QR Code, GS1 DotCode.
const GS1_SYMBOLOGIES = new Set(["]C1", "]e0", "]e1", "]e2", "]d2", "]Q3", "]J1"]);
// Plain QR Code and Data Matrix (and their ECI variants): their data is a GS1 Digital Link URI
// when it is one, never an element string.
const URI_SYMBOLOGIES = new Set(["]Q1", "]Q2", "]d1", "]d4"]);
// EAN/UPC (]E0: EAN-13 and UPC-A/UPC-E as 13 digits; ]E4: EAN-8) and ITF (]I0, ]I1: ITF-14):
// the data is a GTIN alone.
const GTIN_SYMBOLOGIES: Record<string, number[]> = { "]E0": [13], "]E4": [8], "]I0": [14], "]I1": [14] };

const isUri = (text: string) => /^https?:\/\//i.test(text);

/**
 * Parses whatever a scanner or a person typed. Throws Gs1Error saying what is wrong and where
 * (1-based character position in the input).
 */
export function parseGs1(input: string, options: ParseOptions = {}): Gs1Result {
  const today = options.today ?? new Date();
  // Keyboard-wedge scanners often end with CR/LF; people paste with spaces around.
  const leading = /^\s*/.exec(input)![0].length;
  const text = input.replace(/[\r\n]+$/, "").replace(/^\s+|\s+$/g, "");
  if (text === "") throw new Gs1Error("nothing to parse: the scanned text is empty");
  const sym = SYMBOLOGY.exec(text)?.[0];
  if (sym) {
    const data = text.slice(3);
    if (data === "") throw new Gs1Error(`the scan holds only the symbology identifier ${sym}: no data follows it`, 1);
    if (URI_SYMBOLOGIES.has(sym)) {
      if (!isUri(data))
        throw new Gs1Error(`${sym} at character 1 marks a plain QR Code or Data Matrix, and its data is not a GS1 Digital Link (https://...)`, 1);
      return result(parseDigitalLink(data, leading + 3), "GS1 Digital Link", today);
    }
    const lengths = GTIN_SYMBOLOGIES[sym];
    if (lengths) {
      if (!/^\d+$/.test(data) || !lengths.includes(data.length)) {
        throw new Gs1Error(
          `${sym} at character 1 marks an ${sym === "]E4" ? "EAN-8" : sym === "]E0" ? "EAN-13 or UPC" : "ITF-14"} barcode, which holds ${lengths.join(" or ")} digits, but "${data}" follows`,
          1,
        );
      }
      return bareGtin(data, leading + 4, today, sym);
    }
    if (!GS1_SYMBOLOGIES.has(sym)) {
      throw new Gs1Error(
        `symbology identifier ${sym} at character 1 is not a GS1 symbology (expected ]C1, ]e0, ]d2, ]Q3, ]J1, ]E0, ]E4, or ]Q1/]d1 with a Digital Link)`,
        1,
      );
    }
    return result(parseElementString(data, leading + 3), "GS1 element string", today);
  }
  if (text.startsWith("]")) throw new Gs1Error(`symbology identifier at character 1 is incomplete: "${text.slice(0, 3)}"`, 1);
  if (isUri(text)) return result(parseDigitalLink(text, leading), "GS1 Digital Link", today);
  if (text.startsWith("(")) return result(parseHumanReadable(text, leading), "GS1 (AI) text", today);
  // A handheld scanning a retail barcode sends its digits alone (no symbology identifier): 8, 12,
  // 13 or 14 digits are that GTIN, never an element string such as (400) or (21) (decision 081).
  if (/^(\d{8}|\d{12,14})$/.test(text)) return bareGtin(text, leading + 1, today);
  return result(parseElementString(text, leading), "GS1 element string", today);
}

const GTIN_FORMATS: Record<number, Gs1Format> = { 8: "EAN-8", 12: "UPC-A", 13: "EAN-13", 14: "GTIN-14" };

/** The digits of a retail barcode, alone or behind its symbology identifier `sym`. */
function bareGtin(digits: string, position: number, today: Date, sym?: string): Gs1Result {
  const format = GTIN_FORMATS[digits.length]!;
  const expected = gs1CheckDigit(digits.slice(0, -1));
  if (Number(digits[digits.length - 1]) !== expected) {
    throw new Gs1Error(
      `${digits} read as ${format === "GTIN-14" ? "a" : "an"} ${format} barcode has check digit ${digits[digits.length - 1]}, expected ${expected}` +
        (sym ? "" : " (GS1 data of this length needs its (AI) parentheses or a symbology identifier such as ]C1)"),
      position,
      "01",
    );
  }
  return result([{ ai: "01", value: digits.padStart(14, "0"), position }], format, today);
}

/** Element string (without symbology identifier): AI value [GS] AI value ... */
export function parseElementString(raw: string, offset = 0): Gs1Element[] {
  // Some scanners cannot send ASCII 29 and send a visible stand-in instead.
  const text = raw.replace(/<GS>|\{GS\}|\\x1[dD]|\\u001[dD]/g, (m) => GROUP_SEPARATOR + "\u0000".repeat(m.length - 1));
  const isSeparator = (c: string | undefined) => c === GROUP_SEPARATOR || c === "\u0000";
  const elements: Gs1Element[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (isSeparator(c)) {
      i++;
      continue;
    }
    const position = offset + i + 1;
    const found = lookupAi(text.slice(i, i + 4));
    if (!found) {
      const digits = /^\d{0,4}/.exec(text.slice(i))![0];
      if (digits.length < 2 && i + digits.length >= text.length) {
        throw new Gs1Error(`data ends inside an application identifier at character ${position}: "${text.slice(i)}" is truncated`, position);
      }
      if (digits.length < 2) throw new Gs1Error(`expected an application identifier (digits) at character ${position}, found ${shown(c)}`, position);
      throw new Gs1Error(`unknown application identifier (${digits.slice(0, 2)}) at character ${position}`, position, digits.slice(0, 2));
    }
    const { ai, spec } = found;
    const start = i + ai.length;
    let end: number;
    if (spec.min === spec.max && PREDEFINED_LENGTH.test(ai)) {
      // Predefined length: the value is exactly that long, the next AI may follow at once.
      end = Math.min(start + spec.max, text.length);
      const gs = [...text.slice(start, end)].findIndex(isSeparator);
      if (gs >= 0) end = start + gs;
    } else {
      end = start;
      while (end < text.length && !isSeparator(text[end])) end++;
    }
    const value = text.slice(start, end);
    if (value.length === 0) throw new Gs1Error(`${label(ai)}${at(position)} is empty`, position, ai);
    elements.push({ ai, value, position });
    i = end;
  }
  if (elements.length === 0) throw new Gs1Error("no GS1 element found: the text holds only separators");
  return elements;
}

/** Human-readable form: (01)09506000134352(17)260331(10)ABC123 */
export function parseHumanReadable(text: string, offset = 0): Gs1Element[] {
  const elements: Gs1Element[] = [];
  let i = 0;
  while (i < text.length) {
    while (text[i] === " ") i++;
    if (i >= text.length) break;
    const position = offset + i + 1;
    if (text[i] !== "(") throw new Gs1Error(`expected "(" opening an application identifier at character ${position}, found "${text[i]}"`, position);
    const close = text.indexOf(")", i);
    if (close < 0) throw new Gs1Error(`application identifier opened at character ${position} is never closed with ")"`, position);
    const ai = text.slice(i + 1, close);
    if (!/^\d{2,4}$/.test(ai)) throw new Gs1Error(`"(${ai})" at character ${position} is not an application identifier (2 to 4 digits)`, position);
    if (!AI_TABLE[ai]) throw new Gs1Error(`unknown application identifier (${ai}) at character ${position}`, position, ai);
    // The value runs to the next "(" that opens a known-looking AI, or to the end.
    let end = close + 1;
    for (;;) {
      const next = text.indexOf("(", end);
      if (next < 0) {
        end = text.length;
        break;
      }
      if (/^\(\d{2,4}\)/.test(text.slice(next))) {
        end = next;
        break;
      }
      end = next + 1;
    }
    const value = text.slice(close + 1, end).replace(/ +$/, "");
    if (value.length === 0) throw new Gs1Error(`${label(ai)}${at(position)} is empty`, position, ai);
    elements.push({ ai, value, position });
    i = end;
  }
  return elements;
}

// GS1 Digital Link primary keys this app reads, each with its key qualifiers: the path after the
// key holds some of one list's qualifiers, in that list's order (GS1 Digital Link URI syntax).
const DL_PRIMARY_KEYS: Record<string, string[][]> = {
  "01": [["22", "10", "21"], ["235"]],
  "00": [[]],
  "253": [[]],
  "255": [[]],
  "401": [[]],
  "402": [[]],
  "414": [["254"]],
  "417": [[]],
  "8003": [[]],
  "8004": [[]],
  "8017": [[]],
  "8018": [[]],
};
// Deprecated convenience alphas of GS1 Digital Link 1.0 still printed on older labels.
const DL_ALPHAS: Record<string, string> = { gtin: "01", cpv: "22", lot: "10", ser: "21", sscc: "00", gln: "414" };

/** Whether `qualifiers`, in this order, is an allowed path after the primary key `key`. */
function isQualifierPath(key: string, qualifiers: string[]): boolean {
  return (DL_PRIMARY_KEYS[key] ?? []).some((list) => {
    let from = 0;
    for (const q of qualifiers) {
      const k = list.indexOf(q, from);
      if (k < 0) return false;
      from = k + 1;
    }
    return true;
  });
}

// Characters allowed anywhere in a URI (RFC 3986: unreserved, reserved and "%").
const URI_CHARACTERS = /^[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]*$/;
// URI characters that cannot be part of a host name.
const BAD_HOST_CHARACTERS = /[_~?#@!$&'()*+,;=%]/;

/**
 * GS1 Digital Link: http(s)://host/[stem/]<key>/<value>[/<qualifier>/<value>...][?<AI>=<value>&...]
 * The primary key is the rightmost key in the path whose pairs after it are all AIs, so a stem
 * may itself contain "/01/". `offset` is the number of characters before `text` in the input.
 */
export function parseDigitalLink(text: string, offset = 0): Gs1Element[] {
  const pos = (index: number) => offset + index + 1;
  if (!URI_CHARACTERS.test(text)) {
    const index = [...text].findIndex((c) => !URI_CHARACTERS.test(c));
    const c = [...text][index]!;
    throw new Gs1Error(`GS1 Digital Link contains ${shown(c)}${at(pos(index))}, which a URI cannot contain`, pos(index));
  }
  const scheme = /^https?:\/\//i.exec(text)![0];
  const slash = text.indexOf("/", scheme.length);
  const host = text.slice(scheme.length, slash < 0 ? text.length : slash);
  if (host === "" || slash < 0) throw new Gs1Error(`GS1 Digital Link ${text} has no ${host === "" ? "domain" : "path"}`, pos(scheme.length));
  const badHost = BAD_HOST_CHARACTERS.exec(host);
  if (badHost)
    throw new Gs1Error(
      `GS1 Digital Link domain "${host}" contains "${badHost[0]}"${at(pos(scheme.length + badHost.index))}`,
      pos(scheme.length + badHost.index),
    );
  // Path info up to "?" or "#"; the query up to "#"; the fragment is ignored.
  const hash = text.indexOf("#", slash);
  const body = hash < 0 ? text : text.slice(0, hash);
  const question = body.indexOf("?", slash);
  const path = question < 0 ? body.slice(slash) : body.slice(slash, question);
  const query = question < 0 ? "" : body.slice(question + 1);

  // Path segments with their start index in `text`.
  const segments: { s: string; index: number }[] = [];
  let next = slash + 1;
  for (const s of path.slice(1).split("/")) {
    segments.push({ s, index: next });
    next += s.length + 1;
  }
  const aiOf = (s: string): string | undefined => (/^\d{2,4}$/.test(s) && AI_TABLE[s] ? s : Object.hasOwn(DL_ALPHAS, s) ? DL_ALPHAS[s] : undefined);
  // From the end, pair by pair, back to the rightmost primary key.
  let root = -1;
  for (let k = segments.length - 2; k >= 0; k -= 2) {
    const ai = aiOf(segments[k]!.s);
    if (!ai) break;
    if (DL_PRIMARY_KEYS[ai]) {
      root = k;
      break;
    }
  }
  if (root < 0) {
    const hint = path.endsWith("/") ? ' (its path ends with "/")' : path.includes("//") ? ' (its path has an empty segment "//")' : "";
    throw new Gs1Error(`GS1 Digital Link ${text} has no GS1 key such as /01/<GTIN> followed only by AI/value pairs in its path${hint}`, pos(slash));
  }
  const elements: Gs1Element[] = [];
  for (let k = root; k < segments.length; k += 2) {
    const ai = aiOf(segments[k]!.s)!;
    const position = pos(segments[k]!.index);
    const raw = segments[k + 1]!;
    if (raw.s === "") throw new Gs1Error(`${label(ai)}${at(position)} has an empty value in the Digital Link path`, position, ai);
    let value = decode(raw.s, pos(raw.index), false);
    // A GTIN-13/12/8 in the path is that GTIN (decision 081).
    if (ai === "01" && /^(\d{8}|\d{12,13})$/.test(value)) value = value.padStart(14, "0");
    elements.push({ ai, value, position });
  }
  const key = elements[0]!.ai;
  const qualifiers = elements.slice(1).map((e) => e.ai);
  if (!isQualifierPath(key, qualifiers)) {
    const allowed = (DL_PRIMARY_KEYS[key] ?? [])
      .map((l) => l.map((q) => `(${q})`).join(", "))
      .filter(Boolean)
      .join(" or ");
    throw new Gs1Error(
      `the Digital Link path after (${key}) holds ${qualifiers.map((q) => `(${q})`).join(", ")}: ${allowed ? `only ${allowed} may follow (${key}) there, in that order` : `nothing may follow (${key}) there`}`,
      elements[1]?.position,
      elements[1]?.ai,
    );
  }
  let index = question + 1;
  for (const param of query.split("&")) {
    const here = index;
    index += param.length + 1;
    const eq = param.indexOf("=");
    if (param === "" || eq < 0) continue; // empty parameters and singletons carry no AI
    const name = param.slice(0, eq);
    if (!/^\d+$/.test(name)) continue; // linkType and other non-AI attributes
    const position = pos(here);
    if (!AI_TABLE[name]) throw new Gs1Error(`unknown application identifier (${name}) in the query${at(position)}`, position, name);
    const raw = param.slice(eq + 1);
    if (raw === "") throw new Gs1Error(`${label(name)}${at(position)} is empty in the Digital Link query`, position, name);
    let value = decode(raw, pos(here + eq + 1), true);
    if (name === "01" && /^(\d{8}|\d{12,13})$/.test(value)) value = value.padStart(14, "0");
    if (elements.some((e) => e.ai === name)) throw new Gs1Error(`${label(name)} appears twice in the Digital Link${at(position)}`, position, name);
    // A key qualifier belongs in the path. A lot (10) in the query is read all the same when the
    // path has none: labels print it there, and the lot is what receiving needs (decision 081).
    const belongsInPath = [...Array(qualifiers.length + 1).keys()].some((k) => isQualifierPath(key, [...qualifiers.slice(0, k), name, ...qualifiers.slice(k)]));
    if (belongsInPath && !(name === "10" && key === "01")) {
      throw new Gs1Error(
        `${label(name)}${at(position)} is a key qualifier of (${key}) and belongs in the Digital Link path (/${key}/.../${name}/...), not in its query`,
        position,
        name,
      );
    }
    elements.push({ ai: name, value, position });
  }
  return elements;
}

/** Percent-decoding (and "+" as a space in a query, as HTML forms encode it). */
function decode(raw: string, position: number, query: boolean): string {
  let value: string;
  try {
    value = decodeURIComponent(query ? raw.replace(/\+/g, " ") : raw);
  } catch {
    throw new Gs1Error(`bad percent-encoding "${raw}" at character ${position}`, position);
  }
  if (value.includes("\u0000")) throw new Gs1Error(`"${raw}" at character ${position} decodes to a NUL character`, position);
  return value;
}

/** The fields the CLI and the Receive page show ({gtin, lot, expiry, bestBefore, productionDate, serial}). */
export function gs1Summary(r: Gs1Result): Gs1Data {
  return { gtin: r.gtin, lot: r.lot, expiry: r.expiry, bestBefore: r.bestBefore, productionDate: r.productionDate, serial: r.serial };
}

/** What the scan was, for a message: "EAN-13 4006381333931", "GS1 Digital Link", ... */
export function describeScan(r: Gs1Result): string {
  if (r.format === "EAN-13" || r.format === "EAN-8" || r.format === "UPC-A" || r.format === "GTIN-14") {
    const digits = { "EAN-13": 13, "EAN-8": 8, "UPC-A": 12, "GTIN-14": 14 }[r.format];
    return `${r.format} ${r.gtin!.slice(14 - digits)}`;
  }
  return r.format;
}

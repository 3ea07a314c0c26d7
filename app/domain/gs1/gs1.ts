// GS1 barcode data as scanners deliver it: element strings (with or without a symbology
// identifier, variable fields ended by the group separator ASCII 29), the human-readable form
// with parentheses, and GS1 Digital Link URIs. Pure TypeScript with no Node-only imports: the
// admin Receive page runs this same parser in the browser.
//
// References: GS1 General Specifications (AI table, section 3; century of YYMMDD dates 7.12),
// GS1 Digital Link URI syntax 1.x.
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

export interface Gs1Result extends Gs1Data {
  /** Every element read, in order, including AIs this app does not use (e.g. (30) count). */
  elements: Gs1Element[];
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

type Kind = "numeric" | "alnum" | "date";
interface AiSpec {
  title: string;
  kind: Kind;
  /** Fixed length, or the maximum for variable-length fields. */
  length: number;
  fixed: boolean;
}

const fixed = (title: string, length: number, kind: Kind = "numeric"): AiSpec => ({ title, kind, length, fixed: true });
const variable = (title: string, length: number, kind: Kind = "alnum"): AiSpec => ({ title, kind, length, fixed: false });

// The AIs a scanner at a receiving dock meets. Anything else is reported as unknown rather than
// guessed at: guessing the length of an unknown AI would misread every element after it.
const AI_TABLE: Record<string, AiSpec> = {
  "00": fixed("SSCC", 18),
  "01": fixed("GTIN", 14),
  "02": fixed("content GTIN", 14),
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
  "30": variable("count", 8, "numeric"),
  "37": variable("count of trade items", 8, "numeric"),
  "240": variable("additional product id", 30),
  "241": variable("customer part number", 30),
  "250": variable("secondary serial", 30),
  "251": variable("reference to source entity", 30),
  "400": variable("customer purchase order", 30),
  "401": variable("consignment number", 30),
  "402": fixed("shipment id", 17),
  "403": variable("routing code", 30),
  "410": fixed("ship to GLN", 13),
  "411": fixed("bill to GLN", 13),
  "412": fixed("purchased from GLN", 13),
  "413": fixed("ship for GLN", 13),
  "414": fixed("location GLN", 13),
  "415": fixed("invoicing party GLN", 13),
  "416": fixed("production location GLN", 13),
  "420": variable("ship to postal code", 20),
  "422": fixed("country of origin", 3),
  "7003": fixed("expiration date and time", 10),
  "8005": fixed("price per unit", 6),
  "90": variable("internal", 30),
};
// Measures (310n-369n, n = decimal places): fixed 6 digits.
for (let prefix = 310; prefix <= 369; prefix++) {
  for (let n = 0; n <= 9; n++) AI_TABLE[`${prefix}${n}`] = fixed("measure", 6);
}
for (let ai = 91; ai <= 99; ai++) AI_TABLE[String(ai)] = variable("company internal", 90);

const NAMES: Record<string, string> = { "01": "GTIN", "10": "lot", "11": "production date", "15": "best-before date", "17": "expiry date", "21": "serial" };

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

/** YYMMDD -> YYYY-MM-DD (day 00 = last day of the month; century by GS1's sliding window). */
export function gs1Date(value: string, ai: string, position: number | undefined, today: Date): string {
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
  if (month < 1 || month > 12) throw new Gs1Error(`${label(ai)} ${value}${at(position)} is not a real date: month ${value.slice(2, 4)} does not exist`, position, ai);
  const last = daysInMonth(year, month);
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

function checkValue(ai: string, spec: AiSpec, value: string, position: number): void {
  if (value.length === 0) throw new Gs1Error(`${label(ai)}${at(position)} is empty`, position, ai);
  if (spec.fixed && value.length !== spec.length) {
    throw new Gs1Error(`${label(ai)}${at(position)} needs ${spec.length} characters, got ${value.length}: the data is truncated`, position, ai);
  }
  if (!spec.fixed && value.length > spec.length) {
    throw new Gs1Error(`${label(ai)}${at(position)} is ${value.length} characters long, at most ${spec.length} are allowed`, position, ai);
  }
  if ((spec.kind === "numeric" || spec.kind === "date") && !/^\d+$/.test(value)) {
    throw new Gs1Error(`${label(ai)}${at(position)} must be digits only, got "${value}"`, position, ai);
  }
  if (spec.kind === "alnum" && !CSET82.test(value)) {
    const c = [...value].find((ch) => !CSET82.test(ch))!;
    const code = c.codePointAt(0)!;
    const shown = code < 32 || code > 126 ? `U+${code.toString(16).toUpperCase().padStart(4, "0")}` : `"${c}"`;
    throw new Gs1Error(`${label(ai)}${at(position)} contains ${shown}, which GS1 does not allow`, position, ai);
  }
}

function result(elements: Gs1Element[], today: Date): Gs1Result {
  const out: Gs1Result = { gtin: null, lot: null, expiry: null, bestBefore: null, productionDate: null, serial: null, elements };
  const seen = new Map<string, Gs1Element>();
  for (const e of elements) {
    const previous = seen.get(e.ai);
    if (previous && previous.value !== e.value) {
      throw new Gs1Error(`${label(e.ai)} appears twice with different values ("${previous.value}" and "${e.value}")${at(e.position)}`, e.position, e.ai);
    }
    seen.set(e.ai, e);
    switch (e.ai) {
      case "01":
        out.gtin = normalizeGtin(e.value, e.position);
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
      default:
        if (AI_TABLE[e.ai]!.kind === "date") gs1Date(e.value, e.ai, e.position, today);
    }
  }
  return out;
}

const SYMBOLOGY = /^\][A-Za-z][0-9A-Za-z]/;
// Symbology identifiers that carry GS1 data (ISO/IEC 15424): GS1-128, DataBar, GS1 DataMatrix,
// GS1 QR Code, GS1 DotCode, composite.
const GS1_SYMBOLOGIES = new Set(["]C1", "]e0", "]e1", "]e2", "]d2", "]Q3", "]J1"]);

/**
 * Parses whatever a scanner or a person typed. Throws Gs1Error saying what is wrong and where
 * (1-based character position in the input).
 */
export function parseGs1(input: string, options: ParseOptions = {}): Gs1Result {
  const today = options.today ?? new Date();
  // Keyboard-wedge scanners often end with CR/LF; people paste with spaces around.
  const text = input.replace(/[\r\n]+$/, "").replace(/^\s+|\s+$/g, "");
  if (text === "") throw new Gs1Error("nothing to parse: the scanned text is empty");
  if (/^https?:\/\//i.test(text)) return result(parseDigitalLink(text), today);
  if (text.startsWith("(")) return result(parseHumanReadable(text), today);
  return result(parseElementString(text), today);
}

/** Element string: [symbology id] AI value [GS] AI value ... */
export function parseElementString(raw: string): Gs1Element[] {
  let text = raw;
  let offset = 0; // characters removed from the front, for positions in the original input
  const sym = SYMBOLOGY.exec(text);
  if (sym) {
    if (!GS1_SYMBOLOGIES.has(sym[0])) {
      throw new Gs1Error(`symbology identifier ${sym[0]} at character 1 is not a GS1 symbology (expected ]C1, ]d2, ]Q3, ]e0 or ]J1)`, 1);
    }
    text = text.slice(3);
    offset = 3;
  } else if (text.startsWith("]")) {
    throw new Gs1Error(`symbology identifier at character 1 is incomplete: "${text.slice(0, 3)}"`, 1);
  }
  // Some scanners cannot send ASCII 29 and send a visible stand-in instead.
  text = text.replace(/<GS>|\{GS\}|\\x1[dD]|\\u001[dD]/g, (m) => GROUP_SEPARATOR + "\u0000".repeat(m.length - 1));
  const elements: Gs1Element[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === GROUP_SEPARATOR || c === "\u0000") {
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
      if (digits.length < 2) throw new Gs1Error(`expected an application identifier (digits) at character ${position}, found "${c}"`, position);
      throw new Gs1Error(`unknown application identifier (${digits.slice(0, 2)}) at character ${position}`, position, digits.slice(0, 2));
    }
    const { ai, spec } = found;
    const start = i + ai.length;
    let value: string;
    if (spec.fixed) {
      value = text.slice(start, start + spec.length);
      if (value.includes(GROUP_SEPARATOR)) value = value.slice(0, value.indexOf(GROUP_SEPARATOR));
      i = start + value.length;
    } else {
      let end = text.indexOf(GROUP_SEPARATOR, start);
      if (end < 0) end = text.length;
      value = text.slice(start, end);
      i = end;
    }
    checkValue(ai, spec, value, position);
    elements.push({ ai, value, position });
  }
  if (elements.length === 0) throw new Gs1Error("no GS1 element found: the text holds only separators");
  return elements;
}

/** Human-readable form: (01)09506000134352(17)260331(10)ABC123 */
export function parseHumanReadable(text: string): Gs1Element[] {
  const elements: Gs1Element[] = [];
  let i = 0;
  while (i < text.length) {
    while (text[i] === " ") i++;
    if (i >= text.length) break;
    const position = i + 1;
    if (text[i] !== "(") throw new Gs1Error(`expected "(" opening an application identifier at character ${position}, found "${text[i]}"`, position);
    const close = text.indexOf(")", i);
    if (close < 0) throw new Gs1Error(`application identifier opened at character ${position} is never closed with ")"`, position);
    const ai = text.slice(i + 1, close);
    if (!/^\d{2,4}$/.test(ai)) throw new Gs1Error(`"(${ai})" at character ${position} is not an application identifier (2 to 4 digits)`, position);
    const spec = AI_TABLE[ai];
    if (!spec) throw new Gs1Error(`unknown application identifier (${ai}) at character ${position}`, position, ai);
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
    const value = text.slice(close + 1, end).trim();
    checkValue(ai, spec, value, position);
    elements.push({ ai, value, position });
    i = end;
  }
  return elements;
}

/** GS1 Digital Link: https://host/[prefix/]01/<gtin>[/22/<cpv>][/10/<lot>][/21/<serial>][?17=YYMMDD&...] */
export function parseDigitalLink(text: string): Gs1Element[] {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Gs1Error(`"${text}" is not a valid URL`);
  }
  const segments = url.pathname.split("/").filter((s) => s !== "");
  const start = segments.findIndex((s, idx) => (s === "01" || s === "gtin") && idx + 1 < segments.length);
  if (start < 0) throw new Gs1Error(`GS1 Digital Link ${text} has no /01/<GTIN> in its path`);
  const elements: Gs1Element[] = [];
  const pathPosition = text.indexOf(url.pathname) + 1;
  const positionOf = (segmentIndex: number) => pathPosition + segments.slice(0, segmentIndex).reduce((n, s) => n + s.length + 1, 1);
  for (let k = start; k < segments.length; k += 2) {
    const ai = segments[k] === "gtin" ? "01" : segments[k]!;
    const position = positionOf(k);
    const raw = segments[k + 1];
    if (raw === undefined) throw new Gs1Error(`GS1 Digital Link path ends after (${ai}) at character ${position}: its value is missing`, position, ai);
    if (!["01", "22", "10", "21", "235"].includes(ai)) {
      throw new Gs1Error(`(${ai}) at character ${position} is not allowed in a GS1 Digital Link path after /01/ (only 22, 10 and 21)`, position, ai);
    }
    const value = decode(raw, position);
    if (ai === "01") {
      elements.push({ ai, value: normalizeGtin(value, position), position });
      continue;
    }
    const spec = AI_TABLE[ai];
    if (!spec) throw new Gs1Error(`unknown application identifier (${ai}) at character ${position}`, position, ai);
    checkValue(ai, spec, value, position);
    elements.push({ ai, value, position });
  }
  for (const [key, rawValue] of url.searchParams) {
    if (!/^\d+$/.test(key)) continue; // linkType and other non-AI attributes
    const position = text.indexOf(`${key}=`, text.indexOf("?")) + 1 || undefined;
    const spec = AI_TABLE[key];
    if (!spec) throw new Gs1Error(`unknown application identifier (${key}) in the query${at(position)}`, position, key);
    checkValue(key, spec, rawValue, position ?? 0);
    elements.push({ ai: key, value: rawValue, position: position ?? 0 });
  }
  return elements;
}

function decode(raw: string, position: number): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new Gs1Error(`bad percent-encoding "${raw}" at character ${position}`, position);
  }
}

/** The fields the CLI and the Receive page show ({gtin, lot, expiry, bestBefore, productionDate, serial}). */
export function gs1Summary(r: Gs1Result): Gs1Data {
  return { gtin: r.gtin, lot: r.lot, expiry: r.expiry, bestBefore: r.bestBefore, productionDate: r.productionDate, serial: r.serial };
}

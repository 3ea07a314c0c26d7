// A small RFC 4180 CSV reader: quoted fields with "" escapes, commas and line breaks inside
// quotes, CRLF or LF line ends, a UTF-8 byte order mark. Spreadsheets in many European locales
// save with ";" as separator; the header line decides. Incremental (CsvReader takes the text in
// pieces as it arrives, so a file is refused at its first bad byte or at the row over the limit,
// not after reading all of it) and strict about encoding: bytes that are not UTF-8 are an error
// naming what the file looks like. Pure: used by the import and its tests.
import { DomainError } from "../errors";

export class CsvError extends DomainError {
  override name = "CsvError";
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

export interface CsvRecord {
  /** 1-based record number as a spreadsheet shows it (the header is record 1). */
  row: number;
  /** 1-based line where the record starts (differs from row when quoted fields span lines). */
  line: number;
  fields: string[];
}

export function detectDelimiter(text: string): "," | ";" | "\t" {
  const firstLine = text.slice(0, text.search(/\r?\n|$/));
  const count = (c: string) => firstLine.split(c).length - 1;
  if (count(";") > count(",") && count(";") >= count("\t")) return ";";
  if (count("\t") > count(",")) return "\t";
  return ",";
}

export interface CsvReaderOptions {
  /** Separator; by default detected from the first line. */
  delimiter?: string;
  /** Most records (the header included) the file may have: one more is a CsvError at once. */
  maxRecords?: number;
  /** The message of that error (default: "more than N rows"). */
  tooManyRecords?: (max: number) => string;
}

/**
 * Reads CSV text given in pieces (`write`), then `end()`. Each call returns the records completed
 * by that piece. A quote or line end split across two pieces is read as if it were one text.
 */
export class CsvReader {
  private delimiter: string | undefined;
  private pending = ""; // text held back until the first line is complete (delimiter detection)
  private started = false;
  private records = 0;
  private fields: string[] = [];
  private field = "";
  private line = 1;
  private recordLine = 1;
  private quoted = false;
  private fieldStarted = false;
  /** The previous piece ended on a quote inside a quoted field, or on a CR: decided by the next character. */
  private quoteEnd = false;
  private afterCr = false;

  constructor(private readonly options: CsvReaderOptions = {}) {
    this.delimiter = options.delimiter;
  }

  write(text: string): CsvRecord[] {
    if (!this.started) {
      this.pending += text;
      this.pending = this.pending.replace(/^\uFEFF/, "");
      if (this.delimiter === undefined && !/[\r\n]/.test(this.pending)) return [];
      this.delimiter ??= detectDelimiter(this.pending);
      this.started = true;
      text = this.pending;
      this.pending = "";
    }
    const out: CsvRecord[] = [];
    this.scan(text, out);
    return out;
  }

  end(): CsvRecord[] {
    const out: CsvRecord[] = [];
    if (!this.started) {
      this.delimiter ??= detectDelimiter(this.pending);
      this.started = true;
      this.scan(this.pending, out);
      this.pending = "";
    }
    if (this.quoteEnd) {
      this.quoteEnd = false;
      this.quoted = false;
    }
    if (this.quoted) throw new CsvError(`line ${this.recordLine}: a quoted field is never closed (missing ")`, this.recordLine);
    if (this.field !== "" || this.fields.length > 0 || this.fieldStarted) this.endRecord(out);
    return out;
  }

  private endField(): void {
    this.fields.push(this.field);
    this.field = "";
    this.fieldStarted = false;
  }

  private endRecord(out: CsvRecord[]): void {
    this.endField();
    // A blank line is not a record (common at the end of files).
    if (!(this.fields.length === 1 && this.fields[0] === "")) {
      this.records++;
      const max = this.options.maxRecords;
      if (max !== undefined && this.records > max) {
        throw new CsvError(this.options.tooManyRecords?.(max) ?? `line ${this.recordLine}: the file has more than ${max} rows`, this.recordLine);
      }
      out.push({ row: this.records, line: this.recordLine, fields: this.fields });
    }
    this.fields = [];
  }

  private scan(text: string, out: CsvRecord[]): void {
    const delimiter = this.delimiter!;
    let i = 0;
    if (this.afterCr) {
      this.afterCr = false;
      if (text[0] === "\n") i = 1;
    }
    while (i < text.length) {
      const c = text[i]!;
      if (this.quoteEnd) {
        // The character after a quote inside a quoted field: "" is a quote, else the field closed.
        this.quoteEnd = false;
        if (c === '"') {
          this.field += '"';
          i++;
          continue;
        }
        this.quoted = false;
        if (c !== delimiter && c !== "\r" && c !== "\n") {
          throw new CsvError(`line ${this.line}: unexpected character after a closing quote (a quote inside a quoted field must be doubled: "")`, this.line);
        }
        continue;
      }
      if (this.quoted) {
        if (c === '"') {
          this.quoteEnd = true;
          i++;
          continue;
        }
        if (c === "\n") this.line++;
        this.field += c;
        i++;
        continue;
      }
      if (c === '"') {
        if (this.fieldStarted || this.field !== "")
          throw new CsvError(`line ${this.line}: a quote inside an unquoted field; quote the whole field and double the quote ("")`, this.line);
        this.quoted = true;
        this.fieldStarted = true;
        i++;
        continue;
      }
      if (c === delimiter) {
        this.endField();
        i++;
        continue;
      }
      if (c === "\r" || c === "\n") {
        this.endRecord(out);
        if (c === "\r") {
          if (i + 1 === text.length) this.afterCr = true;
          else if (text[i + 1] === "\n") i++;
        }
        i++;
        this.line++;
        this.recordLine = this.line;
        continue;
      }
      this.field += c;
      i++;
    }
  }
}

export function parseCsv(input: string, delimiter?: string, options: Omit<CsvReaderOptions, "delimiter"> = {}): CsvRecord[] {
  const reader = new CsvReader({ ...options, delimiter });
  const records = reader.write(input);
  for (const r of reader.end()) records.push(r);
  return records;
}

/**
 * What bytes that are not UTF-8 most likely are, for the error message: UTF-16 (a byte order
 * mark, or NUL bytes between letters), else Windows-1252 / Latin-1 (what Excel on Windows and
 * older Macs save as "CSV").
 */
function guessEncoding(bytes: Uint8Array): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return "UTF-16";
  const sample = bytes.subarray(0, 4096);
  if (sample.length >= 2 && sample.filter((b) => b === 0).length * 4 >= sample.length) return "UTF-16";
  return "Windows-1252 / Latin-1";
}

/** The line number and a readable rendering of the first byte that is not UTF-8 in `bytes`. */
function firstBadByte(bytes: Uint8Array): { offset: number; line: number } {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let lo = 0;
  let hi = bytes.length;
  // The longest valid prefix, by bisection (a decode per step; only on the error path).
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    try {
      decoder.decode(bytes.subarray(0, mid), { stream: true });
      decoder.decode(); // reset
      lo = mid;
    } catch {
      hi = mid;
    }
  }
  let line = 1;
  for (let i = 0; i < lo; i++) if (bytes[i] === 0x0a) line++;
  return { offset: lo, line };
}

export function notUtf8Error(bytes: Uint8Array, lineOffset = 0): CsvError {
  const encoding = guessEncoding(bytes);
  const { offset, line } = firstBadByte(bytes);
  const at = lineOffset + line;
  const byte = bytes[offset];
  const shown =
    encoding.startsWith("Windows") && byte !== undefined ? ` ("${new TextDecoder("windows-1252").decode(bytes.subarray(offset, offset + 1))}")` : "";
  return new CsvError(
    `line ${at}: the file is not UTF-8 (byte 0x${(byte ?? 0).toString(16).toUpperCase().padStart(2, "0")}${shown}): it looks like ${encoding}. Save it as "CSV UTF-8" (Excel: Save As, CSV UTF-8; Numbers and LibreOffice: character set UTF-8) and import it again`,
    at,
  );
}

/** Bytes of a CSV file: all at once, or as they arrive (a Node stream, a web ReadableStream). */
export type CsvSource = Uint8Array | AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;

/**
 * The text of CSV bytes as they arrive (a web upload's stream, a file's read stream): decoded as
 * UTF-8 strictly (the first byte that is not is a CsvError naming the encoding the file seems to
 * be in), records counted as they complete (one over `maxRecords` is a CsvError at once, the rest
 * of the file unread). Returns the whole text for the import.
 */
export async function readCsvText(source: CsvSource, options: Omit<CsvReaderOptions, "delimiter"> = {}): Promise<string> {
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });
  const reader = new CsvReader(options);
  const parts: string[] = [];
  let lines = 0; // complete lines before the current chunk, for the error's line number
  let first = true;
  const take = (chunk: Uint8Array, last: boolean) => {
    if (first && chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))) throw notUtf8Error(chunk);
    first = first && chunk.length === 0;
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: !last });
    } catch {
      throw notUtf8Error(chunk, lines);
    }
    for (let i = 0; i < chunk.length; i++) if (chunk[i] === 0x0a) lines++;
    parts.push(text);
    reader.write(text);
  };
  if (source instanceof Uint8Array) take(source, true);
  else if ("getReader" in source) {
    const stream = source.getReader();
    try {
      for (let next = await stream.read(); !next.done; next = await stream.read()) take(next.value, false);
    } finally {
      await stream.cancel().catch(() => undefined); // a refused file is not read further
    }
    take(new Uint8Array(0), true);
  } else {
    for await (const chunk of source) take(chunk, false);
    take(new Uint8Array(0), true);
  }
  reader.end();
  return parts.join("");
}

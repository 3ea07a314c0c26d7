// A small RFC 4180 CSV reader: quoted fields with "" escapes, commas and line breaks inside
// quotes, CRLF or LF line ends, a UTF-8 byte order mark. Spreadsheets in many European locales
// save with ";" as separator; the header line decides. Pure: used by the import and its tests.
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

export function parseCsv(input: string, delimiter: string = detectDelimiter(input.replace(/^\uFEFF/, ""))): CsvRecord[] {
  const text = input.replace(/^\uFEFF/, "");
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = "";
  let i = 0;
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let fieldStarted = false;
  const endField = () => {
    fields.push(field);
    field = "";
    fieldStarted = false;
  };
  const endRecord = () => {
    endField();
    // A blank line is not a record (common at the end of files).
    if (!(fields.length === 1 && fields[0] === "")) records.push({ row: records.length + 1, line: recordLine, fields });
    fields = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i++;
        const next = text[i];
        if (next !== undefined && next !== delimiter && next !== "\r" && next !== "\n") {
          throw new CsvError(`line ${line}: unexpected character after a closing quote (a quote inside a quoted field must be doubled: "")`, line);
        }
        continue;
      }
      if (c === "\n") line++;
      field += c;
      i++;
      continue;
    }
    if (c === '"') {
      if (fieldStarted || field !== "") throw new CsvError(`line ${line}: a quote inside an unquoted field; quote the whole field and double the quote ("")`, line);
      quoted = true;
      fieldStarted = true;
      i++;
      continue;
    }
    if (c === delimiter) {
      endField();
      i++;
      continue;
    }
    if (c === "\r" || c === "\n") {
      endRecord();
      i += c === "\r" && text[i + 1] === "\n" ? 2 : 1;
      line++;
      recordLine = line;
      continue;
    }
    field += c;
    i++;
  }
  if (quoted) throw new CsvError(`line ${recordLine}: a quoted field is never closed (missing ")`, recordLine);
  if (field !== "" || fields.length > 0 || fieldStarted) endRecord();
  return records;
}

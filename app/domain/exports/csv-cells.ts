// The one rule against spreadsheet formula injection (OWASP "CSV Injection") for every CSV the app
// writes. A cell someone typed (a customer's address, a merchant's lot number or SKU, a recall
// reference) that a spreadsheet would read as a formula gets a leading apostrophe, which Excel,
// LibreOffice and Google Sheets show as text and do not run:
//   - it starts with = + - @, a tab or a carriage return (OWASP's list),
//   - or with whitespace and then one of = + - @ (some spreadsheets trim leading blanks), or their
//     full-width forms ＝ ＋ － ＠ (Excel reads them as formulas in East Asian locales).
// A phone column is left as it is when it is a plain phone number: an optional "+", digits, spaces
// and ( ) . - / only ("+49 30 1234567", "(555) 123-4567"): no function, no reference, no link can
// hide in that. Anything else there ("+1+HYPERLINK(...)", "=1+1") is neutralised like any text.
// Quoting (commas, quotes, line breaks inside a cell) is the CSV writer's job (Postgres COPY ...
// FORMAT csv for the recall export), so a payload cannot open a new cell either.
//
// The exports are streamed by Postgres itself (COPY ... TO STDOUT), so the rule is an SQL
// expression built here and applied to every column a CSV does not generate itself.

/** POSIX (Postgres ARE) pattern of a cell a spreadsheet would run as a formula. */
export const FORMULA_CELL_PATTERN = "^([\\t\\r]|[[:space:]]*[-=+@＝＋－＠])";
/** A plain phone number: optional +, then digits, spaces and ( ) . - / (at least one digit first or after "("). */
export const PLAIN_PHONE_PATTERN = "^[+]?[(]?[0-9][0-9 ()./-]*$";

/** First characters worth the pattern test: the formula characters and whitespace (a cheap check first, for speed). */
const FIRST_CHARACTERS = ["=", "+", "-", "@", "＝", "＋", "－", "＠", " ", "\t", "\r", "\n", "\u00a0", "\u3000"];

export type CsvCellKind = "text" | "phone";

const literal = (s: string) => `'${s.replace(/'/g, "''")}'`;

/**
 * SQL for the cell of a typed-in value `expr` (any text expression; null stays null): the value,
 * or an apostrophe and the value when a spreadsheet would read it as a formula.
 */
export function csvCellSql(expr: string, kind: CsvCellKind = "text"): string {
  const first = FIRST_CHARACTERS.map((c) => (c.charCodeAt(0) < 32 ? `chr(${c.charCodeAt(0)})` : literal(c))).join(", ");
  const formula = `left(${expr}, 1) in (${first}) and (${expr}) ~ ${literal(FORMULA_CELL_PATTERN)}`;
  const risky = kind === "phone" ? `${formula} and (${expr}) !~ ${literal(PLAIN_PHONE_PATTERN)}` : formula;
  return `(case when ${risky} then '''' || (${expr}) else (${expr}) end)`;
}

/**
 * The same rule in JavaScript, for the small CSVs built in memory (a pick list): the cell of a
 * typed-in value with the apostrophe when a spreadsheet would run it, quoted as RFC 4180 asks
 * (commas, quotes and line breaks stay inside the cell). `\s` covers at least what [[:space:]]
 * does, so this never lets through what the SQL form would neutralise.
 */
const FORMULA_CELL = /^([\t\r]|\s*[-=+@＝＋－＠])/u;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "";
  let text = String(value);
  if (typeof value === "string" && FORMULA_CELL.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV record, ended by a line feed as Postgres COPY ends the recall export's. */
export function csvRecord(values: readonly (string | number | null | undefined)[]): string {
  return values.map(csvCell).join(",") + "\n";
}

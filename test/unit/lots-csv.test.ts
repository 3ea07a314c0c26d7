import { describe, expect, it } from "vitest";
import { CsvError, parseCsv } from "../../app/domain/lots/csv";

describe("parseCsv (RFC 4180)", () => {
  it("reads quoted fields with commas, doubled quotes and line breaks, CRLF line ends", () => {
    const records = parseCsv('a,b,c\r\n1,"x, y","say ""hi"""\r\n2,"two\r\nlines",\r\n');
    expect(records.map((r) => r.fields)).toEqual([
      ["a", "b", "c"],
      ["1", "x, y", 'say "hi"'],
      ["2", "two\r\nlines", ""],
    ]);
    expect(records.map((r) => [r.row, r.line])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
  });

  it("handles LF, a byte order mark, a last line without a line end and blank lines", () => {
    expect(parseCsv("\uFEFFa,b\n\n1,2").map((r) => r.fields)).toEqual([
      ["a", "b"],
      ["1", "2"],
    ]);
  });

  it("detects the semicolon separator of European spreadsheets", () => {
    expect(parseCsv("lot;quantity\nA,1;5\n").map((r) => r.fields)).toEqual([
      ["lot", "quantity"],
      ["A,1", "5"],
    ]);
  });

  it("refuses an unterminated quote and a stray quote, naming the line", () => {
    expect(() => parseCsv('a,b\n1,"open\n')).toThrow(new CsvError('line 2: a quoted field is never closed (missing ")', 2));
    expect(() => parseCsv('a,b\n1,x"y\n')).toThrow(/line 2: a quote inside an unquoted field/);
    expect(() => parseCsv('a,b\n1,"x"y\n')).toThrow(/line 2: unexpected character after a closing quote/);
  });
});

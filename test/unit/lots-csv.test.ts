import { describe, expect, it } from "vitest";
import { CsvError, CsvReader, parseCsv, readCsvText } from "../../app/domain/lots/csv";

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

  it('reads the same records when the text arrives in pieces, split anywhere (inside quotes, between "" and CR LF)', () => {
    const text = '\uFEFFlot;qty;note\r\nA;1;"say ""hi""; ok"\r\n"B\r\nC";2;\r\n\r\nD;3;"x"';
    const whole = parseCsv(text);
    for (let cut = 0; cut <= text.length; cut++) {
      const reader = new CsvReader();
      const records = [...reader.write(text.slice(0, cut)), ...reader.write(text.slice(cut)), ...reader.end()];
      expect(records, `split at ${cut}`).toEqual(whole);
    }
    const reader = new CsvReader();
    expect([...[...text].flatMap((c) => reader.write(c)), ...reader.end()]).toEqual(whole);
  });
});

describe("readCsvText (bytes as they arrive)", () => {
  async function* pieces(bytes: Uint8Array, size: number, pulled?: { n: number }) {
    for (let i = 0; i < bytes.length; i += size) {
      if (pulled) pulled.n++;
      yield bytes.subarray(i, i + size);
    }
  }
  const utf8 = (s: string) => new TextEncoder().encode(s);

  it("decodes UTF-8 split inside a character; a byte order mark is dropped", async () => {
    const text = "lot,note\nL-1,Crème brûlée ✓ 日本\n";
    expect(await readCsvText(pieces(utf8("\uFEFF" + text), 1))).toBe(text);
    expect(await readCsvText(utf8(text))).toBe(text);
  });

  it("refuses a Latin-1 / Windows-1252 file, naming the encoding, the line and the character", async () => {
    const latin1 = Uint8Array.from([...utf8("lot,supplier\nL-1,Acme\nL-2,Caf"), 0xe9, ...utf8(" du Nord\n")]);
    await expect(readCsvText(pieces(latin1, 8))).rejects.toThrow(
      /^line 3: the file is not UTF-8 \(byte 0xE9 \("é"\)\): it looks like Windows-1252 \/ Latin-1\. Save it as "CSV UTF-8"/,
    );
    await expect(readCsvText(latin1)).rejects.toBeInstanceOf(CsvError);
  });

  it("refuses a UTF-16 file as UTF-16", async () => {
    const utf16 = Uint8Array.from([0xff, 0xfe, ...[..."lot,qty\n"].flatMap((c) => [c.charCodeAt(0), 0])]);
    await expect(readCsvText(pieces(utf16, 4))).rejects.toThrow(/looks like UTF-16/);
  });

  it("stops at the record over the limit without reading the rest of the file", async () => {
    const big = utf8("lot,qty\n" + Array.from({ length: 10_000 }, (_, i) => `L-${i},1\n`).join(""));
    const pulled = { n: 0 };
    await expect(
      readCsvText(pieces(big, 100, pulled), { maxRecords: 101, tooManyRecords: (max) => `more than ${max - 1} rows; split the file` }),
    ).rejects.toThrow("more than 100 rows; split the file");
    expect(pulled.n).toBeLessThan(big.length / 100 / 10);
    expect((await readCsvText(pieces(big, 100), { maxRecords: 10_001 })).length).toBe(big.length);
  });
});

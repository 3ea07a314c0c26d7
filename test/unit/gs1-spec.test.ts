// GS1 rules the parser follows, each written from the standard (GS1 General Specifications 3 (AI
// table), 5.10 and 7.8.5 (element strings, FNC1, predefined lengths), 7.9 (check digits), 7.11
// (character set 82), 7.12 (dates); GS1 Digital Link URI syntax (primary keys, key qualifiers,
// data attributes); ISO/IEC 15424 symbology identifiers). Check digits below were computed by hand
// with the mod-10 algorithm (weights 3,1,3,... from the right).
import { describe, expect, it } from "vitest";
import { describeScan, type Gs1Result } from "../../app/domain/gs1/gs1";
import { GS, gs1Reader } from "../helpers/gs1";

const { parse, refused } = gs1Reader(new Date("2026-06-15T12:00:00Z"));
const pairs = (r: Gs1Result) => r.elements.map((e) => [e.ai, e.value]);

describe("symbology identifiers (ISO/IEC 15424)", () => {
  it.each(["]Q1", "]d1"])("reads a Digital Link behind %s (plain QR Code / Data Matrix)", (sym) => {
    const r = parse(`${sym}https://brand.example/01/04006381333931/10/L-26?17=270131`);
    expect(r.format).toBe("GS1 Digital Link");
    expect([r.gtin, r.lot, r.expiry]).toEqual(["04006381333931", "L-26", "2027-01-31"]);
    expect(r.elements[0]!.position).toBe(4 + "https://brand.example/".length);
  });

  it("reads a Digital Link with an upper-case scheme behind ]Q1", () => {
    expect(parse("]Q1HTTPS://brand.example/01/04006381333931").gtin).toBe("04006381333931");
  });

  it("refuses ]Q1 text that is not a Digital Link: a plain QR Code carries no element string", () => {
    expect(refused("]Q1010400638133393110ABC").message).toMatch(/not a GS1 Digital Link/);
  });

  it.each(["]C1", "]e0", "]d2", "]Q3", "]J1"])("reads an element string behind %s", (sym) => {
    const r = parse(`${sym}0104006381333931${"10"}B7${GS}17270131`);
    expect([r.gtin, r.lot, r.expiry]).toEqual(["04006381333931", "B7", "2027-01-31"]);
  });

  it("reads ]E0 EAN-13, ]E4 EAN-8 and ]I1 ITF-14 as the GTIN they carry, check digit verified", () => {
    expect(parse("]E04006381333931").gtin).toBe("04006381333931");
    expect(parse("]E440123455").gtin).toBe("00000040123455");
    expect(parse("]I114006381333938").gtin).toBe("14006381333938");
    expect(refused("]E04006381333932").message).toBe("4006381333932 read as an EAN-13 barcode has check digit 2, expected 1");
    expect(refused("]E0400638133393").message).toMatch(/]E0 at character 1 marks an EAN-13 or UPC barcode, which holds 13 digits/);
  });

  it("refuses a symbology identifier with no data after it", () => {
    expect(refused("]C1").message).toMatch(/only the symbology identifier/);
  });
});

describe("bare retail barcodes: what a handheld sends for EAN-13, EAN-8, UPC-A, ITF-14", () => {
  it.each([
    ["4006381333931", "04006381333931", "EAN-13", "EAN-13 4006381333931"],
    ["40123455", "00000040123455", "EAN-8", "EAN-8 40123455"],
    ["036000291452", "00036000291452", "UPC-A", "UPC-A 036000291452"],
    ["14006381333938", "14006381333938", "GTIN-14", "GTIN-14 14006381333938"],
  ])("%s is a GTIN (%s), not an element string", (digits, gtin, format, described) => {
    const r = parse(digits);
    expect(r.gtin).toBe(gtin);
    expect(r.format).toBe(format);
    expect(pairs(r)).toEqual([["01", gtin]]);
    expect(describeScan(r)).toBe(described);
  });

  it("reads 4006381333931 as a GTIN, not as (400) purchase order 6381333931", () => {
    const r = parse("4006381333931\r\n");
    expect(r.elements.map((e) => e.ai)).toEqual(["01"]);
  });

  it("refuses bare digits with a wrong check digit instead of reading them as other AIs", () => {
    const e = refused("4006381333932");
    expect(e.message).toBe(
      "4006381333932 read as an EAN-13 barcode has check digit 2, expected 1 (GS1 data of this length needs its (AI) parentheses or a symbology identifier such as ]C1)",
    );
  });

  it("still reads the same digits as an element string when they say so", () => {
    expect(pairs(parse("]C14006381333932"))).toEqual([["400", "6381333932"]]);
    expect(pairs(parse("(400)6381333932"))).toEqual([["400", "6381333932"]]);
  });
});

describe("check digits on every GS1 key that has one (General Specifications 7.9)", () => {
  it.each([
    ["00", "SSCC", "340123450000000017", "340123450000000018"],
    ["01", "GTIN", "04006381333931", "04006381333930"],
    ["02", "content GTIN", "04006381333931", "04006381333932"],
    ["402", "shipment id", "40123450000000016", "40123450000000017"],
    ["410", "ship to GLN", "4012345000016", "4012345000017"],
    ["411", "bill to GLN", "4012345000016", "4012345000010"],
    ["412", "purchased from GLN", "4012345000016", "4012345000011"],
    ["413", "ship for GLN", "4012345000016", "4012345000012"],
    ["414", "location GLN", "4012345000016", "4012345000013"],
    ["415", "invoicing party GLN", "4012345000016", "4012345000014"],
    ["416", "production location GLN", "4012345000016", "4012345000015"],
    ["417", "party GLN", "4012345000016", "4012345000018"],
    ["8018", "GSRN", "401234500000000012", "401234500000000013"],
  ])("(%s) %s: accepts %s, refuses %s", (ai, _title, good, bad) => {
    expect(pairs(parse(`(${ai})${good}`))).toEqual([[ai, good]]);
    const e = refused(`(${ai})${bad}`);
    const named = ai === "01" ? "GTIN" : `\\(${ai}\\)`;
    expect(e.message).toMatch(new RegExp(`${named} ${bad} at character 1 has check digit ${bad.at(-1)}, expected ${good.at(-1)}`));
    expect(e.ai).toBe(ai);
  });

  it("checks the key part of (253) GDTI and (255) GCN and keeps their serial component", () => {
    expect(pairs(parse("(253)4012345000016DOC-7"))).toEqual([["253", "4012345000016DOC-7"]]);
    expect(refused("(253)4012345000015DOC-7").message).toMatch(/\(253\) 4012345000015 at character 1 has check digit 5, expected 6/);
    expect(pairs(parse("(255)4012345000016123"))).toEqual([["255", "4012345000016123"]]);
    expect(refused("(255)4012345000019").message).toMatch(/check digit 9, expected 6/);
    expect(refused("(255)4012345000016AB").message).toMatch(/digits only/);
  });
});

describe("dates and date-times (General Specifications 7.12)", () => {
  it("reads (7003) YYMMDDhhmm and refuses an hour, minute or day that does not exist", () => {
    expect(pairs(parse(`]C10104006381333931${"7003"}2701312359`))).toEqual([
      ["01", "04006381333931"],
      ["7003", "2701312359"],
    ]);
    expect(refused("(7003)2701312400").message).toMatch(/\(7003\) 2701312400 at character 1 is not a real time: 24:00/);
    expect(refused("(7003)2701311060").message).toMatch(/not a real time: 10:60/);
    expect(refused("(7003)2702291200").message).toMatch(/2027-02 has 28 days/);
    expect(refused("(7003)2701001200").message).toMatch(/day 00 is not allowed/);
  });

  it("reads day 00 of a YYMMDD date as the month's last day, for every date AI", () => {
    expect(parse("(01)04006381333931(17)280200").expiry).toBe("2028-02-29");
    expect(parse("(01)04006381333931(15)270400").bestBefore).toBe("2027-04-30");
    expect(parse("(01)04006381333931(11)260100").productionDate).toBe("2026-01-31");
    expect(pairs(parse("(01)04006381333931(16)261100"))).toEqual([
      ["01", "04006381333931"],
      ["16", "261100"],
    ]);
  });
});

describe("measures 310n-369n: n is the decimal places, 0 to 5 (AI table)", () => {
  it.each(["3100", "3105", "3205", "3375", "3695"])("accepts (%s)", (ai) => {
    expect(pairs(parse(`(01)04006381333931(${ai})001250`))[1]).toEqual([ai, "001250"]);
  });

  it.each(["3106", "3109", "3209", "3176"])("refuses (%s): no such AI", (ai) => {
    expect(refused(`(01)04006381333931(${ai})001250`).message).toBe(`unknown application identifier (${ai}) at character 19`);
  });
});

describe("fixed and variable lengths, FNC1 (General Specifications 7.8.5)", () => {
  it("lets the next AI follow a predefined-length AI without a separator, and tolerates one", () => {
    expect(pairs(parse("]C101040063813339311727013110L1"))).toEqual([
      ["01", "04006381333931"],
      ["17", "270131"],
      ["10", "L1"],
    ]);
    expect(pairs(parse(`]C10104006381333931${GS}17270131${GS}10L1`))).toEqual([
      ["01", "04006381333931"],
      ["17", "270131"],
      ["10", "L1"],
    ]);
  });

  it("requires a separator after a fixed-length AI that is not in the predefined table ((422), (7003), (8005))", () => {
    expect(pairs(parse(`]C1422276${GS}10L1`))).toEqual([
      ["422", "276"],
      ["10", "L1"],
    ]);
    expect(refused("]C142227610L1").message).toMatch(
      /country of origin \(422\) at character 4 needs 3 characters, got 7: a group separator \(FNC1\) is missing/,
    );
  });

  it("ends a variable-length value at the separator or the end of data, and refuses one that is too long", () => {
    expect(pairs(parse(`]C110L1${GS}21S9`))).toEqual([
      ["10", "L1"],
      ["21", "S9"],
    ]);
    expect(refused(`]C110${"A".repeat(21)}`).message).toBe("lot (10) at character 4 is 21 characters long, at most 20 are allowed");
    expect(refused(`]C130123456789`).message).toMatch(/count \(30\) at character 4 is 9 characters long, at most 8/);
  });

  it("refuses a predefined-length value cut short by a separator", () => {
    expect(refused(`]C101040063813339${GS}10L1`).message).toMatch(/GTIN \(01\) at character 4 needs 14 characters, got 12: the data is truncated/);
  });
});

describe("character set 82 for lots and other alphanumeric AIs (General Specifications 7.11)", () => {
  it("accepts every character of the set", () => {
    expect(parse(`(01)04006381333931(10)aZ09!"%&'*+,-./:;`).lot).toBe(`aZ09!"%&'*+,-./:;`);
    expect(parse(`(01)04006381333931(10)<=>?_()`).lot).toBe(`<=>?_()`);
  });

  it.each([
    ["AB CD", '" "'],
    ["AB#CD", '"#"'],
    ["AB@CD", '"@"'],
    ["MÜSLI", "U+00DC"],
    ["AB~CD", '"~"'],
  ])("refuses %s in a lot", (lot, shown) => {
    expect(refused(`(01)04006381333931(10)${lot}`).message).toBe(`lot (10) at character 19 contains ${shown}, which GS1 does not allow`);
  });
});

describe("GS1 Digital Link URI syntax", () => {
  it("takes the rightmost primary key when a path prefix itself contains /01/", () => {
    const r = parse("https://shop.example/01/catalog/01/04006381333931/10/L-26");
    expect(pairs(r)).toEqual([
      ["01", "04006381333931"],
      ["10", "L-26"],
    ]);
  });

  it("reads key qualifiers only in their order 22, 10, 21 after (01)", () => {
    expect(pairs(parse("https://id.example/01/04006381333931/22/V1/10/L1/21/S1"))).toEqual([
      ["01", "04006381333931"],
      ["22", "V1"],
      ["10", "L1"],
      ["21", "S1"],
    ]);
    expect(refused("https://id.example/01/04006381333931/21/S1/10/L1").message).toMatch(
      /holds \(21\), \(10\): only \(22\), \(10\), \(21\) or \(235\) may follow \(01\) there, in that order/,
    );
    expect(refused("https://id.example/01/04006381333931/17/270131").message).toMatch(/holds \(17\)/);
  });

  it("reads data attributes from the query, '+' as a space, and ignores non-AI parameters and the fragment", () => {
    const r = parse("https://id.example/01/04006381333931/10/L1?linkType=gs1:pip&17=270131&3103=001250#top");
    expect(pairs(r)).toEqual([
      ["01", "04006381333931"],
      ["10", "L1"],
      ["17", "270131"],
      ["3103", "001250"],
    ]);
    expect(refused("https://id.example/01/04006381333931?99=A+B").message).toMatch(/contains " "/);
  });

  it("refuses a serial (21) in the query: key qualifiers belong in the path", () => {
    expect(refused("https://id.example/01/04006381333931?21=S1").message).toMatch(
      /serial \(21\) at character \d+ is a key qualifier of \(01\) and belongs in the Digital Link path/,
    );
  });

  it("refuses the same AI twice, even with the same value", () => {
    expect(refused("https://id.example/01/04006381333931?17=270131&17=270131").message).toMatch(/expiry date \(17\) appears twice/);
  });

  it("does not take a path word that names an object property for an AI", () => {
    expect(refused("https://id.example/constructor/04006381333931").message).toMatch(/has no GS1 key/);
  });

  it("refuses characters no URI may hold, an empty path segment and a trailing slash", () => {
    expect(refused("https://id.example/01/04006381333931/10/A B").message).toMatch(/contains " " at character 42, which a URI cannot contain/);
    expect(refused("https://id.example/01//04006381333931").message).toMatch(/empty segment/);
    expect(refused("https://id.example/01/04006381333931/").message).toMatch(/ends with "\/"/);
  });

  it("refuses a percent-encoded NUL and a bad percent escape", () => {
    expect(refused("https://id.example/01/04006381333931/10/A%00B").message).toMatch(/NUL/);
    expect(refused("https://id.example/01/04006381333931/10/A%G1").message).toMatch(/bad percent-encoding/);
  });

  it("reads an SSCC or a GLN as the primary key", () => {
    expect(pairs(parse("https://id.example/00/340123450000000017"))).toEqual([["00", "340123450000000017"]]);
    expect(pairs(parse("https://id.example/414/4012345000016/254/DOCK-3"))).toEqual([
      ["414", "4012345000016"],
      ["254", "DOCK-3"],
    ]);
  });
});

// Reading scans in the GS1 unit tests: the parser with a fixed "today" (dates are checked against
// it), and the Gs1Error a text that must be refused throws.
import { expect } from "vitest";
import { Gs1Error, parseGs1, type Gs1Result } from "../../app/domain/gs1/gs1";

export const GS = "\u001d";

export function gs1Reader(today: Date) {
  const parse = (text: string): Gs1Result => parseGs1(text, { today });
  const refused = (text: string): Gs1Error => {
    try {
      parse(text);
    } catch (error) {
      expect(error).toBeInstanceOf(Gs1Error);
      return error as Gs1Error;
    }
    throw new Error(`expected ${JSON.stringify(text)} to be refused`);
  };
  return { parse, refused };
}

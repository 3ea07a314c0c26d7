import { CliError, UsageError, type Command } from "../command";
import { Gs1Error, gs1Summary, parseGs1 } from "../../domain/gs1/gs1";

export const gs1Parse: Command = {
  name: "gs1 parse",
  summary: "Parse a scanned GS1 barcode (element string, (AI) text or Digital Link URI)",
  usage: `lotkeeper gs1 parse <text>

Reads an element string (optionally with a symbology identifier ]C1, ]d2, ]Q3, ]e0 and group
separators, ASCII 29 or the stand-in <GS>), the human-readable form "(01)...(10)...", a GS1
Digital Link URI (also behind ]Q1 or ]d1), or the digits of a retail barcode alone (EAN-13,
UPC-A, EAN-8, GTIN-14: a GTIN). Prints {"gtin","lot","expiry","bestBefore","productionDate",
"serial"}, dates as YYYY-MM-DD and absent fields as null. Invalid data (a check digit of any GS1
key, a date or time, a length, an unknown AI, truncation) fails with a message naming the element
and its character position.

Example: lotkeeper gs1 parse '(01)09506000134352(17)261130(10)ABC123'`,
  async run(args) {
    if (args.positionals.length === 0) throw new UsageError("give the scanned text: lotkeeper gs1 parse <text>");
    const text = args.positionals.join(" ");
    try {
      return gs1Summary(parseGs1(text));
    } catch (error) {
      if (error instanceof Gs1Error) throw new CliError(`gs1: ${error.message}`);
      throw error;
    }
  },
};

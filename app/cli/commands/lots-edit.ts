import { type Command } from "../command";
import { updateLot } from "../../domain/lots/edit-lot.server";
import type { LotPatchInput } from "../../domain/lots/lot-rules";
import { requireShopId } from "../shop-option";
import { lotFrom, lotOptions, shopOption } from "./lots-shared";

const FIELDS: [string, keyof LotPatchInput][] = [
  ["new-lot", "lotNumber"],
  ["expires", "expiresOn"],
  ["best-before", "bestBeforeOn"],
  ["produced", "producedOn"],
  ["supplier", "supplier"],
  ["supplier-lot", "supplierLot"],
  ["po", "purchaseOrder"],
  ["cost", "unitCost"],
  ["currency", "currency"],
  ["notes", "notes"],
];

export const lotsEdit: Command = {
  name: "lots edit",
  summary: "Complete or correct a lot's attributes (number, dates, supplier, cost); marks it complete",
  usage: `lotkeeper lots edit --shop <domain> --lot <number> [--variant <id>] [--new-lot <number>]
                    [--expires YYYY-MM-DD] [--best-before YYYY-MM-DD] [--produced YYYY-MM-DD]
                    [--supplier s] [--supplier-lot x] [--po p] [--cost 1.25] [--currency EUR] [--notes t]

Only the options given change; an empty value ("") clears a field. Quantities never change here.
Typical use: complete a lot that reconciliation created (UNLOTTED-YYYYMMDD, "incomplete": true).`,
  options: { ...shopOption, ...lotOptions, ...Object.fromEntries(FIELDS.map(([flag]) => [flag, { type: "string" as const }])) },
  async run(args) {
    const shopId = await requireShopId(args);
    const lotId = await lotFrom(args, shopId);
    const input: LotPatchInput = {};
    for (const [flag, key] of FIELDS) {
      const value = args.values[flag];
      if (typeof value === "string") input[key] = value;
    }
    return updateLot(shopId, lotId, input);
  },
};

import type { Command } from "../command";
import { UsageError, requireString } from "../command";
import { requireShopId, requireShopifyId } from "../shop-option";
import { produceLot } from "../../domain/genealogy/genealogy.server";
import { parseInputSpec, parseProductionKind } from "../../domain/genealogy/production-rules";

export const lotsProduce: Command = {
  name: "lots produce",
  summary: "Record a production run (kit, assembly, repack): input lots consumed, output lot made",
  usage: `lotkeeper lots produce --shop <domain> --kind kit|assembly|repack --output-variant <id> --output-lot <number>
                        --quantity <q> --location <id> --input <lot>[@<variant id>]:<qty> [--input ...]
                        [--expires YYYY-MM-DD] [--reference <text>]

Takes <qty> units of each input lot at the location (ledger CONSUMED) and adds <q> units to the
output lot (ledger PRODUCED), creating it if new (expiry: --expires, else the earliest input
expiry). The run is the genealogy edge used by forward and backward traces and by recalls.
A lot number on several variants needs @<variant id>. Quarantined or recalled inputs are refused.
Prints {"runId", "kind", "output": {...}, "inputs": [{lotNumber, quantity, balanceAfter}]}.`,
  options: {
    shop: { type: "string" },
    kind: { type: "string" },
    "output-variant": { type: "string" },
    "output-lot": { type: "string" },
    quantity: { type: "string" },
    location: { type: "string" },
    input: { type: "string", multiple: true },
    expires: { type: "string" },
    reference: { type: "string" },
  },
  async run(args) {
    const shopId = await requireShopId(args);
    const inputs = (args.values.input as unknown as string[] | undefined) ?? [];
    if (inputs.length === 0) throw new UsageError("at least one --input <lot>[@<variant id>]:<qty> is required");
    const quantityText = requireString(args, "quantity");
    if (!/^\d+$/.test(quantityText)) throw new UsageError(`--quantity must be a positive whole number, got "${quantityText}"`);
    const request = {
      kind: parseProductionKind(requireString(args, "kind")),
      outputVariantId: requireShopifyId(args, "output-variant"),
      outputLotNumber: requireString(args, "output-lot"),
      quantity: Number(quantityText),
      locationId: requireShopifyId(args, "location"),
      inputs: inputs.map(parseInputSpec),
      expiresOn: typeof args.values.expires === "string" ? args.values.expires : undefined,
      reference: typeof args.values.reference === "string" ? args.values.reference : undefined,
    };
    return produceLot(shopId, request, "CLI");
  },
};

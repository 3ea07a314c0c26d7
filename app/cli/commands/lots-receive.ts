import { CliError, optionalString, type Command } from "../command";
import { pool } from "../../db.server";
import { receiveLot } from "../../domain/lots/receive-lot.server";
import { findVariantByGtin } from "../../domain/catalog/catalog.server";
import { mergeScan, type ReceiptInput } from "../../domain/lots/lot-rules";
import { Gs1Error, parseGs1 } from "../../domain/gs1/gs1";
import { requireShopId } from "../shop-option";
import { shopOption } from "./lots-shared";

export const lotsReceive: Command = {
  name: "lots receive",
  summary: "Receive units into a lot (created on first receipt; lot number generated when omitted)",
  usage: `lotkeeper lots receive --shop <domain> --variant <id> --quantity <n> --location <id> [--lot <number>]
                       [--expires YYYY-MM-DD] [--best-before YYYY-MM-DD] [--produced YYYY-MM-DD]
                       [--supplier <name>] [--supplier-lot <code>] [--po <reference>]
                       [--cost <amount>] [--currency <ISO code>] [--notes <text>] [--gtin <digits>]
                       [--scan <GS1 barcode text>] [--bin <code>]

--scan fills the lot, dates and GTIN from a GS1 barcode (see lotkeeper gs1 parse) and, without
--variant, finds the variant whose Shopify barcode is that GTIN. A typed value that contradicts
the scan is refused.
Without --lot the number is generated from the shop's pattern (default {YYYYMMDD}-{PO}-{SEQ}).
Receiving an existing lot number of the same variant again adds units when the dates agree and is
refused when they conflict. Shopify's available quantity at the location is raised by a queued,
idempotent inventoryAdjustQuantities (reason "received").
--bin puts the lot's units at the location in that bin (see lotkeeper lots bin); without it the
balance keeps the bin it has.
Prints {"lotId","lotNumber","created","locationId","locationName","quantity","balanceAfter",...}.`,
  options: {
    ...shopOption,
    variant: { type: "string" },
    lot: { type: "string" },
    quantity: { type: "string" },
    location: { type: "string" },
    expires: { type: "string" },
    "best-before": { type: "string" },
    produced: { type: "string" },
    supplier: { type: "string" },
    "supplier-lot": { type: "string" },
    po: { type: "string" },
    cost: { type: "string" },
    currency: { type: "string" },
    notes: { type: "string" },
    gtin: { type: "string" },
    scan: { type: "string" },
    bin: { type: "string" },
  },
  async run(args) {
    const shopId = await requireShopId(args);
    const s = (name: string) => optionalString(args, name) ?? null;
    let input: ReceiptInput = {
      variantId: s("variant") ?? "",
      lotNumber: typeof args.values.lot === "string" ? args.values.lot : null,
      quantity: s("quantity") ?? "",
      locationId: s("location") ?? "",
      expiresOn: s("expires"),
      bestBeforeOn: s("best-before"),
      producedOn: s("produced"),
      supplier: s("supplier"),
      supplierLot: s("supplier-lot"),
      purchaseOrder: s("po"),
      unitCost: s("cost"),
      currency: s("currency"),
      notes: s("notes"),
      gtin: s("gtin"),
      bin: s("bin"),
    };
    const scanText = typeof args.values.scan === "string" ? args.values.scan : undefined;
    if (scanText !== undefined) {
      let scan;
      try {
        scan = parseGs1(scanText);
      } catch (error) {
        if (error instanceof Gs1Error) throw new CliError(`--scan: ${error.message}`);
        throw error;
      }
      input = mergeScan(input, scan);
      if (!input.variantId && scan.gtin) input.variantId = String(await findVariantByGtin(pool(), shopId, scan.gtin));
    }
    return receiveLot(shopId, input, { cause: "CLI", causeRef: "cli" });
  },
};

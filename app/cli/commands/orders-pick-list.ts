// `lotkeeper orders pick-list`: what the picker takes, lot by lot, for one order or for every open
// order at a location (README "Pick lists"). Read-only: nothing is locked, reserved or moved; lines
// with reservations are listed on their reserved lots (README "Reservations").
import { writeFile } from "node:fs/promises";
import { optionalString, requireString, UsageError, type Command } from "../command";
import { optionalShopifyId, requireShopDomain, requireShopId } from "../shop-option";
import { pickListCsv, pickListForLocation, pickListForOrder } from "../../domain/picking/pick-list.server";
import { parsePickListPaper, pickListPdf, PICK_LIST_PAPERS } from "../../domain/picking/pick-list-pdf.server";

export const ordersPickList: Command = {
  name: "orders pick-list",
  summary: "The pick list of an order or of every open order at a location: which lot to take each unit from",
  usage: `lotkeeper orders pick-list --shop <domain> (--order <id or name> [--location <id>] | --location <id> --open)
                           [--format json|csv | --format pdf --out <file.pdf> [--paper a4|letter]]

--order: one order (Shopify id or name, "#1001"). It is picked at the location of its open
  fulfilment, else where its units are reserved; give --location when the app knows neither.
--location <id> --open: every open order (not cancelled, units left to fulfil) planned at that
  location, oldest order first; units planned for one order are not planned for the next.
Each unit is planned as the allocation would take it when it ships (the shop's strategy, FEFO by
default, the product's override, the minimum shelf life) over the lot balances on hand today:
units reserved for a line are its rows (basis "reservations"), units reserved for other orders
are never planned.
json (default): {location, orders, basis, generatedAt, rows: [{orderId, orderName, lineItemId,
  variantId, sku, title, lotId, lotNumber, expiresOn, bin, quantity, status}], lots: [{lotId,
  lotNumber, expiresOn, bin, totalQuantity, rows}], totals: {quantity, toPick, noLotAvailable,
  manual, notLotTracked}}. status: pick | no-lot-available (the shortfall) | manual | not-lot-tracked.
csv: order_name,line_item_id,sku,title,lot_number,expiry_date,bin,quantity,status.
pdf: the same rows grouped by bin then lot with each lot's total and the list's totals, a header
  (shop, location, date) on every page, as many pages as the list needs; A4 unless --paper letter.
  Written to --out; prints {"file","pages","rows"}.`,
  options: {
    shop: { type: "string" },
    order: { type: "string" },
    location: { type: "string" },
    open: { type: "boolean" },
    format: { type: "string" },
    out: { type: "string" },
    paper: { type: "string" },
  },
  async run(args) {
    const shopId = await requireShopId(args);
    const format = optionalString(args, "format") ?? "json";
    if (format !== "json" && format !== "csv" && format !== "pdf") throw new UsageError(`--format must be json, csv or pdf, got "${format}"`);
    const paperText = optionalString(args, "paper") ?? "a4";
    const paper = parsePickListPaper(paperText);
    if (paper === null) throw new UsageError(`--paper must be ${PICK_LIST_PAPERS.join(" or ")}, got "${paperText}"`);
    // A PDF is not text for a terminal: like lots label, it goes to a file.
    const out = format === "pdf" ? requireString(args, "out") : undefined;
    const order = optionalString(args, "order");
    const locationId = optionalShopifyId(args, "location");
    if (order !== undefined && args.values.open === true) throw new UsageError("give either --order <id or name> or --location <id> --open, not both");
    let list;
    if (order !== undefined) list = await pickListForOrder(shopId, order, locationId);
    else if (locationId !== undefined && args.values.open === true) list = await pickListForLocation(shopId, locationId);
    else throw new UsageError("give --order <id or name>, or --location <id> --open");
    if (format === "json") return list;
    if (out !== undefined) {
      const rendered = await pickListPdf(list, { shop: requireShopDomain(args), paper });
      await writeFile(out, rendered.pdf);
      return { file: out, pages: rendered.pages, rows: list.rows.length };
    }
    process.stdout.write(pickListCsv(list));
    return undefined;
  },
};

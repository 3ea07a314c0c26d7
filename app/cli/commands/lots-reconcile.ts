import { CliError, UsageError, type Command } from "../command";
import { listDiscrepancies, resolveDiscrepancy } from "../../domain/reconcile/reconcile.server";
import { runShopReconciliation } from "../../domain/reconcile/bulk-reconcile.server";
import { BULK_RECONCILE_MIN_LEVELS } from "../../domain/reconcile/reconcile-rules";
import { ShopifyAdminError } from "../../lib/shopify-admin.server";
import { requireShopId } from "../shop-option";
import { shopOption } from "./lots-shared";
import { parseId } from "../../lib/ids";

export const lotsReconcile: Command = {
  name: "lots reconcile",
  summary: "Compare Shopify's on_hand with the lots now (incomplete lots, discrepancies)",
  usage: `lotkeeper lots reconcile --shop <domain> [--bulk | --paging]

What the periodic job does, for one shop, now. Units Shopify has that no lot explains become an
incomplete lot UNLOTTED-<date>; units the lots have and Shopify lacks become a discrepancy.
A shop with fewer than ${BULK_RECONCILE_MIN_LEVELS} levels (lot-tracked items x active locations) is read page by
page and prints {"mode":"paging","levels":[{"variantId","locationId","shopifyOnHand","lotsOnHand","decision"}]}
for the levels that needed an action. A larger one starts a Shopify bulk query and prints
{"mode":"bulk","bulk":{"id","state",...},"started"}; the worker applies the result when Shopify
sends bulk_operations/finish (or its poll finds the query done). --bulk / --paging force a mode.`,
  options: { ...shopOption, bulk: { type: "boolean" }, paging: { type: "boolean" } },
  async run(args) {
    const shopId = await requireShopId(args);
    if (args.values.bulk && args.values.paging) throw new UsageError("--bulk and --paging exclude each other");
    try {
      return await runShopReconciliation(shopId, args.values.bulk ? "bulk" : args.values.paging ? "paging" : "auto");
    } catch (error) {
      if (error instanceof ShopifyAdminError) throw new CliError(`reconciliation needs Shopify: ${error.message}`);
      throw error;
    }
  },
};

export const lotsDiscrepancies: Command = {
  name: "lots discrepancies",
  summary: "Open discrepancies: units the lots have and Shopify lacks",
  usage: `lotkeeper lots discrepancies --shop <domain>

Prints {"discrepancies":[{"id","variantId","sku","locationId","locationName","shopifyOnHand","lotsOnHand","missingUnits"}]}.
Resolve one by adjusting or counting the lot (lots adjust / lots count) or by correcting Shopify;
reconciliation closes it when the two agree, or close it by hand with lots resolve-discrepancy.`,
  options: { ...shopOption },
  async run(args) {
    return { discrepancies: await listDiscrepancies(await requireShopId(args)) };
  },
};

export const lotsResolveDiscrepancy: Command = {
  name: "lots resolve-discrepancy",
  summary: "Mark a discrepancy resolved",
  usage: `lotkeeper lots resolve-discrepancy --shop <domain> --id <discrepancy id>`,
  options: { ...shopOption, id: { type: "string" } },
  async run(args) {
    const shopId = await requireShopId(args);
    const id = args.values.id;
    const discrepancyId = typeof id === "string" ? parseId(id) : null;
    if (discrepancyId === null) throw new UsageError("--id <discrepancy id> is required");
    if (!(await resolveDiscrepancy(shopId, discrepancyId))) throw new CliError(`no open discrepancy ${id} in this shop`);
    return { resolved: id };
  },
};

import { CliError, UsageError, type Command } from "../command";
import { listDiscrepancies, reconcileShop, resolveDiscrepancy } from "../../domain/reconcile/reconcile.server";
import { ShopifyAdminError } from "../../lib/shopify-admin.server";
import { requireShopId } from "../shop-option";
import { shopOption } from "./lots-shared";

export const lotsReconcile: Command = {
  name: "lots reconcile",
  summary: "Compare Shopify's on_hand with the lots now (incomplete lots, discrepancies)",
  usage: `lotkeeper lots reconcile --shop <domain>

What the periodic job does, for one shop, now. Units Shopify has that no lot explains become an
incomplete lot UNLOTTED-<date>; units the lots have and Shopify lacks become a discrepancy.
Prints {"levels":[{"variantId","locationId","shopifyOnHand","lotsOnHand","decision"}]} for the
levels that needed an action.`,
  options: { ...shopOption },
  async run(args) {
    const shopId = await requireShopId(args);
    try {
      return { levels: await reconcileShop(shopId) };
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
    if (typeof id !== "string" || !/^\d+$/.test(id)) throw new UsageError("--id <discrepancy id> is required");
    if (!(await resolveDiscrepancy(shopId, BigInt(id)))) throw new CliError(`no open discrepancy ${id} in this shop`);
    return { resolved: id };
  },
};

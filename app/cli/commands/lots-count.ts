import { optionalString, requireString, type Command } from "../command";
import { countLot } from "../../domain/lots/lot-moves.server";
import { requireShopId } from "../shop-option";
import { lotFrom, lotOptions, shopOption } from "./lots-shared";

export const lotsCount: Command = {
  name: "lots count",
  summary: "Record a cycle count of a lot at a location; the difference goes to the ledger and Shopify",
  usage: `lotkeeper lots count --shop <domain> --lot <number> [--variant <id>] --location <id> --counted <n> [--bin <code>]

The counted units become the balance. A COUNTED ledger entry records the difference (also when it
is zero); Shopify gets inventoryAdjustQuantities with reason cycle_count_available.
--bin records where the units were counted: the balance moves to that bin (BIN_MOVED) when it
was elsewhere. Prints {"previous","difference","balances",...}.`,
  options: { ...shopOption, ...lotOptions, location: { type: "string" }, counted: { type: "string" }, bin: { type: "string" } },
  async run(args) {
    const shopId = await requireShopId(args);
    const lotId = await lotFrom(args, shopId);
    return countLot(
      shopId,
      { lotId, locationId: requireString(args, "location"), counted: requireString(args, "counted"), bin: optionalString(args, "bin") },
      { cause: "CLI", causeRef: "cli" },
    );
  },
};

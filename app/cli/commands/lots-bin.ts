import { optionalString, requireString, UsageError, type Command } from "../command";
import { setLotBinNow } from "../../domain/lots/lot-bins.server";
import { requireShopId } from "../shop-option";
import { lotFrom, lotOptions, shopOption } from "./lots-shared";

export const lotsBin: Command = {
  name: "lots bin",
  summary: "Put a lot's units at a location in a bin, or take them out of it (the pick list walks by bin)",
  usage: `lotkeeper lots bin --shop <domain> (--lot <number> [--variant <id>] | --lot-id <id>) --location <id> (--bin <code> | --clear)

The bin is stored trimmed and upper-case (letters, digits, spaces and . - _ /, at most 32
characters). --clear leaves the units in no bin. The lot must have a balance at the location.
No quantity changes and nothing goes to Shopify; a BIN_MOVED ledger entry records the move
("bin A-01 -> B-02", "bin B-02 -> (none)").
Prints {"lotId","locationId","previous","bin","quantity","ledgerEntryId"}.`,
  options: { ...shopOption, ...lotOptions, location: { type: "string" }, bin: { type: "string" }, clear: { type: "boolean" } },
  async run(args) {
    const clear = args.values.clear === true;
    const code = optionalString(args, "bin");
    if (clear === (code !== undefined)) throw new UsageError("give exactly one of --bin <code> or --clear");
    const shopId = await requireShopId(args);
    const lotId = await lotFrom(args, shopId);
    return setLotBinNow(shopId, { lotId, locationId: requireString(args, "location"), bin: clear ? null : code! }, { cause: "CLI", causeRef: "cli" });
  },
};

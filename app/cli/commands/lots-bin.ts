import { requireString, type Command } from "../command";
import { setLotBinNow } from "../../domain/lots/lot-bins.server";
import { requireShopId } from "../shop-option";
import { lotFrom, lotOptions, shopOption } from "./lots-shared";

export const lotsBin: Command = {
  name: "lots bin",
  summary: "Put a lot's units at a location in a bin (the pick list walks by bin)",
  usage: `lotkeeper lots bin --shop <domain> (--lot <number> [--variant <id>] | --lot-id <id>) --location <id> --bin <code>

The bin is stored trimmed and upper-case (letters, digits, spaces and . - _ /, at most 32
characters). The lot must have a balance at the location. No quantity changes and nothing goes to
Shopify; a BIN_MOVED ledger entry records the move ("bin A-01 -> B-02").
Prints {"lotId","locationId","previous","bin","quantity","ledgerEntryId"}.`,
  options: { ...shopOption, ...lotOptions, location: { type: "string" }, bin: { type: "string" } },
  async run(args) {
    const shopId = await requireShopId(args);
    const lotId = await lotFrom(args, shopId);
    return setLotBinNow(shopId, { lotId, locationId: requireString(args, "location"), bin: requireString(args, "bin") }, { cause: "CLI", causeRef: "cli" });
  },
};

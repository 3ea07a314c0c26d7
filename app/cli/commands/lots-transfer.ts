import { optionalString, requireString, type Command } from "../command";
import { transferLot } from "../../domain/lots/lot-moves.server";
import { requireShopId } from "../shop-option";
import { lotFrom, lotOptions, shopOption } from "./lots-shared";

export const lotsTransfer: Command = {
  name: "lots transfer",
  summary: "Move units of a lot from one location to another",
  usage: `lotkeeper lots transfer --shop <domain> --lot <number> [--variant <id>] --from <location id> --to <location id> --quantity <n>
                        [--bin <code>]

Two TRANSFERRED ledger entries and one inventoryAdjustQuantities with a change at each location.
Quarantined units stay quarantined at the destination. --bin puts the units in that bin at the
destination (a BIN_MOVED entry there when it changes); without it the destination keeps its bin.`,
  options: { ...shopOption, ...lotOptions, from: { type: "string" }, to: { type: "string" }, quantity: { type: "string" }, bin: { type: "string" } },
  async run(args) {
    const shopId = await requireShopId(args);
    const lotId = await lotFrom(args, shopId);
    return transferLot(
      shopId,
      {
        lotId,
        fromLocationId: requireString(args, "from"),
        toLocationId: requireString(args, "to"),
        quantity: requireString(args, "quantity"),
        toBin: optionalString(args, "bin"),
      },
      { cause: "CLI", causeRef: "cli" },
    );
  },
};

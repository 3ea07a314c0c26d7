import { optionalString, requireString, UsageError, type Command } from "../command";
import { adjustLot } from "../../domain/lots/lot-moves.server";
import { requireShopId } from "../shop-option";
import { lotFrom, lotOptions, shopOption } from "./lots-shared";

export const lotsAdjust: Command = {
  name: "lots adjust",
  summary: "Add or remove units of a lot at a location (damaged, shrinkage, correction ...)",
  usage: `lotkeeper lots adjust --shop <domain> --lot <number> [--variant <id>] --location <id>
                      (--remove <n> | --add <n> | --delta <+n|-n>)
                      [--reason correction|damaged|shrinkage|other] [--note <text>] [--bin <code>]

--delta -3 and --remove 3 say the same. Writes an ADJUSTED ledger
entry and queues inventoryAdjustQuantities with the same reason. Removing more units than the lot
holds there is refused and changes nothing. --bin puts the balance in that bin (BIN_MOVED).`,
  options: {
    ...shopOption,
    ...lotOptions,
    location: { type: "string" },
    delta: { type: "string" },
    add: { type: "string" },
    remove: { type: "string" },
    reason: { type: "string" },
    note: { type: "string" },
    bin: { type: "string" },
  },
  async run(args) {
    const given = (["delta", "add", "remove"] as const).filter((k) => typeof args.values[k] === "string");
    if (given.length !== 1) throw new UsageError("give exactly one of --remove <n>, --add <n> or --delta <+n|-n>");
    const amount = requireString(args, given[0]!);
    if (given[0] !== "delta" && !/^\d+$/.test(amount)) throw new UsageError(`--${given[0]} must be a whole number of units, got "${amount}"`);
    const delta = given[0] === "remove" ? `-${amount}` : amount;
    const shopId = await requireShopId(args);
    const lotId = await lotFrom(args, shopId);
    return adjustLot(
      shopId,
      {
        lotId,
        locationId: requireString(args, "location"),
        delta,
        reason: optionalString(args, "reason"),
        note: optionalString(args, "note"),
        bin: optionalString(args, "bin"),
      },
      { cause: "CLI", causeRef: "cli" },
    );
  },
};

import { optionalString, requireString, type Command } from "../command";
import { adjustLot } from "../../domain/lots/lot-moves.server";
import { domainErrors, lotFrom, lotOptions, shopFrom, shopOption } from "./lots-shared";

export const lotsAdjust: Command = {
  name: "lots adjust",
  summary: "Add or remove units of a lot at a location (damaged, shrinkage, correction ...)",
  usage: `lotkeeper lots adjust --shop <domain> --lot <number> [--variant <id>] --location <id> --delta=<+n|-n>
                      [--reason correction|damaged|shrinkage|other] [--note <text>]

Write a negative delta with "=": --delta=-3 (a bare "-3" reads as an option).
Writes an ADJUSTED ledger entry and queues inventoryAdjustQuantities with the same reason.
Removing more units than the lot holds there is refused and changes nothing.`,
  options: { ...shopOption, ...lotOptions, location: { type: "string" }, delta: { type: "string" }, reason: { type: "string" }, note: { type: "string" } },
  async run(args) {
    const shopId = await shopFrom(args);
    const lotId = await lotFrom(args, shopId);
    return domainErrors(() =>
      adjustLot(
        shopId,
        { lotId, locationId: requireString(args, "location"), delta: requireString(args, "delta"), reason: optionalString(args, "reason"), note: optionalString(args, "note") },
        { cause: "CLI", causeRef: "cli" },
      ),
    );
  },
};

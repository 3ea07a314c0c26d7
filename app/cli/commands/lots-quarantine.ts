import { optionalString, type Command } from "../command";
import { quarantineLotNow, releaseLotNow } from "../../domain/lots/quarantine.server";
import { optionalShopifyId, requireShopId } from "../shop-option";
import { lotFrom, lotOptions, shopOption } from "./lots-shared";

const options = { ...shopOption, ...lotOptions, location: { type: "string" as const }, reason: { type: "string" as const } };

export const lotsQuarantine: Command = {
  name: "lots quarantine",
  summary: "Quarantine a lot (all locations, or one): never allocated, moved to quality_control in Shopify",
  usage: `lotkeeper lots quarantine --shop <domain> --lot <number> [--variant <id>] [--location <id>] [--reason <text>]

Without --location the whole lot is quarantined (status QUARANTINED). Units move from Shopify's
available to quality_control (inventoryMoveQuantities). Quarantining twice changes nothing.`,
  options,
  async run(args) {
    const shopId = await requireShopId(args);
    const lotId = await lotFrom(args, shopId);
    return quarantineLotNow({
      shopId,
      lotId,
      locationId: optionalShopifyId(args, "location"),
      reason: optionalString(args, "reason") ?? "quarantined from the CLI",
      cause: "CLI",
      causeRef: "cli",
    });
  },
};

export const lotsRelease: Command = {
  name: "lots release",
  summary: "Release a quarantined lot (all locations, or one) back to sale",
  usage: `lotkeeper lots release --shop <domain> --lot <number> [--variant <id>] [--location <id>] [--reason <text>]

Moves the units back from quality_control to available. Refused while an open recall covers the lot
(the error names the recall): close the recall first. Once no open recall covers it, a recalled lot
can be released and becomes ACTIVE again (QUARANTINED while another location stays quarantined).`,
  options,
  async run(args) {
    const shopId = await requireShopId(args);
    const lotId = await lotFrom(args, shopId);
    return releaseLotNow({
      shopId,
      lotId,
      locationId: optionalShopifyId(args, "location"),
      reason: optionalString(args, "reason") ?? "released from the CLI",
      cause: "CLI",
      causeRef: "cli",
    });
  },
};

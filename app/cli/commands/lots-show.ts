import type { Command } from "../command";
import { getLotDetail } from "../../domain/lots/lot-queries.server";
import { requireShopId } from "../shop-option";
import { lotFrom, lotOptions, shopOption } from "./lots-shared";

export const lotsShow: Command = {
  name: "lots show",
  summary: "Show a lot: attributes, status, balances per location, totals, recent ledger",
  usage: `lotkeeper lots show --shop <domain> --lot <number> [--variant <id>]
lotkeeper lots show --shop <domain> --lot-id <id>

A lot number used on several variants needs --variant; without it the error lists the variants.
Prints the lot's attributes, "status" (ACTIVE, QUARANTINED, RECALLED or EXPIRED),
"balances": [{"locationId","locationName","quantity","quarantined","bin","reserved"}] (reserved:
units held for open orders, README "Reservations"), "totals"
{received, allocated, returned, onHand, quarantined} and the last 20 ledger entries.`,
  options: { ...shopOption, ...lotOptions },
  async run(args) {
    const shopId = await requireShopId(args);
    const lotId = await lotFrom(args, shopId);
    return getLotDetail(shopId, lotId, { ledgerLimit: 20 });
  },
};

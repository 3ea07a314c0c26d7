import { optionalString, UsageError, type Command } from "../command";
import { listLots, type LotSort } from "../../domain/lots/lot-queries.server";
import { optionalShopifyId, requireShopId } from "../shop-option";
import { shopOption } from "./lots-shared";

const STATUSES = ["ACTIVE", "QUARANTINED", "RECALLED", "EXPIRED", "INCOMPLETE"] as const;

export const lotsList: Command = {
  name: "lots list",
  summary: "List lots with filters (search, status, variant, location, expiring soon), paged",
  usage: `lotkeeper lots list --shop <domain> [--search <text>] [--status ACTIVE|QUARANTINED|RECALLED|EXPIRED|INCOMPLETE]
                    [--variant <id>] [--location <id>] [--expiring-within <days>] [--in-stock]
                    [--sort expiry|received|lotNumber] [--limit <n>] [--cursor <cursor>]

Prints {"lots": [...], "nextCursor"}; pass nextCursor as --cursor for the next page.`,
  options: {
    ...shopOption,
    search: { type: "string" },
    status: { type: "string" },
    variant: { type: "string" },
    location: { type: "string" },
    "expiring-within": { type: "string" },
    "in-stock": { type: "boolean" },
    sort: { type: "string" },
    limit: { type: "string" },
    cursor: { type: "string" },
  },
  async run(args) {
    const shopId = await requireShopId(args);
    const status = optionalString(args, "status")?.toUpperCase();
    if (status && !(STATUSES as readonly string[]).includes(status)) throw new UsageError(`--status must be one of ${STATUSES.join(", ")}`);
    const sort = optionalString(args, "sort") ?? "expiry";
    if (!["expiry", "received", "lotNumber"].includes(sort)) throw new UsageError("--sort must be expiry, received or lotNumber");
    const number = (name: string) => {
      const v = optionalString(args, name);
      if (v === undefined) return undefined;
      if (!/^\d+$/.test(v)) throw new UsageError(`--${name} must be a whole number`);
      return Number(v);
    };
    return listLots(shopId, {
      search: optionalString(args, "search"),
      status: status as (typeof STATUSES)[number] | undefined,
      variantId: optionalShopifyId(args, "variant"),
      locationId: optionalShopifyId(args, "location"),
      expiringWithinDays: number("expiring-within"),
      inStock: args.values["in-stock"] === true,
      sort: sort as LotSort,
      limit: number("limit"),
      cursor: optionalString(args, "cursor"),
    });
  },
};

import type { Command } from "../command";
import { optionalLimit, UsageError, requireString } from "../command";
import { optionalShopifyId, requireShopId } from "../shop-option";
import { traceLot } from "../../domain/trace/trace.server";

export const traceLotCommand: Command = {
  name: "trace lot",
  summary: "Forward (downstream lots, customers) or backward (input lots, suppliers) trace of a lot",
  usage: `lotkeeper trace lot --shop <domain> --lot <number> [--variant <id>] --direction forward|backward
                    [--limit <n>] [--cursor <c>]

forward: the lot, every lot made from it through any depth of production runs, the runs (edges)
and the customers who received any of them (first page of --limit, default 50; nextCursor).
backward: the lot, every lot that went into it, the runs, and the suppliers upstream.
Each lot: lotNumber, variantId, depth, status, supplier, shippedUnits, returnedUnits, onHandUnits.`,
  options: {
    shop: { type: "string" },
    lot: { type: "string" },
    variant: { type: "string" },
    direction: { type: "string" },
    limit: { type: "string" },
    cursor: { type: "string" },
  },
  async run(args) {
    const shopId = await requireShopId(args);
    const direction = requireString(args, "direction");
    if (direction !== "forward" && direction !== "backward") throw new UsageError(`--direction must be forward or backward, got "${direction}"`);
    const limit = optionalLimit(args);
    return traceLot(shopId, {
      lotNumber: requireString(args, "lot"),
      variantId: optionalShopifyId(args, "variant"),
      direction,
      limit,
      cursor: typeof args.values.cursor === "string" ? args.values.cursor : undefined,
    });
  },
};

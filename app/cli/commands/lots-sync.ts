import { UsageError, type Command } from "../command";
import { listUnsentOutbox, outboxSummary, retryFailedOutbox } from "../../domain/sync/outbox.server";
import { requireShopId } from "../shop-option";
import { shopOption } from "./lots-shared";
import { parseId } from "../../lib/ids";

export const lotsSyncStatus: Command = {
  name: "lots sync-status",
  summary: "Changes not yet in Shopify (pending, failed with the reason)",
  usage: `lotkeeper lots sync-status --shop <domain>

Prints {"pending","failed","oldestPendingAt","entries":[{"id","kind","status","attempts","lastError",...}]}
(the 100 oldest). Pending rows are retried automatically; failed ones were refused by Shopify.`,
  options: { ...shopOption },
  async run(args) {
    const shopId = await requireShopId(args);
    return { ...(await outboxSummary(shopId)), entries: await listUnsentOutbox(shopId) };
  },
};

export const lotsSyncRetry: Command = {
  name: "lots sync-retry",
  summary: "Send changes Shopify refused again (after fixing the cause)",
  usage: `lotkeeper lots sync-retry --shop <domain> [--id <outbox id>]

Puts one failed change (or all of the shop's) back to pending and queues it. Prints {"retried": [ids]}.`,
  options: { ...shopOption, id: { type: "string" } },
  async run(args) {
    const shopId = await requireShopId(args);
    const id = typeof args.values.id === "string" ? args.values.id : undefined;
    const outboxId = id === undefined ? undefined : parseId(id);
    if (outboxId === null) throw new UsageError("--id must be an outbox entry id (a whole number)");
    return { retried: await retryFailedOutbox(shopId, outboxId) };
  },
};

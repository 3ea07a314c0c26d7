// `lotkeeper events list` and `lotkeeper events replay`: the webhook inbox for operators.
import { optionalLimit, UsageError, type Command } from "../command";
import { requireShopDomain } from "../shop-option";
import { EVENT_STATUSES, listEvents, replayEvent, type EventStatus } from "../../domain/webhooks/events.server";

export const eventsList: Command = {
  name: "events list",
  summary: "List a shop's webhook events (newest first) with status, attempts and last error",
  usage: `lotkeeper events list --shop <domain> [--status pending|processed|failed|deferred] [--topic <t>] [--limit <n>]

Prints a JSON array, newest first: {webhookId, topic, status, attempts, error, receivedAt, processedAt}.
status: pending (recorded, queued or waiting for the sweep), processed, failed (error says why;
replay it with lotkeeper events replay), deferred (recorded for a capability without a handler yet).
--topic is the REST form, e.g. orders/create. --limit defaults to 100 (at most 1000).`,
  options: { shop: { type: "string" }, status: { type: "string" }, topic: { type: "string" }, limit: { type: "string" } },
  async run(args) {
    const shopDomain = requireShopDomain(args);
    const status = typeof args.values.status === "string" ? args.values.status.toLowerCase() : undefined;
    if (status !== undefined && !(EVENT_STATUSES as readonly string[]).includes(status)) {
      throw new UsageError(`--status must be one of ${EVENT_STATUSES.join(", ")}, got "${status}"`);
    }
    const topic = typeof args.values.topic === "string" ? args.values.topic.trim().toLowerCase() : undefined;
    if (topic !== undefined && !/^[a-z_]+\/[a-z_]+$/.test(topic)) throw new UsageError(`--topic must look like orders/create, got "${topic}"`);
    const limit = optionalLimit(args, 1000) ?? 100;
    return listEvents({ shopDomain, status: status as EventStatus | undefined, topic, limit });
  },
};

export const eventsReplay: Command = {
  name: "events replay",
  summary: "Queue a failed or deferred webhook event again",
  usage: `lotkeeper events replay <webhookId>

Queues the event again (same job id, so it never runs twice at once) and sets it back to pending.
Prints {webhookId, topic, shop, previousStatus, status, queue} where queue is "queued", "retried"
(its failed job was retried) or "already-queued". Fails with a clear message when the event is
unknown or already processed. Needs Redis.`,
  async run(args) {
    const webhookId = args.positionals[0]?.trim();
    if (!webhookId) throw new UsageError("give the webhook id: lotkeeper events replay <webhookId>");
    if (args.positionals.length > 1) throw new UsageError("give exactly one webhook id");
    return replayEvent(webhookId);
  },
};

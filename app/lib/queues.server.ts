// The BullMQ queues of the app and their producers. Job payloads hold ids only: never customer
// data or tokens (the row they point at is in Postgres).
import { Queue, type JobsOptions } from "bullmq";
import type { Redis } from "ioredis";
import { env } from "../env.server";
import { producerConnection } from "./redis.server";

export const QUEUE_NAMES = {
  /** One job per inbox row (WebhookEvent): topic handlers. */
  webhooks: "webhooks",
  /** One job per outbox row (OutboxEntry): mutations sent to Shopify. */
  shopifySync: "shopify-sync",
  /** Repeatable jobs (workers/registry.ts): inbox sweep and pruning, outbox sweep, reconciliation, lost-import sweep. Also CSV lot imports. */
  maintenance: "maintenance",
  /** Recall notices by email: one fan-out job per "Send notices", one job per notice row (RecallNotice). */
  notices: "notices",
} as const;

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];

export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 8,
  backoff: { type: "exponential", delay: 1000 },
  removeOnComplete: { age: 3600, count: 10_000 },
  removeOnFail: { age: 7 * 24 * 3600 },
};

const globalForQueues = globalThis as unknown as { __lotkeeperQueues?: Map<string, { queue: Queue; connection: Redis }> };

/** The producer for a queue, one per process and queue. */
export function getQueue(name: QueueName): Queue {
  globalForQueues.__lotkeeperQueues ??= new Map();
  const key = `${env().QUEUE_PREFIX}:${name}`;
  let entry = globalForQueues.__lotkeeperQueues.get(key);
  if (!entry) {
    const connection = producerConnection();
    const queue = new Queue(name, { connection, prefix: env().QUEUE_PREFIX, defaultJobOptions: DEFAULT_JOB_OPTIONS });
    queue.on("error", () => undefined); // surfaced to the caller of add(); the inbox keeps the event
    entry = { queue, connection };
    globalForQueues.__lotkeeperQueues.set(key, entry);
  }
  return entry.queue;
}

/** BullMQ job ids must not contain ':'; Shopify webhook ids are UUID-like but we make sure. */
export function jobIdFor(kind: string, id: string | bigint): string {
  return `${kind}-${String(id).replace(/:/g, "_")}`;
}

export async function closeQueues(): Promise<void> {
  const queues = globalForQueues.__lotkeeperQueues;
  if (!queues) return;
  globalForQueues.__lotkeeperQueues = undefined;
  // BullMQ leaves a connection it was given open: quit it after the queue (replies in flight arrive first).
  await Promise.all(
    [...queues.values()].map(async ({ queue, connection }) => {
      await queue.close().catch(() => undefined);
      await connection.quit().catch(() => connection.disconnect());
    }),
  );
}

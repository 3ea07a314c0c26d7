// A worker stopped at once after it starts (a deploy that is rolled back, SIGTERM during boot, a
// test whose queue is already empty) stops cleanly: no "Connection is closed." escapes from the
// commands BullMQ issues while it connects.
import { afterAll, expect, it } from "vitest";
import { useOwnQueuePrefix } from "../helpers/webhook-pipeline";
import { closeQueues, QUEUE_NAMES } from "../../app/lib/queues.server";
import { createQueueWorker } from "../../workers/main";

useOwnQueuePrefix();
afterAll(() => closeQueues());

it("workers closed while still connecting stop without an unhandled error", async () => {
  const unhandled: unknown[] = [];
  const listener = (reason: unknown) => void unhandled.push(reason);
  process.on("unhandledRejection", listener);
  try {
    for (let i = 0; i < 30; i++) {
      const worker = createQueueWorker(QUEUE_NAMES.webhooks, { concurrency: 2 });
      if (i % 2 === 0) await new Promise((resolve) => setTimeout(resolve, i));
      await worker.close();
    }
    await new Promise((resolve) => setTimeout(resolve, 300)); // let any late rejection surface
    expect(unhandled.map((e) => String(e))).toEqual([]);
  } finally {
    process.off("unhandledRejection", listener);
  }
});

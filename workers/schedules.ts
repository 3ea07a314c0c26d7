// The repeatable maintenance jobs (workers/registry.ts repeatableJobs) live in Redis as BullMQ job
// schedulers. Redis can come back empty (restarted without persistence, flushed, failed over to
// an empty replica): the schedules are gone with it, and without the inbox and outbox sweeps a
// row whose job was lost stays pending for good. So every worker creates them at start, checks
// every WORKER_SCHEDULE_CHECK_MS and whenever its Redis connection is ready again, and re-creates
// what is missing (upsert: one schedule however many workers do it at once). Decision 084.
import { getQueue } from "../app/lib/queues.server";
import { log } from "../app/lib/logger.server";
import type { RepeatableJob } from "./registry";

async function createSchedule(job: RepeatableJob): Promise<void> {
  // A new `every` scheduler runs at once unless told when to start: its first run is one interval
  // from now, and only runAtStart jobs also run now (an existing scheduler keeps its next run).
  // Otherwise every worker on fresh queues (a new Redis, the demo, the tests) would reconcile
  // every shop while it processes their webhooks.
  await getQueue(job.queue).upsertJobScheduler(job.name, { every: job.everyMs, startDate: Date.now() + job.everyMs }, { name: job.name, data: job.data ?? {} });
}

/** At worker start: every schedule (kept if it exists), and one run now of each runAtStart job. */
export async function createSchedules(jobs: readonly RepeatableJob[]): Promise<void> {
  for (const job of jobs) {
    await createSchedule(job);
    if (job.runAtStart) await getQueue(job.queue).add(job.name, job.data ?? {}, { removeOnComplete: true, removeOnFail: 100 });
  }
}

/**
 * Re-creates the schedules missing from Redis; returns their names. A runAtStart job (the sweeps)
 * also runs at once: what was lost with Redis is found now, not one interval later. Its job id
 * is per interval, so several workers finding the same gap queue one run.
 */
export async function restoreMissingSchedules(jobs: readonly RepeatableJob[]): Promise<string[]> {
  const restored: string[] = [];
  for (const job of jobs) {
    const queue = getQueue(job.queue);
    if (await queue.getJobScheduler(job.name)) continue;
    await createSchedule(job);
    if (job.runAtStart) {
      await queue.add(job.name, job.data ?? {}, {
        jobId: `restored-${job.name}-${Math.floor(Date.now() / job.everyMs)}`,
        removeOnComplete: true,
        removeOnFail: 100,
      });
    }
    restored.push(job.name);
  }
  return restored;
}

/** A Redis connection: "ready" after every (re)connect. */
interface Reconnecting {
  on(event: "ready", listener: () => void): unknown;
  removeListener(event: "ready", listener: () => void): unknown;
}

/** Checks every `everyMs` and on each reconnect of `connections`. Returns a function that stops it. */
export function keepSchedules(jobs: readonly RepeatableJob[], everyMs: number, connections: readonly Reconnecting[]): () => void {
  let running = false;
  const check = async (reason: string) => {
    if (running) return;
    running = true;
    try {
      const restored = await restoreMissingSchedules(jobs);
      if (restored.length > 0) log.warn("repeatable schedules were missing from Redis and are re-created", { restored, reason });
    } catch (error) {
      // Redis is down: the next check (or the reconnect) tries again.
      log.debug("schedule check failed", { reason, error });
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void check("interval"), everyMs);
  timer.unref();
  const onReady = () => void check("reconnect");
  for (const connection of connections) connection.on("ready", onReady);
  return () => {
    clearInterval(timer);
    for (const connection of connections) connection.removeListener("ready", onReady);
  };
}

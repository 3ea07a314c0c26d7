// `npm run worker`: one BullMQ Worker per queue of workers/registry.ts, the repeatable
// maintenance jobs (kept in Redis by workers/schedules.ts), and a first inbox sweep.
// SIGTERM/SIGINT: stop taking jobs, let the running ones finish (each commits or rolls back as a
// whole), close Redis and Postgres, exit 0.
import http from "node:http";
import { UnrecoverableError, Worker, type Job } from "bullmq";
import { ConfigError, env } from "../app/env.server";
import { exitWithOneLine } from "../app/lib/fail-fast.server";
import { log } from "../app/lib/logger.server";
import { jobDuration, jobFailures } from "../app/lib/metrics.server";
import { METRICS_CONTENT_TYPE, metricsAuthorized, metricsClosedWarning, renderMetrics } from "../app/lib/metrics-snapshot.server";
import { closeQueues, DEFAULT_JOB_OPTIONS, getQueue, type QueueName } from "../app/lib/queues.server";
import { workerConnection } from "../app/lib/redis.server";
import { checkServices } from "../app/lib/services.server";
import { jobLogIds, processors, queueSettings, repeatableJobs, type JobContext } from "./registry";
import { createSchedules, keepSchedules } from "./schedules";

function dispatcher(queue: QueueName) {
  return async (job: Job): Promise<unknown> => {
    const processor = processors[queue][job.name];
    const attempt = job.attemptsMade + 1;
    const maxAttempts = job.opts.attempts ?? DEFAULT_JOB_OPTIONS.attempts ?? 1;
    const ctx: JobContext = {
      log: log.child({ queue, job: job.name, jobId: job.id, attempt, ...jobLogIds(job.data) }),
      jobId: job.id ?? "",
      attempt,
      finalAttempt: attempt >= maxAttempts,
    };
    if (!processor) throw new UnrecoverableError(`no processor for job "${job.name}" on queue "${queue}" (workers/registry.ts)`);
    const started = performance.now();
    try {
      const result = await processor(job, ctx);
      jobDuration().observe({ queue, name: job.name, outcome: "completed" }, (performance.now() - started) / 1000);
      return result;
    } catch (error) {
      const kind = error instanceof UnrecoverableError ? "unrecoverable" : ctx.finalAttempt ? "final" : "retry";
      jobDuration().observe({ queue, name: job.name, outcome: "failed" }, (performance.now() - started) / 1000);
      jobFailures().inc({ queue, name: job.name, kind });
      ctx.log[kind === "retry" ? "warn" : "error"](`job failed (${kind})`, { error });
      throw error;
    }
  };
}

/**
 * A BullMQ Worker whose close() first lets its connections finish connecting: closing a worker
 * that is still initialising (a test that finds its queue already empty, a shutdown right after
 * start) makes BullMQ drop the commands of its start-up, which reject unhandled with "Connection
 * is closed." During a Redis outage close() waits at most CLOSE_READY_WAIT_MS for that.
 */
class QueueWorker extends Worker {
  override async close(force = false): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_READY_WAIT_MS)));
    await Promise.race([
      this.waitUntilReady().then(
        () => undefined,
        () => undefined,
      ),
      waited,
    ]);
    clearTimeout(timer);
    return super.close(force);
  }
}
const CLOSE_READY_WAIT_MS = 5000;

/** The BullMQ Worker of one queue, dispatching by job name through the registry. */
export function createQueueWorker(queue: QueueName, options: { concurrency?: number } = {}): Worker {
  const config = env();
  const connection = workerConnection();
  const worker = new QueueWorker(queue, dispatcher(queue), {
    connection,
    prefix: config.QUEUE_PREFIX,
    concurrency: options.concurrency ?? queueSettings[queue]?.concurrency ?? config.WORKER_CONCURRENCY,
    lockDuration: config.WORKER_LOCK_MS,
    stalledInterval: config.WORKER_LOCK_MS,
    maxStalledCount: 2,
  });
  worker.on("error", (error) => log.error("worker error", { queue, error }));
  // BullMQ leaves a connection it was given open: close it with the worker, or every worker
  // started and stopped (tests, graceful restarts) would leak one.
  // quit() lets replies still in flight arrive first; disconnect() would reject them with
  // "Connection is closed", unhandled where BullMQ issued them without a catch.
  worker.on("closed", () => void connection.quit().catch(() => connection.disconnect()));
  return worker;
}

export async function startWorkers(): Promise<{ workers: Worker[]; stop: () => Promise<void> }> {
  const config = env();
  const workers: Worker[] = [];
  const only = config.WORKER_QUEUES.split(",").filter(Boolean);
  const unknown = only.filter((q) => !(q in processors));
  if (unknown.length > 0)
    throw new ConfigError(`Configuration error: WORKER_QUEUES names unknown queue ${unknown.join(", ")} (known: ${Object.keys(processors).join(", ")})`);
  const served = (queue: string) => only.length === 0 || only.includes(queue);
  for (const [queue, byName] of Object.entries(processors) as Array<[QueueName, Record<string, unknown>]>) {
    if (Object.keys(byName).length === 0 || !served(queue)) continue;
    workers.push(createQueueWorker(queue));
  }
  const scheduled = repeatableJobs.filter((job) => served(job.queue));
  await createSchedules(scheduled);
  const producers = await Promise.all([...new Set(scheduled.map((job) => job.queue))].map((queue) => getQueue(queue).client));
  const stopKeepingSchedules = keepSchedules(scheduled, config.WORKER_SCHEDULE_CHECK_MS, producers);
  let metricsServer: http.Server | undefined;
  if (config.WORKER_METRICS_PORT) {
    metricsServer = http.createServer((req, res) => {
      if (req.url !== "/metrics") return void res.writeHead(404).end();
      if (!metricsAuthorized(req.headers.authorization)) return void res.writeHead(401).end("unauthorized\n");
      renderMetrics().then(
        (text) => res.writeHead(200, { "Content-Type": METRICS_CONTENT_TYPE }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    metricsServer.listen(config.WORKER_METRICS_PORT, config.WORKER_METRICS_HOST);
    const closed = metricsClosedWarning();
    if (closed) log.warn(closed);
  }
  log.info("worker started", { queues: workers.map((w) => w.name), concurrency: config.WORKER_CONCURRENCY, prefix: config.QUEUE_PREFIX });
  const stop = async () => {
    stopKeepingSchedules();
    metricsServer?.close();
    await Promise.all(workers.map((w) => w.close())); // waits for the running jobs
    await closeQueues();
  };
  return { workers, stop };
}

const isEntry = process.argv[1] && /workers[\\/]main\.ts$/.test(process.argv[1]);
if (isEntry) {
  try {
    env();
    await checkServices();
  } catch (error) {
    exitWithOneLine(error, 1);
  }
  const { stop } = await startWorkers().catch((error: unknown) => exitWithOneLine(error, 1));
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      log.warn("second signal: exiting now", { signal });
      process.exit(1);
    }
    stopping = true;
    log.info("worker stopping: finishing running jobs", { signal });
    await stop();
    const { closeDb } = await import("../app/db.server");
    await closeDb();
    log.info("worker stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
}

// Recall notices benchmark (issue 13, item 8): a recall of a lot shipped to 100,000 customers
// (--quick: 10,000). The data comes from bench/recall/generate.ts (one lot RECALL-1, 1 % guests,
// 5 % partly returned, 0.2 % redacted) at a size of its own, in its own database
// lotkeeper_bench_notify, kept between runs and regenerated only when its size or the migrations
// changed. The recall case itself (recall, its lot, its customers TO_CONTACT, as openRecall writes
// them) is written in SQL afresh each run, without Shopify's quarantine or tags.
//
// Fan-out: a real `workers/main.ts` process (WORKER_QUEUES=notices, its own queue prefix) takes the
// "recall.notify" job; timed from the job's start to its end as BullMQ records them (processedOn ->
// finishedOn): fanOutRecallNotices returns once every row is written and every send job added. Then
// checked: the rows are all there and every row still QUEUED has its job in Redis. Memory: the
// worker's peak RSS (VmHWM of /proc/<pid>/status; the worker is started with `node --import tsx` so
// the pid is the worker's own).
// Sending: the same worker mails a real SMTP server (smtp-server, accepting and discarding) at
// NOTICE_RATE_PER_SECOND; the rate achieved is the mails the server accepted over a window after
// the fan-out, against the configured one. Sending starts with the first send job, so it runs
// beside the fan-out as in production.
// Floor: one bare `insert ... select` of the same customers' notice rows (allocations joined to
// orders and variants, grouped by customer) for a second recall, in the same run.
import { execSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import pg from "pg";
import { SMTPServer } from "smtp-server";
import type { BenchOptions, BenchReport } from "../run";
import { obliterateQueue, start, stop } from "../lib/processes";
import { applyMigrations, ensureDatabase, migrationsInRepo } from "../../app/lib/migrations.server";
import { generate, type Size } from "../recall/generate";

const DATABASE = "postgresql://postgres@127.0.0.1:5432/lotkeeper_bench_notify";
const REDIS_URL = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const RATE = 50;
const QUEUES = ["notices", "shopify-sync", "maintenance"];

/** generate()'s background (1,000 allocations per shop, 2 shops) kept small: this benchmark reads one lot. */
function sizeFor(customers: number): Size {
  return { shops: 2, allocations: customers + 1000 + 200 + 6200 + 1000 + 2000, recallCustomers: customers, guestLotShipments: 1000 };
}

interface Dataset {
  shopId: number;
  recallLotId: string;
}

async function dataset(client: pg.Client, size: Size, log: (m: string) => void): Promise<Dataset> {
  await client.query("create table if not exists bench_meta (key text primary key, value jsonb not null)");
  const stamp = { size, migrations: await migrationsInRepo() };
  const meta = await client.query<{ value: { stamp: unknown; data: Dataset } }>("select value from bench_meta where key = 'dataset'");
  const found = meta.rows[0]?.value;
  if (found && JSON.stringify(found.stamp) === JSON.stringify(stamp)) {
    log(`reusing generated data (${size.recallCustomers} customers on the recalled lot)`);
    return found.data;
  }
  log(`generating a lot shipped to ${size.recallCustomers} customers`);
  const t0 = Date.now();
  const generated = await generate(client, size, log);
  const data = { shopId: generated.shopId, recallLotId: generated.recallLotId.toString() };
  log(`generated in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  await client.query(`insert into bench_meta (key, value) values ('dataset', $1::jsonb) on conflict (key) do update set value = excluded.value`, [
    JSON.stringify({ stamp, data }),
  ]);
  return data;
}

/** A recall case of the lot, as openRecall writes it: the recall, its lot, every customer TO_CONTACT. */
async function openCase(client: pg.Client, data: Dataset, reference: string): Promise<string> {
  const r = await client.query<{ id: string }>(
    `insert into recalls (shop_id, reference, reason, severity, hazard, action, remedy)
     values ($1, $2, 'Salmonella found in a sample', 'CLASS_I', 'The product may contain Salmonella.', 'Do not eat it.', 'We refund the full price.')
     returning id::text`,
    [data.shopId, reference],
  );
  const id = r.rows[0]!.id;
  await client.query(`insert into recall_lots (recall_id, lot_id, shop_id, direct) values ($1, $2, $3, true)`, [id, data.recallLotId, data.shopId]);
  await client.query(
    `insert into recall_customers (recall_id, customer_key, shop_id, status, updated_at)
     select distinct $1::bigint, customer_key, $2::int, 'TO_CONTACT'::"ContactStatus", now() from allocations where shop_id = $2 and lot_id = $3 and status = 'ALLOCATED'`,
    [id, data.shopId, data.recallLotId],
  );
  return id;
}

function peakRssMiB(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** CPU seconds (user + system) the process has used so far: /proc/<pid>/stat fields 14 and 15, in clock ticks. */
function cpuSeconds(pid: number, ticksPerSecond: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export default async function run(options: BenchOptions): Promise<BenchReport> {
  const { root, log } = options;
  const size = sizeFor(options.quick ? 10_000 : 100_000);
  const windowMs = options.quick ? 3000 : 10_000;
  await ensureDatabase(DATABASE);
  await applyMigrations(DATABASE);
  const client = new pg.Client({ connectionString: DATABASE });
  await client.connect();
  const prefix = `{lk-bench-${randomUUID().slice(0, 8)}}`;
  const url = new URL(REDIS_URL);
  const connection = { host: url.hostname, port: Number(url.port || 6379) };
  const queue = new Queue("notices", { connection, prefix });
  const redis = new Redis(connection);
  let accepted = 0;
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, _session, callback) {
      stream.on("data", () => undefined);
      stream.on("end", () => {
        accepted++;
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", resolve));
  let worker: ReturnType<typeof start> | undefined;
  try {
    const data = await dataset(client, size, log);
    // A fresh case each run (cascades to its customers and notices).
    await client.query(`delete from recalls where shop_id = $1`, [data.shopId]);
    await client.query(
      `insert into recall_notice_settings (shop_id, from_address, merchant_contact) values ($1, 'recalls@bench.example', '0800 123 456')
       on conflict (shop_id) do nothing`,
      [data.shopId],
    );
    const recallId = await openCase(client, data, "BENCH-NOTIFY");
    const customers = Number(
      (await client.query<{ n: string }>(`select count(*)::text as n from recall_customers where recall_id = $1`, [recallId])).rows[0]!.n,
    );

    worker = start(process.execPath, ["--import", "tsx", path.join(root, "workers", "main.ts")], root, {
      DATABASE_URL: DATABASE,
      REDIS_URL,
      SHOPIFY_API_KEY: "bench-key",
      SHOPIFY_API_SECRET: "bench-secret",
      SHOPIFY_APP_URL: "https://lotkeeper.bench",
      QUEUE_PREFIX: prefix,
      WORKER_QUEUES: "notices",
      SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
      NOTICE_RATE_PER_SECOND: String(RATE),
      LOG_LEVEL: "error",
      NODE_ENV: "production",
    });
    const pid = worker.pid!;
    log(`fan-out of ${customers} customers in worker ${pid}`);
    const job = await queue.add("recall.notify", { shopId: data.shopId, recallId }, { attempts: 1 });
    const deadline = Date.now() + 600_000;
    let finished = await queue.getJob(job.id!);
    while (!finished?.finishedOn) {
      if (Date.now() > deadline) throw new Error("the fan-out did not finish within 10 minutes");
      if (worker.exitCode !== null) throw new Error(`the worker exited ${worker.exitCode}`);
      await sleep(100);
      finished = await queue.getJob(job.id!);
    }
    if (finished.failedReason) throw new Error(`fan-out failed: ${finished.failedReason}`);
    const fanOutMs = finished.finishedOn - finished.processedOn!;
    const rssAfterFanOut = peakRssMiB(pid);
    const result = finished.returnvalue as { customers: number; queued: number };

    // Checked: every row written, every row still QUEUED with its job in Redis.
    const rows = await client.query<{ id: string; status: string }>(`select id::text, status::text from recall_notices where recall_id = $1`, [recallId]);
    const queuedIds = rows.rows.filter((r) => r.status === "QUEUED").map((r) => r.id);
    let withJob = 0;
    for (let i = 0; i < queuedIds.length; i += 5000) {
      const pipe = redis.pipeline();
      for (const id of queuedIds.slice(i, i + 5000)) pipe.exists(`${prefix}:notices:notice-${id}`);
      for (const [, n] of (await pipe.exec()) ?? []) withJob += Number(n);
    }
    const byStatus = (s: string) => rows.rows.filter((r) => r.status === s).length;
    log(`fan-out ${fanOutMs} ms: ${rows.rows.length} rows, ${queuedIds.length} queued (${withJob} with their job), ${byStatus("SENT")} already sent`);

    // Sending: the rate over a window after the fan-out.
    const ticks = Number(execSync("getconf CLK_TCK", { encoding: "utf8" }).trim()) || 100;
    const a0 = accepted;
    const c0 = cpuSeconds(pid, ticks);
    const t0 = Date.now();
    await sleep(windowMs);
    const elapsed = Date.now() - t0;
    const sentRate = ((accepted - a0) * 1000) / elapsed;
    // Send jobs over the pace are re-delayed (a DB read and a Redis counter each): what that costs the worker.
    const cpuShare = ((cpuSeconds(pid, ticks) - c0) * 1000) / elapsed;
    const rssEnd = peakRssMiB(pid);
    await stop(worker);
    worker = undefined;

    // Floor: the same customers' rows in one bare insert ... select.
    const floorRecall = await openCase(client, data, "BENCH-FLOOR");
    const f0 = process.hrtime.bigint();
    const floor = await client.query(
      `insert into recall_notices (shop_id, recall_id, customer_key, email, customer_name, order_names, lot_numbers, products, status)
       select a.shop_id, $3, a.customer_key, max(o.customer_email), max(o.customer_name), string_agg(distinct o.name, ', '), 'RECALL-1',
              max(v.product_title || ' - ' || v.title), case when max(o.customer_email) is null then 'NO_EMAIL' else 'QUEUED' end::"RecallNoticeStatus"
         from allocations a join orders o on o.shop_id = a.shop_id and o.id = a.order_id
         join variants v on v.shop_id = a.shop_id and v.id = a.variant_id
        where a.shop_id = $1 and a.lot_id = $2 and a.status = 'ALLOCATED' and not o.redacted and a.quantity > a.returned_quantity
        group by a.shop_id, a.customer_key`,
      [data.shopId, data.recallLotId, floorRecall],
    );
    const floorMs = Number(process.hrtime.bigint() - f0) / 1e6;

    const n = (v: number) => v.toLocaleString("en-US");
    const s = (ms: number) => (ms / 1000).toFixed(2);
    const summary = `fan-out of ${n(rows.rows.length)} notices ${s(fanOutMs)} s (floor ${s(floorMs)} s, ${(fanOutMs / floorMs).toFixed(1)}x), worker peak RSS ${rssEnd.toFixed(0)} MiB, sending ${sentRate.toFixed(1)}/s (configured ${RATE}, worker CPU ${(cpuShare * 100).toFixed(0)} % of a core)`;
    return {
      name: "notify",
      summary,
      markdown: [
        `### notify: recall notices for a lot shipped to ${n(size.recallCustomers)} customers`,
        "",
        `Data from bench/recall/generate.ts in its own database (lotkeeper_bench_notify); the recall case (recall, lot, ${n(customers)} customers TO_CONTACT) written in SQL each run. One \`workers/main.ts\` process (WORKER_QUEUES=notices, own queue prefix, NOTICE_RATE_PER_SECOND=${RATE}) runs the "recall.notify" job (fanOutRecallNotices) and the send jobs, mailing a real SMTP server (smtp-server, accepting and discarding) in the bench process. Fan-out = the job's start to its end as BullMQ records them; by then every row is written and every send job added (checked: ${n(queuedIds.length)} rows still QUEUED, ${n(withJob)} of them with their job in Redis; ${n(byStatus("SENT"))} already sent, ${n(byStatus("NO_EMAIL"))} NO_EMAIL; redacted customers get no row). Sending starts with the first send job, beside the fan-out. Rate = mails the SMTP server accepted over ${windowMs / 1000} s after the fan-out. Memory = the worker's VmHWM (peak RSS); CPU = its user + system time over the window (/proc/<pid>/stat): send jobs over the pace are re-delayed, each after a DB read and a Redis counter. Floor = one bare \`insert ... select\` of the same customers' rows (allocations joined to orders and variants, grouped by customer) for a second recall, after the worker stopped.`,
        "",
        "| measure | floor (bare SQL) | app | app/floor | goal |",
        "|---|---|---|---|---|",
        `| notice rows written and send jobs queued (${n(result.customers)} customers, ${n(result.queued)} jobs) | ${s(floorMs)} s (${n(floor.rowCount ?? 0)} rows, no jobs) | ${s(fanOutMs)} s | ${(fanOutMs / floorMs).toFixed(1)}x | < 60 s: ${fanOutMs < 60_000 ? "met" : "missed"} |`,
        `| worker peak RSS (VmHWM) | | ${rssAfterFanOut.toFixed(0)} MiB at the fan-out's end, ${rssEnd.toFixed(0)} MiB after sending | | |`,
        `| sending rate over ${windowMs / 1000} s | | ${sentRate.toFixed(1)} notices/s (worker CPU ${(cpuShare * 100).toFixed(0)} % of one core meanwhile) | | configured ${RATE}/s: ${Math.abs(sentRate - RATE) <= RATE * 0.1 ? "met (within 10 %)" : sentRate > RATE ? "exceeded" : "below"} |`,
      ],
    };
  } finally {
    if (worker) await stop(worker);
    for (const name of QUEUES) await obliterateQueue(REDIS_URL, name, prefix);
    await queue.close();
    redis.disconnect();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await client.end();
  }
}

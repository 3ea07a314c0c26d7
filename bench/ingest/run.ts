// Webhook intake: signed deliveries with distinct webhook ids at 32 connections against the app's
// POST /webhooks (production server, `npm start`), and in the same run against the floor
// ../shared/anchors/ingest-floor.mjs (bare node:http doing the same durable work: HMAC, inbox
// insert ON CONFLICT, BullMQ add). Rounds alternate floor/app so both see the same machine load.
// No worker runs during the measurement (the floor has none either); the queue is emptied after.
import { createHmac, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import type { BenchOptions, BenchReport } from "../run";
import { ensureProductionBuild, obliterateQueue, start, stop, waitUntilUp } from "../lib/processes";
import { runLoad, type LoadResult } from "./load";
import { applyMigrations, ensureDatabase } from "../../app/lib/migrations.server";

const SECRET = "bench-secret";
const CONNECTIONS = 32;

function bodyOf(root: string): Buffer {
  const candidates = [
    path.resolve(root, "..", "shared", "fixtures", "webhooks", "orders-create.json"),
    path.join(root, "test", "fixtures", "webhooks", "orders-create.json"),
  ];
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new Error("orders-create.json fixture not found");
  return Buffer.from(JSON.stringify(JSON.parse(readFileSync(file, "utf8"))));
}

function merge(results: LoadResult[]): LoadResult {
  const requests = results.reduce((s, r) => s + r.requests, 0);
  const ok = results.reduce((s, r) => s + r.ok, 0);
  const seconds = results.reduce((s, r) => s + r.seconds, 0);
  const statuses: Record<string, number> = {};
  for (const r of results) for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  // Percentiles of the merged run: weighted by round (each round's p50/p99 averaged).
  const avg = (f: (r: LoadResult) => number) => results.reduce((s, r) => s + f(r) * r.requests, 0) / Math.max(1, requests);
  return {
    requests,
    ok,
    errors: results.reduce((s, r) => s + r.errors, 0),
    statuses,
    seconds,
    perSecond: ok / seconds,
    p50Ms: avg((r) => r.p50Ms),
    p99Ms: avg((r) => r.p99Ms),
  };
}

export default async function run(options: BenchOptions): Promise<BenchReport> {
  const { root, quick, log } = options;
  const database = `postgresql://postgres@127.0.0.1:5432/lotkeeper_bench_ingest`;
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const prefix = `{lk-bench-${randomUUID().slice(0, 8)}}`;
  const durationMs = quick ? 3000 : 10_000;
  const rounds = quick ? 1 : 3;
  await ensureDatabase(database);
  await applyMigrations(database);

  ensureProductionBuild(root, log);
  const floorFile = path.resolve(root, "..", "shared", "anchors", "ingest-floor.mjs");
  if (!existsSync(floorFile)) throw new Error(`floor not found at ${floorFile} (CI copies shared/ next to the clone)`);

  const floorPort = 39991;
  const appPort = 39992;
  const common = { DATABASE_URL: database, REDIS_URL: redisUrl, SHOPIFY_API_SECRET: SECRET };
  const floor = start(process.execPath, [floorFile], root, { ...common, PORT: String(floorPort) });
  const app = start(process.execPath, [path.join(root, "node_modules", "tsx", "dist", "cli.mjs"), path.join(root, "app", "server", "web-server.ts")], root, {
    ...common,
    PORT: String(appPort),
    NODE_ENV: "production",
    SHOPIFY_API_KEY: "bench-key",
    SHOPIFY_APP_URL: `http://127.0.0.1:${appPort}`,
    QUEUE_PREFIX: prefix,
    LOG_LEVEL: "warn",
  });
  try {
    await Promise.all([waitUntilUp(floorPort), waitUntilUp(appPort)]);
    const body = bodyOf(root);
    const hmac = createHmac("sha256", SECRET).update(body).digest("base64");
    const request = () => ({
      headers: {
        "Content-Type": "application/json",
        "X-Shopify-Topic": "orders/create",
        "X-Shopify-Hmac-Sha256": hmac,
        "X-Shopify-Shop-Domain": "bench-shop.myshopify.com",
        "X-Shopify-API-Version": "2026-10",
        "X-Shopify-Webhook-Id": randomUUID(),
        "X-Shopify-Triggered-At": new Date().toISOString(),
        "X-Shopify-Event-Id": randomUUID(),
      },
      body,
    });
    const target = (port: number, warm: number) => runLoad({ port, path: "/webhooks", connections: CONNECTIONS, durationMs: warm, request });
    log("warming up");
    await target(floorPort, 1000);
    await target(appPort, 1000);
    const floorRuns: LoadResult[] = [];
    const appRuns: LoadResult[] = [];
    for (let i = 0; i < rounds; i++) {
      floorRuns.push(await target(floorPort, durationMs));
      appRuns.push(await target(appPort, durationMs));
      log(`round ${i + 1}: floor ${floorRuns.at(-1)!.perSecond.toFixed(0)}/s, app ${appRuns.at(-1)!.perSecond.toFixed(0)}/s`);
    }
    const f = merge(floorRuns);
    const a = merge(appRuns);
    const ratio = a.perSecond / f.perSecond;
    const row = (label: string, r: LoadResult) =>
      `| ${label} | ${r.perSecond.toFixed(0)} | ${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${r.ok} | ${
        Object.entries(r.statuses)
          .filter(([s]) => s !== "200")
          .map(([s, n]) => `${s}: ${n}`)
          .join(", ") || "none"
      }${r.errors ? `, ${r.errors} socket errors` : ""} |`;
    const goal = ratio >= 0.5 && a.p99Ms < 50 ? "goal met (>= 50% of floor, p99 < 50 ms)" : "goal NOT met (>= 50% of floor, p99 < 50 ms)";
    return {
      name: "ingest",
      summary: `app ${a.perSecond.toFixed(0)}/s (p50 ${a.p50Ms.toFixed(1)} ms, p99 ${a.p99Ms.toFixed(1)} ms) vs floor ${f.perSecond.toFixed(0)}/s (p99 ${f.p99Ms.toFixed(1)} ms): ${(ratio * 100).toFixed(0)}% of floor; ${goal}`,
      markdown: [
        "### ingest: POST /webhooks vs ../shared/anchors/ingest-floor.mjs",
        "",
        `${CONNECTIONS} keep-alive connections, signed orders/create deliveries (${body.length} bytes) with distinct webhook ids, ${rounds} alternating round(s) of ${durationMs / 1000} s each after a 1 s warm-up; load generator on the same machine. App: \`npm start\` server (app/server/web-server.ts), LOG_LEVEL=warn, no worker running.`,
        "",
        "| target | deliveries/s | p50 ms | p99 ms | 200s | other answers |",
        "|---|---|---|---|---|---|",
        row("floor (ingest-floor.mjs)", f),
        row("app (/webhooks)", a),
        "",
        `Ratio app/floor: **${(ratio * 100).toFixed(0)}%**; ${goal}.`,
      ],
    };
  } finally {
    await Promise.all([stop(floor), stop(app)]);
    await obliterateQueue(redisUrl, "webhooks", prefix);
    await obliterateQueue(redisUrl, "anchor-ingest", "bull");
    const client = new pg.Client({ connectionString: database });
    await client.connect();
    await client.query("truncate webhook_events, anchor_inbox").catch(() => undefined);
    await client.end();
  }
}

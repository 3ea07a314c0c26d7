// The real worker process (workers/main.ts) with the Shopify simulator loaded first, as the demo
// runs it. By default it serves the webhooks and shopify-sync queues only: the maintenance queue's
// sweeps (inbox, outbox, import tasks) cover the whole database, and this run's database is shared
// with the integration files running beside it (their stale rows are theirs to handle).
import { spawn } from "node:child_process";
import path from "node:path";
import { ROOT } from "./preview";
import { stopChild } from "../../../app/lib/child-process.server";

export function startWorker(env: Record<string, string>): { stop: () => Promise<void>; output: () => string } {
  const child = spawn(
    path.join(ROOT, "node_modules", ".bin", "tsx"),
    ["--import", path.join(ROOT, "app", "preview", "simulator-preload.ts"), path.join(ROOT, "workers", "main.ts")],
    { cwd: ROOT, env: { ...process.env, LOG_LEVEL: "warn", WORKER_QUEUES: "webhooks,shopify-sync", ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  child.stderr.on("data", (d: Buffer) => (output = (output + d.toString()).slice(-20_000)));
  return {
    output: () => output,
    stop: () => stopChild(child),
  };
}

export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

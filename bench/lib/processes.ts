// What the benchmarks that measure the production server share: build it when missing, start it
// (and workers) as child processes, wait for /healthz, stop them, empty their queues.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { Queue } from "bullmq";
import { stopChild } from "../../app/lib/child-process.server";

/** `npm run build` unless build/server/index.js exists. */
export function ensureProductionBuild(root: string, log: (message: string) => void): void {
  if (existsSync(path.join(root, "build", "server", "index.js"))) return;
  log("no production build: running npm run build");
  const b = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "ignore" });
  if (b.status !== 0) throw new Error("npm run build failed");
}

/** A child process with `env` on top of ours; its last 4 kB of stderr are printed if it fails. */
export function start(command: string, args: string[], cwd: string, env: Record<string, string>): ChildProcess {
  const child = spawn(command, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  child.on("exit", (code, signal) => {
    if (code && code !== 0) process.stderr.write(`${path.basename(args.at(-1) ?? command)} exited ${code ?? signal}: ${stderr}\n`);
  });
  return child;
}

/** SIGTERM (graceful close), SIGKILL after 15 s; returns at once for a child that already ended. */
export function stop(child: ChildProcess): Promise<void> {
  return stopChild(child, 15_000);
}

/** Polls GET /healthz on 127.0.0.1:port until it answers 2xx (60 s at most). */
export async function waitUntilUp(port: number): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`nothing answered on port ${port} within 60 s`);
}

/** Drops a queue and all its jobs (a benchmark's own prefix); errors are ignored (cleanup). */
export async function obliterateQueue(redisUrl: string, name: string, prefix: string): Promise<void> {
  const url = new URL(redisUrl);
  const q = new Queue(name, { connection: { host: url.hostname, port: Number(url.port || 6379) }, prefix });
  await q.obliterate({ force: true }).catch(() => undefined);
  await q.close();
}

/** The settings the app's code needs in a measuring process: the bench database, no real Shopify. */
function appSettings(database: string): Record<string, string> {
  return {
    DATABASE_URL: database,
    SHOPIFY_API_KEY: process.env.SHOPIFY_API_KEY ?? "bench-key",
    SHOPIFY_API_SECRET: process.env.SHOPIFY_API_SECRET ?? "bench-secret",
    SHOPIFY_APP_URL: process.env.SHOPIFY_APP_URL ?? "https://lotkeeper.bench",
  };
}

/**
 * Runs a measuring script (e.g. bench/lots/measure.ts) with tsx in a process of its own, so the
 * app's pool and queues it imports point at the bench database; the last line it prints is the
 * JSON of what it measured. `env` comes on top of the app settings (LOG_LEVEL, the script's own).
 */
export function measureInChild<T>(root: string, script: string, options: { database: string; args?: string[]; env?: Record<string, string> }): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", path.join(root, script), ...(options.args ?? [])], {
      cwd: root,
      env: { ...process.env, ...appSettings(options.database), ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`${script} exited ${code}: ${err.slice(-2000)}`));
      try {
        resolve(JSON.parse(out.trim().split("\n").pop()!) as T);
      } catch (error) {
        reject(error as Error);
      }
    });
  });
}

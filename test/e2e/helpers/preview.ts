// Starts the real preview server (app/preview/server.ts, the app's own build-preview/) as a child
// process on a free loopback port, for one shop. It runs in its own environment (isolation.ts):
// the database <run database>_preview, that database's queue prefix, the secret in .preview/secret.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { stopChild } from "../../../app/lib/child-process.server";
import { previewDatabaseUrl, previewQueuePrefix, previewSecret } from "../../../app/preview/isolation";

export const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");

export interface RunningPreview {
  url: string;
  shop: string;
  /** The database and queue prefix the preview said it runs on. */
  database: string;
  queuePrefix: string;
  output: () => string;
  stop: () => Promise<void>;
}

/** `env` entries set to undefined are removed from the child's environment. */
export function runPreviewProcess(args: string[], env: Record<string, string | undefined> = {}, cwd = ROOT): ChildProcess {
  const childEnv: Record<string, string | undefined> = { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn", ...env };
  for (const [key, value] of Object.entries(childEnv)) if (value === undefined) delete childEnv[key];
  return spawn(path.join(ROOT, "node_modules", ".bin", "tsx"), [path.join(ROOT, "app", "preview", "server.ts"), ...args], {
    cwd,
    env: childEnv as NodeJS.ProcessEnv,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/**
 * What a test process needs to work beside a preview started from this run: its database URL,
 * queue prefix and secret (the same derivation the preview makes from the run's DATABASE_URL).
 */
export function previewEnvironmentOfRun(): { DATABASE_URL: string; QUEUE_PREFIX: string; SHOPIFY_API_SECRET: string } {
  const database = previewDatabaseUrl(process.env.LOTKEEPER_TEST_DATABASE_URL ?? process.env.DATABASE_URL!);
  return { DATABASE_URL: database, QUEUE_PREFIX: previewQueuePrefix(database), SHOPIFY_API_SECRET: previewSecret() };
}

export async function startPreview(shop: string, env: Record<string, string | undefined> = {}): Promise<RunningPreview> {
  const child = runPreviewProcess(["--port", "0", "--shop", shop, "--no-worker", "--no-build"], env);
  let output = "";
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`preview did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const found = /Lotkeeper preview for \S+: (http:\/\/[^\s]+)\/preview \(database (\S+), queues ([^,\s)]+)/.exec(output);
      if (found) {
        clearTimeout(timer);
        resolve(found);
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`preview exited with ${code} before listening:\n${output}`));
    });
  });
  return {
    url: match[1]!,
    shop,
    database: match[2]!,
    queuePrefix: match[3]!,
    output: () => output,
    stop: () => stopChild(child, 30_000),
  };
}

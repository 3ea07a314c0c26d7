// A worker as `npm run worker` runs it: workers/main.ts in a child process of its own, for tests
// that need real processes (two workers racing, a worker killed mid-job, a graceful stop).
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

export type WorkerProcess = ChildProcess & {
  /** The last 20 kB the worker printed (stdout and stderr), for a failure message or a log check. */
  output: () => string;
};

/** Starts workers/main.ts with `env` on top of this process's environment. The caller stops it. */
export function startWorkerProcess(env: Record<string, string>): WorkerProcess {
  const child = spawn(process.execPath, ["--import", "tsx", "workers/main.ts"], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (d: Buffer) => (output = (output + d.toString()).slice(-20_000));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  return Object.assign(child, { output: () => output });
}

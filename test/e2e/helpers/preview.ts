// Starts the real preview server (app/preview/server.ts, the app's own build) as a child process
// on a free loopback port, for one shop, against the test run's database.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { stopChild } from "../../../app/lib/child-process.server";

export const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");

export interface RunningPreview {
  url: string;
  shop: string;
  output: () => string;
  stop: () => Promise<void>;
}

export function runPreviewProcess(args: string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(path.join(ROOT, "node_modules", ".bin", "tsx"), [path.join(ROOT, "app", "preview", "server.ts"), ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export async function startPreview(shop: string, env: Record<string, string> = {}): Promise<RunningPreview> {
  const child = runPreviewProcess(["--port", "0", "--shop", shop, "--no-worker"], env);
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`preview did not start within 60 s:\n${output}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Lotkeeper preview for \S+: (http:\/\/[^\s]+)\/preview/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
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
    url,
    shop,
    output: () => output,
    stop: () => stopChild(child, 30_000),
  };
}

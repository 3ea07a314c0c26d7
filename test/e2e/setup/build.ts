// The browser tests drive the production build of the app, so `npm test` builds it once per run
// (from a fresh clone there is no build). LOTKEEPER_E2E_SKIP_BUILD=1 reuses an existing build while
// iterating on a test.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");

export default function setup(): void {
  if (process.env.LOTKEEPER_E2E_SKIP_BUILD === "1" && existsSync(path.join(ROOT, "build", "server", "index.js"))) return;
  const result = spawnSync(path.join(ROOT, "node_modules", ".bin", "remix"), ["vite:build"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production" },
    encoding: "utf8",
  });
  if (result.status !== 0) {
    throw new Error(`remix vite:build failed (exit ${result.status}):\n${result.stdout}\n${result.stderr}`);
  }
}

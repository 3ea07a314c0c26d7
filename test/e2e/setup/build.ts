// The browser tests drive the production build of the app, so `npm test` builds it once per run
// (from a fresh clone there is no build): the preview's own build step (buildPreviewApp, into
// build-preview/, what `npm run preview` and the demo run), copied to build/ for the tests of
// `npm start`. LOTKEEPER_E2E_SKIP_BUILD=1 reuses existing builds while iterating on a test.
import { cpSync, existsSync, rmSync } from "node:fs";
import path from "node:path";
import { buildPreviewApp, PREVIEW_BUILD_DIR } from "../../../app/preview/isolation";

const ROOT = path.resolve(import.meta.dirname, "..", "..", "..");
const BUILD_DIR = path.join(ROOT, "build");

export default function setup(): void {
  const built = (dir: string) => existsSync(path.join(dir, "server", "index.js"));
  if (process.env.LOTKEEPER_E2E_SKIP_BUILD === "1" && built(PREVIEW_BUILD_DIR) && built(BUILD_DIR)) return;
  buildPreviewApp();
  rmSync(BUILD_DIR, { recursive: true, force: true });
  cpSync(PREVIEW_BUILD_DIR, BUILD_DIR, { recursive: true });
}

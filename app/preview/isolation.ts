// What makes a preview (and the demo, which runs one) a local preview and nothing else
// (docs/decisions/090-preview-isolation.md). Whatever the environment or .env says, it runs with:
//  - its own secret, generated once into .preview/secret (never SHOPIFY_API_SECRET: a session
//    token the preview mints must be worthless to any other server of the app);
//  - its own database on this machine, named <name>_preview (DATABASE_URL's name with _preview
//    appended, or DATABASE_URL itself when its name already ends in _preview), which it creates
//    and marks itself (preview-database.server.ts);
//  - its own queue prefix, derived from that database (never the inherited QUEUE_PREFIX);
//  - its own build folder, build-preview/ (the production build/ is never touched).
// Nothing here imports the app: it runs before env() is parsed.
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse as parseDotEnv } from "dotenv";
import { assertNotProduction, isLoopbackHost, PreviewRefusedError } from "./guard";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
/** The preview's own build (remix vite:build with LOTKEEPER_BUILD_DIRECTORY=build-preview). */
export const PREVIEW_BUILD_DIR = path.join(ROOT, "build-preview");
/** `remix vite:build` into build-preview/ (a production build, as `npm start` serves; build/ untouched). */
export function buildPreviewApp(): void {
  const result = spawnSync(path.join(ROOT, "node_modules", ".bin", "remix"), ["vite:build"], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, NODE_ENV: "production", LOTKEEPER_BUILD_DIRECTORY: path.relative(ROOT, PREVIEW_BUILD_DIR) },
  });
  if (result.status !== 0) throw new Error(`the preview build (remix vite:build into build-preview/) failed:\n${result.stdout}\n${result.stderr}`);
}

/** The preview's local state (its secret); gitignored. */
export const PREVIEW_STATE_DIR = path.join(ROOT, ".preview");
const SECRET_FILE = path.join(PREVIEW_STATE_DIR, "secret");
const DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/lotkeeper";
const PREVIEW_SUFFIX = "_preview";

function databaseName(url: URL): string {
  return decodeURIComponent(url.pathname.replace(/^\//, ""));
}

/** The preview's database: DATABASE_URL's server, its name with `_preview` appended (kept when it already ends so). */
export function previewDatabaseUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const name = databaseName(url) || "lotkeeper";
  if (!name.endsWith(PREVIEW_SUFFIX)) url.pathname = `/${name}${PREVIEW_SUFFIX}`;
  return url.toString();
}

export function isPreviewDatabaseName(name: string): boolean {
  return name.endsWith(PREVIEW_SUFFIX) && /^[A-Za-z0-9_]+$/.test(name);
}

/** The preview's queue prefix: one per preview database, never a prefix a production worker uses. */
export function previewQueuePrefix(previewDatabase: string): string {
  return `{lotkeeper-preview:${databaseName(new URL(previewDatabase))}}`;
}

/** The database server is this machine: a loopback address or a Unix socket (`?host=/run/postgresql`). */
export function databaseHostIsLocal(databaseUrl: string): { local: boolean; host: string } {
  const url = new URL(databaseUrl);
  const socket = url.searchParams.get("host");
  const host = decodeURIComponent(url.hostname) || socket || "";
  if (host === "" || host.startsWith("/")) return { local: true, host: host || "(local socket)" };
  return { local: isLoopbackHost(host), host };
}

/** A value of the .env this process loads (dotenv's default: the working directory's). */
function dotEnvValue(name: string): string | undefined {
  const dotEnv = path.resolve(".env");
  return existsSync(dotEnv) ? parseDotEnv(readFileSync(dotEnv))[name] : undefined;
}

/** The preview's own secret: read from .preview/secret, or generated there (mode 0600) on first use. */
export function previewSecret(): string {
  if (!existsSync(SECRET_FILE)) {
    mkdirSync(PREVIEW_STATE_DIR, { recursive: true, mode: 0o700 });
    try {
      writeFileSync(SECRET_FILE, `preview-${randomBytes(24).toString("hex")}\n`, { flag: "wx", mode: 0o600 });
    } catch (error) {
      if ((error as { code?: string }).code !== "EEXIST") throw error; // another preview wrote it first
    }
  }
  const secret = readFileSync(SECRET_FILE, "utf8").trim();
  if (!/^preview-[0-9a-f]{48}$/.test(secret)) {
    throw new PreviewRefusedError(
      `Refusing to start the preview: ${path.relative(ROOT, SECRET_FILE)} does not hold a secret the preview generated; delete it and start again.`,
    );
  }
  return secret;
}

export interface PreviewEnvironment {
  /** development (test is kept: the browser tests' processes). */
  NODE_ENV: "development" | "test";
  DATABASE_URL: string;
  QUEUE_PREFIX: string;
  SHOPIFY_API_SECRET: string;
}

/**
 * The settings a preview process and its worker run with, from the inherited environment (and
 * .env). Throws PreviewRefusedError when they point anywhere but a local preview: NODE_ENV is
 * production, the database server is not this machine, or the preview secret is the app's secret.
 */
export function previewEnvironment(env: NodeJS.ProcessEnv = process.env): PreviewEnvironment {
  assertNotProduction(env.NODE_ENV);
  const database = previewDatabaseUrl(env.DATABASE_URL ?? dotEnvValue("DATABASE_URL") ?? DEFAULT_DATABASE_URL);
  const { local, host } = databaseHostIsLocal(database);
  if (!local) {
    throw new PreviewRefusedError(
      `Refusing to start the preview: DATABASE_URL points at ${host}, not this machine. The preview keeps simulated data in a database of its own on a local PostgreSQL (127.0.0.1, ::1 or a socket); it never runs beside a real installation.`,
    );
  }
  const secret = previewSecret();
  // (SHOPIFY_API_SECRET in the environment is the preview secret itself in a process the preview or demo started.)
  if (dotEnvValue("SHOPIFY_API_SECRET") === secret) {
    throw new PreviewRefusedError(
      "Refusing to start the preview: .preview/secret is the app's SHOPIFY_API_SECRET; delete .preview/secret so the preview generates its own.",
    );
  }
  return {
    NODE_ENV: env.NODE_ENV === "test" ? "test" : "development",
    DATABASE_URL: database,
    QUEUE_PREFIX: previewQueuePrefix(database),
    SHOPIFY_API_SECRET: secret,
  };
}

/**
 * Puts the preview environment into this process (before env() is parsed: dotenv never overrides
 * what is set) and drops settings a preview must not inherit (the worker's metrics port). Returns
 * it, for child processes.
 */
export function isolatePreviewProcess(env: NodeJS.ProcessEnv = process.env): PreviewEnvironment {
  const preview = previewEnvironment(env);
  Object.assign(env, preview);
  delete env.WORKER_METRICS_PORT;
  return preview;
}

/**
 * For a process the preview starts (its worker, with the simulator preloaded): refuses unless the
 * environment is the one isolatePreviewProcess gave it, so the simulator never runs on a real
 * database or takes jobs from a real queue.
 */
export function assertPreviewChildEnvironment(env: Record<string, string | undefined> = process.env): void {
  const database = env.DATABASE_URL ?? "";
  let name = "";
  try {
    name = databaseName(new URL(database));
  } catch {
    // not a URL: refused below
  }
  if (
    env.NODE_ENV === "production" ||
    !isPreviewDatabaseName(name) ||
    !databaseHostIsLocal(database).local ||
    env.QUEUE_PREFIX !== previewQueuePrefix(database)
  ) {
    throw new PreviewRefusedError(
      `Refusing to load the Shopify simulator: this process is not a preview's (it needs a local *_preview database and its queue prefix; got database "${name || "(none)"}", QUEUE_PREFIX "${env.QUEUE_PREFIX ?? "(unset)"}"). Start it through npm run preview or npm run demo.`,
    );
  }
}

// `npm run preview` must refuse to start where real merchants could reach it, and run only as a
// local preview (docs/decisions/090): the real entry point, started as a process with what a
// production box has (a production .env, NODE_ENV unset, the app's real secret and queue prefix),
// exits with one line and binds nothing, builds nothing and leaves build/ and every real session
// as they were; when it does start, it is on its own database, queues and secret.
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { isFreshSessionToken } from "../../app/preview/session-token";
import { PREVIEW_BUILD_DIR, previewSecret } from "../../app/preview/isolation";
import { preparePreviewDatabase } from "../../app/preview/preview-database.server";
import { uniqueShopDomain } from "../helpers/shops";
import { previewEnvironmentOfRun, ROOT, runPreviewProcess, startPreview } from "./helpers/preview";

const REAL_SECRET = "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";
const REAL_TOKEN = "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";

/** What a production box's environment holds: the app's settings, NODE_ENV unset (only `npm start` sets it). */
const PRODUCTION_ENV = {
  NODE_ENV: undefined,
  SHOPIFY_API_KEY: "3b1f0c9e2d7a4b6c8e5f1a2b3c4d5e6f",
  SHOPIFY_API_SECRET: REAL_SECRET,
  SHOPIFY_APP_URL: "https://lotkeeper.example.com",
  QUEUE_PREFIX: "{lotkeeper}",
  WORKER_METRICS_PORT: "9464",
};

function run(args: string[], env: Record<string, string | undefined>, cwd?: string): Promise<{ code: number | null; output: string }> {
  const child = runPreviewProcess(args, env, cwd);
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  return new Promise((resolve) => child.once("exit", (code) => resolve({ code, output })));
}

/** A directory holding a production .env (the preview is started from it, as `npm run preview` would be). */
function productionDotEnv(databaseUrl: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "lotkeeper-prod-env-"));
  writeFileSync(
    path.join(dir, ".env"),
    [
      `DATABASE_URL=${databaseUrl}`,
      `SHOPIFY_API_KEY=${PRODUCTION_ENV.SHOPIFY_API_KEY}`,
      `SHOPIFY_API_SECRET=${REAL_SECRET}`,
      `SHOPIFY_APP_URL=${PRODUCTION_ENV.SHOPIFY_APP_URL}`,
      `QUEUE_PREFIX={lotkeeper}`,
      "",
    ].join("\n"),
  );
  return dir;
}

/** Every file under a folder with its size and modification time (absent folder: null). */
function tree(dir: string): Record<string, string> | null {
  try {
    statSync(dir);
  } catch {
    return null;
  }
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else {
        const s = statSync(full);
        files[path.relative(dir, full)] = `${s.size}:${s.mtimeMs}`;
      }
    }
  };
  walk(dir);
  return files;
}

/**
 * A free port below Linux's ephemeral range (32768-60999): the test looks at it again after the
 * run, and a port the system hands out (listen on port 0, outgoing connections) could meanwhile
 * belong to another process of this busy machine.
 */
async function freePort(): Promise<number> {
  for (;;) {
    const candidate = 20_000 + Math.floor(Math.random() * 10_000);
    const server = net.createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once("error", () => resolve(false));
      server.listen(candidate, "127.0.0.1", () => resolve(true));
    });
    if (!bound) continue;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return candidate;
  }
}

async function isListening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
  });
}

async function query<T extends pg.QueryResultRow>(databaseUrl: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

const adminUrl = (databaseUrl: string) => Object.assign(new URL(databaseUrl), { pathname: "/postgres" }).toString();
const dropLater: string[] = [];
afterAll(async () => {
  for (const url of dropLater) await query(adminUrl(url), `drop database if exists "${new URL(url).pathname.slice(1)}" with (force)`);
});

/** Refused: exit 1, one line naming why, nothing listening, build/ and build-preview/ as they were. */
async function expectRefusal(args: string[], env: Record<string, string | undefined>, message: RegExp, cwd?: string): Promise<void> {
  const port = await freePort();
  const builds = { build: tree(path.join(ROOT, "build")), preview: tree(PREVIEW_BUILD_DIR) };
  const result = await run(["--port", String(port), ...args], env, cwd);
  expect(result.code, result.output).toBe(1);
  expect(result.output.trim().split("\n"), result.output).toHaveLength(1);
  expect(result.output).toMatch(message);
  expect(await isListening(port)).toBe(false);
  expect({ build: tree(path.join(ROOT, "build")), preview: tree(PREVIEW_BUILD_DIR) }).toEqual(builds);
}

describe("preview refuses to start", () => {
  it("when NODE_ENV is production", async () => {
    await expectRefusal([], { NODE_ENV: "production" }, /^Refusing to start the preview: NODE_ENV is production/);
  });

  it("on a host that is not loopback", async () => {
    await expectRefusal(["--host", "0.0.0.0"], {}, /only listens on a loopback address/);
  });

  it("with a production .env whose database is another machine's (NODE_ENV unset, the app's real secret)", async () => {
    const dir = productionDotEnv("postgresql://lotkeeper:s3cret@db.internal.example:5432/lotkeeper");
    await expectRefusal(
      [],
      {
        ...PRODUCTION_ENV,
        SHOPIFY_API_SECRET: undefined,
        SHOPIFY_API_KEY: undefined,
        SHOPIFY_APP_URL: undefined,
        QUEUE_PREFIX: undefined,
        DATABASE_URL: undefined,
      },
      /^Refusing to start the preview: DATABASE_URL points at db\.internal\.example, not this machine/,
      dir,
    );
  });

  it("on a *_preview database it did not create (one restored from production, say): a real session there stays", async () => {
    const run = new URL(process.env.DATABASE_URL!);
    const impostor = Object.assign(new URL(run), { pathname: `${run.pathname}_restored_preview` }).toString();
    dropLater.push(impostor);
    await query(adminUrl(impostor), `create database "${new URL(impostor).pathname.slice(1)}"`);
    await query(impostor, `create table "Session" (id text primary key, shop text, "accessToken" text)`);
    await query(impostor, `insert into "Session" values ('offline_real.myshopify.com', 'real.myshopify.com', $1)`, [REAL_TOKEN]);
    await expectRefusal(
      ["--shop", "real.myshopify.com"],
      { ...PRODUCTION_ENV, DATABASE_URL: impostor },
      /database "\S+_restored_preview" exists but was not created by the preview/,
    );
    expect(await query(impostor, `select id, "accessToken" from "Session"`)).toEqual([{ id: "offline_real.myshopify.com", accessToken: REAL_TOKEN }]);
  });

  it("for a shop whose stored session holds a real access token, and leaves that session as it was", async () => {
    const { DATABASE_URL } = previewEnvironmentOfRun();
    await preparePreviewDatabase(DATABASE_URL);
    const shop = uniqueShopDomain("installed");
    const session = { id: `offline_${shop}`, shop, state: "", isOnline: false, scope: "read_orders", accessToken: REAL_TOKEN };
    await query(
      DATABASE_URL,
      `insert into "Session" (id, shop, state, "isOnline", scope, "accessToken") values ($1, $2, $3, $4, $5, $6)`,
      Object.values(session),
    );
    await expectRefusal(
      ["--shop", shop, "--no-worker"],
      { ...PRODUCTION_ENV, DATABASE_URL: process.env.DATABASE_URL },
      new RegExp(`^Refusing to start the preview for ${shop.replace(/\./g, "\\.")}: its stored session offline_\\S+ holds a real access token`),
    );
    expect(await query(DATABASE_URL, `select id, shop, state, "isOnline", scope, "accessToken" from "Session" where shop = $1`, [shop])).toEqual([session]);
  });
});

describe("preview started with a production-like environment on this machine", () => {
  it("runs on its own database, queues and secret: its tokens are worthless to the app, the run database's real session untouched", async () => {
    const runDatabase = process.env.DATABASE_URL!;
    // A shop installed for real in DATABASE_URL's database.
    const shop = uniqueShopDomain("real");
    await query(runDatabase, `insert into shops (domain, updated_at) values ($1, now())`, [shop]);
    await query(runDatabase, `insert into "Session" (id, shop, state, "isOnline", scope, "accessToken") values ($1, $2, '', false, 'read_orders', $3)`, [
      `offline_${shop}`,
      shop,
      REAL_TOKEN,
    ]);
    const build = tree(path.join(ROOT, "build"));

    const preview = await startPreview(shop, { ...PRODUCTION_ENV, DATABASE_URL: runDatabase });
    try {
      const expected = previewEnvironmentOfRun();
      expect(preview.database).toBe(new URL(expected.DATABASE_URL).pathname.slice(1));
      expect(preview.database).not.toBe(new URL(runDatabase).pathname.slice(1));
      expect(preview.queuePrefix).toBe(expected.QUEUE_PREFIX);
      expect(preview.queuePrefix).not.toBe(PRODUCTION_ENV.QUEUE_PREFIX);
      // The unauthenticated token endpoint signs with the preview's own secret, never the app's.
      const { token } = (await (await fetch(`${preview.url}/preview/session-token`)).json()) as { token: string };
      expect(isFreshSessionToken(token, previewSecret())).toBe(true);
      expect(isFreshSessionToken(token, REAL_SECRET)).toBe(false);
      // Its session is in its own database; the real one is exactly as it was.
      expect(await query(expected.DATABASE_URL, `select "accessToken" from "Session" where shop = $1`, [shop])).toEqual([
        { accessToken: "shpat_preview_simulator_only" },
      ]);
    } finally {
      await preview.stop();
    }
    expect(await query(runDatabase, `select "accessToken" from "Session" where shop = $1`, [shop])).toEqual([{ accessToken: REAL_TOKEN }]);
    expect(tree(path.join(ROOT, "build"))).toEqual(build);
  });

  it("a worker with the simulator preloaded refuses to run on a real database and queue prefix", async () => {
    const child = spawn(
      path.join(ROOT, "node_modules", ".bin", "tsx"),
      ["--import", path.join(ROOT, "app", "preview", "simulator-preload.ts"), path.join(ROOT, "workers", "main.ts")],
      {
        cwd: ROOT,
        env: { ...process.env, ...PRODUCTION_ENV, NODE_ENV: "development", DATABASE_URL: process.env.DATABASE_URL },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code, output).toBe(1);
    expect(output.trim().split("\n")).toHaveLength(1);
    expect(output).toMatch(/^Refusing to load the Shopify simulator: this process is not a preview's .*QUEUE_PREFIX "\{lotkeeper\}"/);
  });
});

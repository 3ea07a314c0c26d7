// Start-up as an operator meets it, through the real binaries in child processes: a bad setting
// or a service that does not answer stops `npx lotkeeper`, the worker and the web server with ONE
// line on stderr naming the variable or the service (never a stack trace); `--help` works anyway.
import { execFile } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "..", "..");

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(file: string, args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd: ROOT, env: { ...process.env, LOG_LEVEL: "silent", ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

const lotkeeper = (args: string[], env: Record<string, string> = {}) => run("npx", ["--no-install", "lotkeeper", ...args], env);
const tsEntry = (file: string, env: Record<string, string>) => run(process.execPath, ["--import", "tsx", file], env);

/** stderr is exactly one line (no stack trace) and returns it. */
function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split("\n");
  expect(lines, stderr).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}

describe("start-up with a bad configuration", () => {
  it("lotkeeper doctor with PORT=abc: exit 1, one stderr line naming PORT, the JSON report shows the config check failed", async () => {
    const result = await lotkeeper(["doctor"], { PORT: "abc" });
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toMatch(/^doctor: config failed: Configuration error: PORT must be a number \(got "abc"\)/);
    const report = JSON.parse(result.stdout) as { ok: boolean; checks: Array<{ name: string; ok: boolean; message: string }> };
    expect(report.ok).toBe(false);
    expect(report.checks).toEqual([expect.objectContaining({ name: "config", ok: false, message: expect.stringContaining("PORT") })]);
  });

  it("lotkeeper --help still prints the commands when the configuration is bad", async () => {
    const bad: Array<Record<string, string>> = [{ PORT: "abc" }, { SHOPIFY_APP_URL: "notaurl" }, { SHOPIFY_API_SECRET: "" }];
    for (const env of bad) {
      const result = await lotkeeper(["--help"], env);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toContain("Usage: npx lotkeeper <command>");
      expect(result.stdout).toMatch(/^\s+doctor\s+Check configuration/m);
    }
  });

  it("a command that needs the configuration stops with one line naming the empty variable", async () => {
    const result = await lotkeeper(["lots", "list", "--shop", "startup-test.myshopify.com"], { SHOPIFY_API_SECRET: "" });
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toContain("Configuration error: SHOPIFY_API_SECRET is required");
    expect(result.stdout).toBe("");
  });

  it("the worker (workers/main.ts) with SHOPIFY_APP_URL=notaurl exits 1 with one line naming it", async () => {
    const result = await tsEntry("workers/main.ts", { SHOPIFY_APP_URL: "notaurl" });
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toBe("Configuration error: SHOPIFY_APP_URL must be a URL starting with http:// or https:// (see .env.example)");
  });

  it("the web server (app/server/web-server.ts) with PG_POOL_MAX=0 exits 1 with one line naming it", async () => {
    const result = await tsEntry("app/server/web-server.ts", { NODE_ENV: "production", PG_POOL_MAX: "0" });
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toMatch(/^Configuration error: PG_POOL_MAX /);
  });
});

describe("web server start-up with a service down", () => {
  it("Postgres not answering (DATABASE_URL at a closed port): exit 1 with the Postgres line, before serving", async () => {
    const result = await tsEntry("app/server/web-server.ts", { NODE_ENV: "production", DATABASE_URL: "postgresql://postgres@127.0.0.1:1/lotkeeper" });
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toMatch(/^Postgres is not answering at 127\.0\.0\.1:1 \(DATABASE_URL\): start it with /);
    expect(result.stdout).not.toContain("web server listening");
  });

  it("the database missing: exit 1 saying to run npm run setup", async () => {
    const url = new URL(process.env.DATABASE_URL!);
    url.pathname = "/lotkeeper_missing_startup_test";
    const result = await tsEntry("app/server/web-server.ts", { NODE_ENV: "production", DATABASE_URL: url.toString() });
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toMatch(/has no database "lotkeeper_missing_startup_test": run `npm run setup`$/);
  });

  it("Redis not answering: exit 1 with the Redis line, like the worker", async () => {
    const result = await tsEntry("app/server/web-server.ts", { NODE_ENV: "production", REDIS_URL: "redis://127.0.0.1:1" });
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toMatch(/^Redis is not answering at 127\.0\.0\.1:1 \(REDIS_URL\): start it with /);
  });
});

describe("lotkeeper gs1 parse", () => {
  it("prints gtin, lot, expiry, bestBefore, productionDate and serial for a valid scan", async () => {
    const result = await lotkeeper(["gs1", "parse", "(01)09506000134352(17)261130(10)ABC123"]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      gtin: "09506000134352",
      lot: "ABC123",
      expiry: "2026-11-30",
      bestBefore: null,
      productionDate: null,
      serial: null,
    });
  });

  it("a wrong GTIN check digit: exit 1, one stderr line saying so, nothing on stdout", async () => {
    const result = await lotkeeper(["gs1", "parse", "(01)09506000134353(17)261130(10)ABC123"]);
    expect(result.code).toBe(1);
    expect(oneLine(result.stderr)).toMatch(/^gs1: .*check digit/i);
    expect(result.stdout).toBe("");
  });
});

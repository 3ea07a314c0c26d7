// `npm run setup`: .env, database, migrations. Idempotent.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { applyMigrations, ensureDatabase, migrationsApplied, ROOT } from "./migrations.server";
import { checkPostgres } from "./services.server";

export function ensureDotEnv(): boolean {
  const target = path.join(ROOT, ".env");
  if (existsSync(target)) return false;
  const example = readFileSync(path.join(ROOT, ".env.example"), "utf8");
  writeFileSync(target, example.replace(/^SHOPIFY_API_SECRET=.*$/m, `SHOPIFY_API_SECRET=local-${randomBytes(16).toString("hex")}`));
  return true;
}

export async function setupDatabase(): Promise<{ envCreated: boolean; databaseCreated: boolean; migrations: string[] }> {
  const envCreated = ensureDotEnv();
  if (envCreated) {
    // Values from the new .env apply to this process too (dotenv never overrides what is set).
    const { config } = await import("dotenv");
    config({ path: path.join(ROOT, ".env"), quiet: true });
  }
  const { env } = await import("../env.server");
  const url = env().DATABASE_URL;
  const admin = new URL(url);
  admin.pathname = "/postgres";
  await checkPostgres(admin.toString());
  const databaseCreated = await ensureDatabase(url);
  await applyMigrations(url);
  return { envCreated, databaseCreated, migrations: await migrationsApplied(url) };
}

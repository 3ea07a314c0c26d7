// One fresh database per test run, created and migrated the way production is (prisma migrate
// deploy), dropped at the end. Test files run in child processes that inherit DATABASE_URL.
import pg from "pg";
import { applyMigrations, ensureDatabase } from "../../app/lib/migrations.server";

const base = process.env.TEST_DATABASE_BASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export default async function setup(): Promise<() => Promise<void>> {
  if (process.env.LOTKEEPER_TEST_DATABASE_URL) {
    // Already set up by another project in this run (vitest runs each project's globalSetup).
    process.env.DATABASE_URL = process.env.LOTKEEPER_TEST_DATABASE_URL;
    return async () => undefined;
  }
  const name = `lotkeeper_test_${Date.now()}_${process.pid}`;
  const url = new URL(base);
  url.pathname = `/${name}`;
  await ensureDatabase(url.toString());
  await applyMigrations(url.toString());
  process.env.DATABASE_URL = url.toString();
  process.env.LOTKEEPER_TEST_DATABASE_URL = url.toString();
  return async () => {
    if (process.env.KEEP_TEST_DATABASE) return;
    const admin = new pg.Client({ connectionString: base });
    await admin.connect();
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  };
}

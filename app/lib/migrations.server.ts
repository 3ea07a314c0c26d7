// Migrations: which ones the repository has, which ones the database has applied, and applying
// them with `prisma migrate deploy` (the way production applies them).
import { spawn } from "node:child_process";
import { readdir } from "node:fs/promises";
import path from "node:path";
import pg from "pg";

export const ROOT = path.resolve(import.meta.dirname, "..", "..");
const MIGRATIONS_DIR = path.join(ROOT, "prisma", "migrations");

export async function migrationsInRepo(): Promise<string[]> {
  const entries = await readdir(MIGRATIONS_DIR, { withFileTypes: true });
  return entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
}

export async function migrationsApplied(databaseUrl: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const exists = await client.query(`select to_regclass('public._prisma_migrations') as t`);
    if (!exists.rows[0]?.t) return [];
    const rows = await client.query(
      `select migration_name from _prisma_migrations where finished_at is not null and rolled_back_at is null order by migration_name`,
    );
    return rows.rows.map((r: { migration_name: string }) => r.migration_name);
  } finally {
    await client.end();
  }
}

export function applyMigrations(databaseUrl: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(ROOT, "node_modules", ".bin", "prisma"), ["migrate", "deploy"], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: databaseUrl, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve() : reject(new Error(`prisma migrate deploy failed: ${output.trim().split("\n").slice(-3).join(" ")}`))));
  });
}

/** CREATE DATABASE when the one in the URL is missing (connecting to the `postgres` database). */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`database name "${name}" must be letters, digits and _`);
  const admin = new URL(databaseUrl);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query("select 1 from pg_database where datname = $1", [name]);
    if (found.rowCount) return false;
    await client.query(`create database "${name}"`);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code === "42P04") return false; // created meanwhile
    throw error;
  } finally {
    await client.end();
  }
}

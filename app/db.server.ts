// The one database pool of this process (docs/decisions/096-one-data-layer.md). The app's data
// layer is SQL on this pg pool: every domain use case (app/domain/**/*.server.ts) runs its queries
// through `pool()` or a transaction (app/lib/sql.server.ts). Prisma is for the schema and its
// migrations (prisma/) and for Shopify's session storage (app/shopify.server.ts); its client runs
// over this same pool (PrismaPg), so a process holds at most PG_POOL_MAX connections.
import pg from "pg";
import { PrismaClient } from "@prisma/client";
import { PrismaPg } from "@prisma/adapter-pg";
import { env } from "./env.server";

// For our own SQL: BIGINT comes back as bigint (Shopify ids exceed 2^53), DATE as 'YYYY-MM-DD'
// text, NUMERIC as string. Prisma is unaffected: @prisma/adapter-pg passes its own type parsers
// with every query it sends (pg's defaults plus its own), so it may share the pool.
const sqlTypes = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (oid === pg.types.builtins.INT8) return (v: string) => BigInt(v);
    if (oid === pg.types.builtins.DATE) return (v: string) => v;
    return pg.types.getTypeParser(oid, format as "text");
  },
} as pg.CustomTypesConfig;

interface Handles {
  pool: pg.Pool;
  prisma: PrismaClient;
}

const globalForDb = globalThis as unknown as { __lotkeeperDb?: Handles };

function create(): Handles {
  const { DATABASE_URL, PG_POOL_MAX: max, PG_POOL_WAIT_MS } = env();
  const pool = new pg.Pool({ connectionString: DATABASE_URL, max, connectionTimeoutMillis: PG_POOL_WAIT_MS, types: sqlTypes });
  pool.on("error", () => {
    // An idle client lost its connection (Postgres restarted): the pool replaces it on next use.
  });
  // An external pool: $disconnect() leaves it open; closeDb() ends it.
  const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
  return { pool, prisma };
}

function db(): Handles {
  // One per process; survives Remix dev reloads.
  globalForDb.__lotkeeperDb ??= create();
  return globalForDb.__lotkeeperDb;
}

/**
 * The Prisma client, created on first use (not on import): an entry point can then import this
 * module, validate the configuration itself and exit with one line naming a bad variable
 * (app/lib/fail-fast.server.ts) instead of crashing with a stack trace while importing.
 */
export const prisma: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, property) {
    const client = db().prisma;
    const value: unknown = Reflect.get(client, property, client);
    return typeof value === "function" ? (value as (...args: unknown[]) => unknown).bind(client) : value;
  },
  has: (_target, property) => Reflect.has(db().prisma, property),
});

export function pool(): pg.Pool {
  return db().pool;
}

export async function closeDb(): Promise<void> {
  const current = globalForDb.__lotkeeperDb;
  if (!current) return;
  globalForDb.__lotkeeperDb = undefined; // the next use opens new ones
  await current.prisma.$disconnect();
  await current.pool.end().catch(() => undefined);
}

export default prisma;

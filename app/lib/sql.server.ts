// Transactions over the SQL pool. Hot paths (intake, allocation, recall) and every webhook
// handler run SQL on one pg client inside one transaction, so "effect + mark processed" commits
// or rolls back as a whole.
import type pg from "pg";
import { pool } from "../db.server";

/** The one database handle type: the pool, or a client inside withTransaction (docs/decisions/096-one-data-layer.md). */
export type Db = Pick<pg.PoolClient, "query">;

const RETRYABLE = new Set(["40001", "40P01"]); // serialization failure, deadlock detected

export interface TransactionOptions {
  /** Retries on serialization failure or deadlock (the whole function runs again). */
  retries?: number;
  isolation?: "read committed" | "repeatable read" | "serializable";
}

export async function withTransaction<T>(fn: (sql: Db) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
  const retries = options.retries ?? 5;
  for (let attempt = 0; ; attempt++) {
    const client = await pool().connect();
    const connection = watchConnection(client);
    try {
      await client.query(options.isolation ? `begin isolation level ${options.isolation}` : "begin");
      const result = await fn(client);
      await client.query("commit");
      return result;
    } catch (error) {
      await client.query("rollback").catch((rollbackError: Error) => connection.broke(rollbackError));
      const code = (error as { code?: string }).code;
      if (code && RETRYABLE.has(code) && attempt < retries && !connection.broken()) {
        await new Promise((r) => setTimeout(r, 5 + Math.random() * 20 * (attempt + 1)));
        continue;
      }
      throw error;
    } finally {
      connection.release();
    }
  }
}

/**
 * Listens for the connection of a checked-out client breaking (Postgres restarted or went away:
 * pg emits 'error' on the client, and an 'error' without a listener ends the process). The
 * statement in flight fails with its own error, which fails the job so BullMQ retries it later;
 * release() then gives the client back WITH the error, so the pool discards it instead of
 * handing a dead connection to the next caller. Used by every holder of a pooled client.
 */
export function watchConnection(client: pg.PoolClient, onBreak?: (error: Error) => void) {
  let broken: Error | undefined;
  let released = false;
  const listener = (error: Error) => {
    broken ??= error;
    onBreak?.(error);
  };
  client.on("error", listener);
  return {
    broke: (error: Error) => void (broken ??= error),
    broken: () => broken,
    release(error?: Error) {
      if (released) return;
      released = true;
      const cause = broken ?? error;
      // A broken client keeps a listener: it may still report the end of its socket after release.
      if (cause) client.on("error", () => undefined);
      client.removeListener("error", listener);
      client.release(cause);
    },
  };
}

export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: string }).code === "23505";
}

/**
 * A sum of units as Postgres returns it. Sum them as bigint (`sum(quantity)` is bigint; never
 * cast it `::int`: three lots of 1e9 units overflow an integer and the page answers 500), then
 * read it here: exact as a JS number up to 2^53 units, which no real stock approaches.
 */
export function unitSum(value: unknown): number {
  if (value === null || value === undefined) return 0;
  return Number(value);
}

// Reachability of Postgres and Redis, with the one-line message an operator needs:
// which service, at which address, and how to start it.
import pg from "pg";
import { Redis } from "ioredis";
import { env } from "../env.server";

export class ServiceUnavailableError extends Error {
  override name = "ServiceUnavailableError";
}

function pgAddress(url: string): string {
  const u = new URL(url);
  return `${u.hostname || "localhost"}:${u.port || 5432}`;
}

export async function checkPostgres(url = env().DATABASE_URL, timeoutMs = 3000): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query("select 1");
  } catch (cause) {
    const code = (cause as { code?: string }).code;
    if (code === "3D000") {
      throw new ServiceUnavailableError(`Postgres at ${pgAddress(url)} has no database "${new URL(url).pathname.slice(1)}": run \`npm run setup\``, { cause });
    }
    throw new ServiceUnavailableError(
      `Postgres is not answering at ${pgAddress(url)} (DATABASE_URL): start it with \`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\``,
      { cause },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function checkRedis(url = env().REDIS_URL, timeoutMs = 2000): Promise<void> {
  const u = new URL(url);
  const redis = new Redis(url, { lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: timeoutMs, retryStrategy: () => null });
  redis.on("error", () => undefined);
  try {
    await redis.connect();
    await redis.ping();
  } catch (cause) {
    throw new ServiceUnavailableError(
      `Redis is not answering at ${u.hostname}:${u.port || 6379} (REDIS_URL): start it with \`redis-server --daemonize yes --port ${u.port || 6379}\``,
      { cause },
    );
  } finally {
    redis.disconnect();
  }
}

export async function checkServices(): Promise<void> {
  await checkPostgres();
  await checkRedis();
}

// Redis connections for BullMQ. Producers (web) fail fast when Redis is down
// (enableOfflineQueue: false) so a webhook is still answered from the durable inbox;
// workers wait for Redis forever (maxRetriesPerRequest: null), as BullMQ requires.
import { Redis, type RedisOptions } from "ioredis";
import { env } from "../env.server";
import { log } from "./logger.server";

function options(): RedisOptions {
  const url = new URL(env().REDIS_URL);
  return {
    host: url.hostname,
    port: Number(url.port || 6379),
    username: url.username || undefined,
    password: url.password ? decodeURIComponent(url.password) : undefined,
    db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : 0,
    tls: url.protocol === "rediss:" ? {} : undefined,
  };
}

export function producerConnection(): Redis {
  const connection = new Redis({ ...options(), enableOfflineQueue: false, maxRetriesPerRequest: 1, connectTimeout: 2000 });
  connection.on("error", (error) => log.debug("redis producer connection error", { error }));
  return connection;
}

/**
 * For a web request that needs an answer from Redis itself (the rate limit of the public recall
 * check): commands wait for the connection (the first request after a start would otherwise
 * fail), but briefly, so a down Redis costs a request about a second, never a hang.
 */
export function requestConnection(): Redis {
  const connection = new Redis({ ...options(), maxRetriesPerRequest: 1, connectTimeout: 2000, commandTimeout: 1000 });
  connection.on("error", (error) => log.debug("redis request connection error", { error }));
  return connection;
}

export function workerConnection(): Redis {
  const connection = new Redis({ ...options(), maxRetriesPerRequest: null });
  connection.on("error", (error) => log.warn("redis worker connection error", { error }));
  return connection;
}

export function redisAddress(): string {
  const url = new URL(env().REDIS_URL);
  return `${url.hostname}:${url.port || 6379}`;
}

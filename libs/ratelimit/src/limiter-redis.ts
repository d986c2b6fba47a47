import { Redis } from 'ioredis';
import type { Logger } from '@douyin/telemetry';

// During a Redis outage every request falls back; one warning per interval says so without flooding the log.
const WARN_EVERY_MS = 10_000;

export interface LimiterRedis {
  redis: Redis;
  /** Logs a Redis failure at most once per interval. */
  warn(err: unknown): void;
  close(): Promise<void>;
}

/**
 * How long a limit waits for Redis's answer before it counts in memory: a Redis that hangs (paused, or its address
 * gone silent) would otherwise hold every request.
 */
const COMMAND_TIMEOUT_MS = 250;

/**
 * A command that timed out still waits on its connection for an answer: a connection silent this long is dropped,
 * with every command on it, and opened anew, so a paused Redis cannot pile up a request's worth of them per request.
 */
const SOCKET_TIMEOUT_MS = 2_000;

/** A Redis connection for limits: they must never wait for Redis, so no offline queue, no retries, a short timeout. */
export function connectLimiterRedis(redisUrl: string, logger: Logger, what: string): LimiterRedis {
  const redis = new Redis(redisUrl, {
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    socketTimeout: SOCKET_TIMEOUT_MS,
    connectTimeout: 1_000,
  });
  let warnedAt = -Infinity;
  const warn = (err: unknown) => {
    if (performance.now() - warnedAt < WARN_EVERY_MS) return;
    warnedAt = performance.now();
    logger.warn({ err }, `${what}: Redis unreachable, counting per replica in memory`);
  };
  redis.on('error', warn);
  return { redis, warn, close: () => redis.quit().then(() => undefined, () => redis.disconnect()) };
}

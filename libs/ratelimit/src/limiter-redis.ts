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

/** A Redis connection for limits: they must never wait for Redis, so no offline queue and no retries. */
export function connectLimiterRedis(redisUrl: string, logger: Logger, what: string): LimiterRedis {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 0, enableOfflineQueue: false });
  let warnedAt = -Infinity;
  const warn = (err: unknown) => {
    if (performance.now() - warnedAt < WARN_EVERY_MS) return;
    warnedAt = performance.now();
    logger.warn({ err }, `${what}: Redis unreachable, counting per replica in memory`);
  };
  redis.on('error', warn);
  return { redis, warn, close: () => redis.quit().then(() => undefined, () => redis.disconnect()) };
}

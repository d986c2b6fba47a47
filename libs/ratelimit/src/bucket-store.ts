import { Redis } from 'ioredis';
import type { Logger } from '@douyin/telemetry';
import { RedisBuckets } from './redis-buckets.js';
import { MemoryBuckets, type BucketStore } from './token-bucket.js';

// During a Redis outage every request falls back; one warning per interval says so without flooding the log.
const WARN_EVERY_MS = 10_000;

/** Buckets in Redis when `redisUrl` is set (shared by all replicas, memory while Redis is down), else in memory. */
export function createBucketStore(redisUrl: string | undefined, logger: Logger): BucketStore {
  if (!redisUrl) return new MemoryBuckets();
  // No offline queue and no retries: a limiter that waits for Redis would add its outage to every request.
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 0, enableOfflineQueue: false });
  let warnedAt = -Infinity;
  const warn = (err: unknown) => {
    if (performance.now() - warnedAt < WARN_EVERY_MS) return;
    warnedAt = performance.now();
    logger.warn({ err }, 'rate limiter: Redis unreachable, limiting per replica in memory');
  };
  redis.on('error', warn);
  const buckets = new RedisBuckets(redis, new MemoryBuckets(), warn);
  return {
    take: (key, spec) => buckets.take(key, spec),
    async close() {
      await buckets.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

import type { Logger } from '@douyin/telemetry';
import { connectLimiterRedis } from './limiter-redis.js';
import { RedisBuckets } from './redis-buckets.js';
import { MemoryBuckets, type BucketStore } from './token-bucket.js';

/** Buckets in Redis when `redisUrl` is set (shared by all replicas, memory while Redis is down), else in memory. */
export function createBucketStore(redisUrl: string | undefined, logger: Logger): BucketStore {
  if (!redisUrl) return new MemoryBuckets();
  const connection = connectLimiterRedis(redisUrl, logger, 'rate limiter');
  const buckets = new RedisBuckets(connection.redis, new MemoryBuckets(), connection.warn);
  return {
    take: (key, spec) => buckets.take(key, spec),
    async close() {
      await buckets.close();
      await connection.close();
    },
  };
}

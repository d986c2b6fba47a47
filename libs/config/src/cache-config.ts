import { z } from 'zod';

/** Redis for cache-aside reads: unset = every read goes to the database. */
export const CacheEnv = z.object({
  REDIS_URL: z.string().regex(/^rediss?:\/\/.+/, 'expected redis://host:port').optional(),
  // Deletes after each commit keep entries fresh; the TTL bounds how long a lost delete (a process killed between a
  // commit and its delete) can leave one stale. Ten minutes: with 60 s the bench's 1M favorite lists found 61% of
  // their lookups in Redis, with ten minutes 75%.
  CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(3600).default(600),
  // repeat-miss keeps a long tail read once out of Redis, at the price of a second database read for every key that
  // is read again: at 1M videos it halved Redis's keys and cut its CPU by a quarter, and MariaDB's CPU rose as much.
  CACHE_ADMIT: z.enum(['every-miss', 'repeat-miss']).default('every-miss'),
});

/** The settings `createCache` takes. */
export const toCacheConfig = (e: z.output<typeof CacheEnv>) => ({ url: e.REDIS_URL, ttlSeconds: e.CACHE_TTL_SECONDS, admit: e.CACHE_ADMIT });

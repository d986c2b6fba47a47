import { z } from 'zod';

/** Redis for cache-aside reads: unset = every read goes to the database. */
export const CacheEnv = z.object({
  REDIS_URL: z.string().regex(/^rediss?:\/\/.+/, 'expected redis://host:port').optional(),
  // Deletes after each commit keep entries fresh; the TTL bounds how long a lost delete can leave one stale.
  CACHE_TTL_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
  // Most reads of a long tail happen once per TTL; writing those back costs Redis and the service for nothing.
  CACHE_ADMIT: z.enum(['repeat-miss', 'every-miss']).default('repeat-miss'),
});

/** The settings `createCache` takes. */
export const toCacheConfig = (e: z.output<typeof CacheEnv>) => ({ url: e.REDIS_URL, ttlSeconds: e.CACHE_TTL_SECONDS, admit: e.CACHE_ADMIT });

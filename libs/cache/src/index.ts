export { createCache, type Cache, type CacheAdmission, type CacheConfig, type CacheEntry, type CacheKey, type CacheOptions } from './cache.js';
export { invalidatingWrite } from './invalidating-write.js';
export type { CacheCounters, CacheCounts } from './stats.js';

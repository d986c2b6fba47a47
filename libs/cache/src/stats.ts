/** What a cache did, per cache name: answers from Redis, fall-throughs to the loader, and Redis failures. */
export interface CacheCounts {
  hits: number;
  misses: number;
  /** Misses not written back because the admission rule had not seen them miss before. */
  declined: number;
  /** Commands Redis did not answer: reads that fell back to the database, lost write-backs and lost deletes. */
  failures: number;
}

/**
 * Counters a cache reports to. `cacheStats()` keeps them in memory; a service can pass its own sink to forward
 * them to its metrics registry as well.
 */
export interface CacheCounters {
  hit(cache: string, n: number): void;
  miss(cache: string, n: number): void;
  declined(cache: string, n: number): void;
  failure(cache: string, operation: 'read' | 'write' | 'invalidate'): void;
}

/** In-memory counters with a snapshot per cache name, and the totals. */
export function cacheStats() {
  const byCache = new Map<string, CacheCounts>();
  const entry = (cache: string) => {
    let counts = byCache.get(cache);
    if (!counts) {
      counts = { hits: 0, misses: 0, declined: 0, failures: 0 };
      byCache.set(cache, counts);
    }
    return counts;
  };
  const counters: CacheCounters = {
    hit: (cache, n) => void (entry(cache).hits += n),
    miss: (cache, n) => void (entry(cache).misses += n),
    declined: (cache, n) => void (entry(cache).declined += n),
    failure: (cache) => void (entry(cache).failures += 1),
  };
  const total = (): CacheCounts => {
    const sum = { hits: 0, misses: 0, declined: 0, failures: 0 };
    for (const counts of byCache.values()) {
      sum.hits += counts.hits;
      sum.misses += counts.misses;
      sum.declined += counts.declined;
      sum.failures += counts.failures;
    }
    return sum;
  };
  return { counters, of: (cache: string): CacheCounts => ({ ...entry(cache) }), total };
}
export type CacheStats = ReturnType<typeof cacheStats>;

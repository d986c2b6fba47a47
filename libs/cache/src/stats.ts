/** What a cache did, per cache name: answers from Redis, fall-throughs to the loader, and Redis failures. */
export interface CacheCounts {
  hits: number;
  misses: number;
  /** Misses not written back because the admission rule had not seen them miss before. */
  declined: number;
  /** Commands Redis did not answer: reads that fell back to the database, lost write-backs, deletes sent again later. */
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
  /** How many entries' deletes Redis has not taken yet (a level, not a count of events). */
  pendingInvalidations(count: number): void;
}

/** In-memory counters with a snapshot per cache name, and the totals. */
export function cacheStats() {
  const byCache = new Map<string, CacheCounts>();
  let pending = 0;
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
    pendingInvalidations: (count) => void (pending = count),
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
  return { counters, of: (cache: string): CacheCounts => ({ ...entry(cache) }), total, pendingInvalidations: () => pending };
}
export type CacheStats = ReturnType<typeof cacheStats>;

/** Counters that report to `own` and, when given, to `extra` as well. */
export function fanOut(own: CacheCounters, extra: CacheCounters | undefined): CacheCounters {
  if (!extra) return own;
  return {
    hit: (cache, n) => (own.hit(cache, n), extra.hit(cache, n)),
    miss: (cache, n) => (own.miss(cache, n), extra.miss(cache, n)),
    declined: (cache, n) => (own.declined(cache, n), extra.declined(cache, n)),
    failure: (cache, operation) => (own.failure(cache, operation), extra.failure(cache, operation)),
    pendingInvalidations: (count) => (own.pendingInvalidations(count), extra.pendingInvalidations(count)),
  };
}

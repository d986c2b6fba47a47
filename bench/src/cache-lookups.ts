import type { RunningMesh } from './mesh.js';

/** Cache lookups of a mesh's services, summed over services and caches, as their metrics count them. */
export interface CacheLookups {
  hits: number;
  misses: number;
  /** Misses not written back (CACHE_ADMIT=repeat-miss: keys that had not missed before). */
  declined: number;
}

const COUNTER = /^douyin_\w+?_cache_(hits|misses|declined)_total\{[^}]*\} (\d+(?:\.\d+)?(?:e\+?\d+)?)$/gm;

/** Sums the cache counters of one Prometheus exposition. */
export function cacheLookupsIn(exposition: string): CacheLookups {
  const sums: CacheLookups = { hits: 0, misses: 0, declined: 0 };
  for (const [, kind, value] of exposition.matchAll(COUNTER)) sums[kind as keyof CacheLookups] += Number(value);
  return sums;
}

/** The mesh's cache counters now, read from every service's /metrics (the gateway caches nothing). */
export async function meshCacheLookups(mesh: RunningMesh): Promise<CacheLookups> {
  const services = [...mesh.apps].filter(([app]) => app !== 'gateway');
  const counts = await Promise.all(services.map(async ([, proc]) => cacheLookupsIn(await (await fetch(`${proc.url}/metrics`)).text())));
  return counts.reduce((sum, c) => ({ hits: sum.hits + c.hits, misses: sum.misses + c.misses, declined: sum.declined + c.declined }));
}

/** What the caches did between two readings: the share of lookups answered from Redis, and of misses not written back. */
export function cacheShares(before: CacheLookups, after: CacheLookups): { hitRate: number; declinedShare: number } {
  const hits = after.hits - before.hits;
  const misses = after.misses - before.misses;
  // No misses, nothing declined; no lookups at all leaves the hit rate undefined (NaN, null in the JSON).
  return { hitRate: hits / (hits + misses), declinedShare: misses === 0 ? 0 : (after.declined - before.declined) / misses };
}

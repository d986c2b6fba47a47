import type { ServiceMetrics } from './service-metrics.js';

/** The counter sink `createCache({ counters })` of @douyin/cache accepts, writing to a service's metrics. */
export function cacheCounters(metrics: ServiceMetrics) {
  return {
    hit: (cache: string, n: number) => metrics.cacheHits.inc({ cache }, n),
    miss: (cache: string, n: number) => metrics.cacheMisses.inc({ cache }, n),
    declined: (cache: string, n: number) => metrics.cacheDeclined.inc({ cache }, n),
    failure: (cache: string, operation: string) => metrics.cacheFailures.inc({ cache, operation }),
    pendingInvalidations: (count: number) => metrics.cachePendingInvalidations.set(count),
  };
}

export { cacheCounters } from './cache-counters.js';
export { markOutcome, outcomeOf, type Outcome } from './outcome.js';
export { ServiceMetrics, metricsFor, type PoolUsage } from './service-metrics.js';

export { cacheCounters } from './cache-counters.js';
export { ABORTED, closedOutcome, isStream, markCut, markOutcome, markStream, outcomeOf, type Outcome } from './outcome.js';
export { ServiceMetrics, metricsFor, type PoolUsage } from './service-metrics.js';

export { createBucketStore } from './bucket-store.js';
export { connectLimiterRedis, type LimiterRedis } from './limiter-redis.js';
export { KNOWN_PAIR_SECONDS, createLoginGuard, type LoginGuard, type LoginGuardLimits } from './login-guard.js';
export { RedisBuckets } from './redis-buckets.js';
export { createRouteLimiter, type ClassLimits, type Requester, type RouteLimiter, type RouteLimits, type Verdict } from './route-limiter.js';
export { MemoryBuckets, SWEEP_ABOVE, SWEEP_EVERY_MS, refillAndTake, type BucketSpec, type BucketStore, type TakeResult } from './token-bucket.js';

import type { Redis } from 'ioredis';
import type { BucketSpec, BucketStore, TakeResult } from './token-bucket.js';

// The same arithmetic as refillAndTake, atomic in Redis. The clock is Redis' own TIME, so replicas with skewed
// clocks still share one bucket exactly. The key expires once the bucket would be full again.
const TAKE = `
local per_ms = tonumber(ARGV[1]) / 1000
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = burst
if state[1] then
  tokens = math.min(burst, tonumber(state[1]) + math.max(0, now - tonumber(state[2])) * per_ms)
end
local allowed = 0
local retry = 0
if tokens >= 1 - 1e-9 then
  tokens = math.max(0, tokens - 1)
  allowed = 1
else
  retry = math.ceil((1 - tokens) / per_ms)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / per_ms) + 1000)
return { allowed, retry }
`;

type WithTake = Redis & { takeToken(key: string, ratePerSec: string, burst: string): Promise<[number, number]> };

/**
 * Token buckets shared by every gateway replica through one atomic Lua script. While Redis cannot be reached
 * the `fallback` store answers, so an outage degrades to per-replica limits instead of refusing or waving through.
 */
export class RedisBuckets implements BucketStore {
  private readonly redis: WithTake;

  constructor(
    redis: Redis,
    private readonly fallback: BucketStore,
    private readonly onError: (err: unknown) => void,
    private readonly prefix = 'ratelimit:',
  ) {
    redis.defineCommand('takeToken', { numberOfKeys: 1, lua: TAKE });
    this.redis = redis as WithTake;
  }

  async take(key: string, spec: BucketSpec): Promise<TakeResult> {
    try {
      const [allowed, retryAfterMs] = await this.redis.takeToken(this.prefix + key, String(spec.ratePerSec), String(spec.burst));
      return { allowed: allowed === 1, retryAfterMs };
    } catch (err) {
      this.onError(err);
      return this.fallback.take(key, spec);
    }
  }

  async close(): Promise<void> {
    await this.fallback.close();
  }
}

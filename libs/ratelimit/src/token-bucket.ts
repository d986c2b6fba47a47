/** A token bucket: holds at most `burst` tokens and refills continuously at `ratePerSec`; a request takes one. */
export interface BucketSpec {
  ratePerSec: number;
  burst: number;
}

export interface TakeResult {
  allowed: boolean;
  /** When refused: how long until one token is back. */
  retryAfterMs: number;
}

/** Where buckets live: this process' memory, or Redis to share them across gateway replicas. */
export interface BucketStore {
  take(key: string, spec: BucketSpec): Promise<TakeResult>;
  close(): Promise<void>;
}

interface Bucket {
  tokens: number;
  at: number;
}

// Past this many keys, buckets that refilled completely are dropped: a full bucket equals a missing one.
export const SWEEP_ABOVE = 100_000;
// While a store stays past SWEEP_ABOVE, it is also swept this often, so that it shrinks once a flood is over.
export const SWEEP_EVERY_MS = 10_000;

// Ten refills of 0.1 token sum to 0.9999999999999999: without a tolerance a bucket would run a request short.
const EPSILON = 1e-9;

/** The bucket arithmetic shared with the Redis script: lazy refill since the last take, then take one if there is one. */
export function refillAndTake(bucket: Bucket | undefined, spec: BucketSpec, now: number): { bucket: Bucket; result: TakeResult } {
  const perMs = spec.ratePerSec / 1000;
  const tokens = bucket ? Math.min(spec.burst, bucket.tokens + Math.max(0, now - bucket.at) * perMs) : spec.burst;
  if (tokens >= 1 - EPSILON) return { bucket: { tokens: Math.max(0, tokens - 1), at: now }, result: { allowed: true, retryAfterMs: 0 } };
  return { bucket: { tokens, at: now }, result: { allowed: false, retryAfterMs: Math.ceil((1 - tokens) / perMs) } };
}

/** Exact token buckets in this process (one gateway replica, or the fallback while Redis is unreachable). */
export class MemoryBuckets implements BucketStore {
  // `fullAt`: when the bucket will have refilled to its burst, after which dropping it changes nothing.
  private readonly buckets = new Map<string, Bucket & { fullAt: number }>();
  private sweepAbove = SWEEP_ABOVE;
  private sweepAt = Infinity;

  constructor(private readonly now: () => number = () => performance.timeOrigin + performance.now()) {}

  async take(key: string, spec: BucketSpec): Promise<TakeResult> {
    const now = this.now();
    const { bucket, result } = refillAndTake(this.buckets.get(key), spec, now);
    this.buckets.set(key, { ...bucket, fullAt: now + ((spec.burst - bucket.tokens) * 1000) / spec.ratePerSec });
    if (this.buckets.size > this.sweepAbove || now >= this.sweepAt) this.sweep(now);
    return result;
  }

  /** Buckets held right now, for tests of the sweep. */
  get size(): number {
    return this.buckets.size;
  }

  async close(): Promise<void> {
    this.buckets.clear();
    this.sweepAbove = SWEEP_ABOVE;
    this.sweepAt = Infinity;
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) if (bucket.fullAt <= now) this.buckets.delete(key);
    // Buckets still refilling stay (a flood from that many networks within seconds): scanning them all again on every
    // request would make each one cost the whole store, so the next sweep waits until as many again have come, or
    // until a while has passed, in which the flood's buckets may have refilled with no new keys coming.
    this.sweepAbove = Math.max(SWEEP_ABOVE, 2 * this.buckets.size);
    this.sweepAt = this.sweepAbove > SWEEP_ABOVE ? now + SWEEP_EVERY_MS : Infinity;
  }
}

import { outsideRequests } from '@douyin/telemetry';

/** How many keys whose invalidation failed are remembered; past it, the TTL alone bounds how long they stay stale. */
const PENDING_INVALIDATION_LIMIT = 100_000;

const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 2_000;

/**
 * Invalidations Redis did not take (it was down or unreachable), kept until it does. A Redis that comes back with
 * its data (an append-only file, a replica promoted, a network that heals) still holds the entries those commits
 * changed: until they are deleted, reads of them skip Redis, and the deletes are sent again when it is back.
 */
export class PendingInvalidations {
  /** Key → how often it was added, so a replay in flight cannot clear an invalidation that failed after it left. */
  private readonly keys = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private retryMs = RETRY_FIRST_MS;
  private replaying: Promise<void> | undefined;
  private overflowing = false;
  private stopped = false;

  constructor(
    /** Deletes `keys` in Redis (leaving their tombstones); rejects if Redis did not take it. */
    private readonly send: (keys: string[]) => Promise<void>,
    /**
     * Told how many keys are pending whenever that changes, and once, when the first key cannot be remembered, until
     * every pending key has been sent (a long outage under writes would otherwise report every delete after it).
     */
    private readonly observer: { pending(count: number): void; overflowed(limit: number): void },
    private readonly limit = PENDING_INVALIDATION_LIMIT,
  ) {}

  get size(): number {
    return this.keys.size;
  }

  has(key: string): boolean {
    return this.keys.size > 0 && this.keys.has(key);
  }

  /** Remembers `keys` and schedules a replay. */
  add(keys: readonly string[]): void {
    for (const key of keys) {
      const times = this.keys.get(key);
      if (times !== undefined) this.keys.set(key, times + 1);
      else if (this.keys.size < this.limit) this.keys.set(key, 1);
      else if (!this.overflowing) {
        this.overflowing = true;
        this.observer.overflowed(this.limit);
      }
    }
    this.observer.pending(this.keys.size);
    this.schedule();
  }

  /**
   * Sends every pending invalidation once: at once when Redis is known to be back, and from the retry timer. Resolves
   * whether or not Redis took them; what it did not take stays pending and is retried later.
   */
  replay(): Promise<void> {
    if (this.keys.size === 0) return Promise.resolve();
    this.replaying ??= this.replayOnce().finally(() => (this.replaying = undefined));
    return this.replaying;
  }

  /** Stops retrying (the cache is closing); a replay may still be asked for, once. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async replayOnce(): Promise<void> {
    const sent = [...this.keys];
    try {
      await this.send(sent.map(([key]) => key));
    } catch {
      this.schedule();
      return;
    }
    for (const [key, times] of sent) if (this.keys.get(key) === times) this.keys.delete(key);
    this.observer.pending(this.keys.size);
    if (this.keys.size === 0) this.overflowing = false;
    this.retryMs = RETRY_FIRST_MS;
    if (this.keys.size > 0) this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.stopped) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    // Started by whichever request's delete failed first; the retries are not that request's.
    this.timer = outsideRequests(() =>
      setTimeout(() => {
        this.timer = undefined;
        void this.replay();
      }, delay),
    );
    // A process on its way out need not wait for Redis: what stays pending, the TTL bounds.
    this.timer.unref();
  }
}

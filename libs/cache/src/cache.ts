import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis, type Result } from 'ioredis';
import type { Logger } from '@douyin/telemetry';
import { admitEveryMiss, createDoorkeeper } from './doorkeeper.js';
import { PendingInvalidations } from './pending-invalidations.js';
import { redisHealth } from './redis-health.js';
import { cacheStats, fanOut, type CacheCounters, type CacheStats } from './stats.js';

export type CacheKey = string | number;

/** One entry of a cache, as `invalidate` takes it. */
export type CacheEntry = readonly [space: string, id: CacheKey];

export interface CacheConfig {
  /** redis://host:port; unset = no cache, every read goes to the loader. */
  url?: string;
  /** How long an entry lives at most; each write-back takes up to a tenth off (TTL_SPREAD). */
  ttlSeconds: number;
  /**
   * Which misses are written back: every one (plain cache-aside, the default), or only a key's repeated miss, so a
   * long tail read once fills neither Redis nor its CPU (see Doorkeeper).
   */
  admit?: CacheAdmission;
}

export type CacheAdmission = 'every-miss' | 'repeat-miss';

export interface CacheOptions {
  /** Prefixes every key, so services sharing one Redis never read each other's entries. */
  prefix: string;
  logger: Logger;
  /** Extra sink for the counters (e.g. the service's metrics); the in-memory stats are always kept. */
  counters?: CacheCounters;
  /** How long a Redis command may take before the read falls back to the loader. */
  commandTimeoutMs?: number;
}

export interface Cache {
  /**
   * Cache-aside read of many entries in one round trip: hits come from Redis, the rest from one `load` call
   * whose results are written back to live about the TTL (those `admit` lets in). When Redis fails, everything
   * comes from `load` and the failure is counted; it never throws because of Redis. `load` may leave ids out
   * (nothing is cached for them).
   */
  many<T>(space: string, ids: readonly CacheKey[], load: (missing: CacheKey[]) => Promise<Map<CacheKey, T>>): Promise<Map<CacheKey, T>>;
  /**
   * Drops entries (each leaves a tombstone); call it after the commit that changed them. Never throws: an
   * invalidation Redis does not take is counted and sent again until it does, and meanwhile reads of those entries
   * skip Redis.
   */
  invalidate(entries: readonly CacheEntry[]): Promise<void>;
  readonly stats: CacheStats;
  close(): Promise<void>;
}

const CONNECT_WAIT_MS = 1_000;
const CLOSE_REPLAY_MS = 1_000;
/**
 * How long after its MGET a read may still write back what it loaded. Reads run inside requests whose whole budget
 * is seconds (MESH_TIMEOUT_MS); one slower than this leaves the entry to the next reader. Tombstones need to outlive
 * only this window, so their lifetime does not grow with the TTL.
 */
const WRITE_BACK_WINDOW_MS = 10_000;
/**
 * Each write-back takes up to this share off the TTL, at random: entries written together (a cold start's first
 * pages, a warm-up) would otherwise expire together, and every TTL later their misses would reach the database at
 * once again. Never longer than the TTL, which stays the bound on staleness.
 */
const TTL_SPREAD = 0.1;
/** Keys per transaction when pending invalidations are sent again, so a long outage's backlog is not one huge MULTI. */
const REPLAY_BATCH = 1_000;

// KEYS: the entries to write back; ARGV: ttl, then per entry what the reader found before reading the database ('' =
// nothing, else a tombstone) and the value it read. Each value lands only if the key still holds what the reader found.
const WRITE_BACK = `
for i = 1, #KEYS do
  local found = ARGV[2 * i]
  if found == '' then
    redis.call('SET', KEYS[i], ARGV[2 * i + 1], 'EX', ARGV[1], 'NX')
  elseif redis.call('GET', KEYS[i]) == found then
    redis.call('SET', KEYS[i], ARGV[2 * i + 1], 'EX', ARGV[1])
  end
end
return 0`;

/** Starts every tombstone; a cached value is JSON, which never does. */
const TOMBSTONE = '~';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    writeBack(numberOfKeys: number, ...keysThenArgs: Array<string | number>): Result<number, Context>;
  }
}

/** A cache over Redis when `config.url` is set, otherwise a pass-through that always calls the loader. */
export async function createCache(config: CacheConfig, options: CacheOptions): Promise<Cache> {
  const stats = cacheStats();
  const counters = fanOut(stats.counters, options.counters);
  if (!config.url) return passThrough(stats);

  const redis = new Redis(config.url, {
    keyPrefix: `${options.prefix}:`,
    // Fail fast instead of queueing: a read waiting for Redis to come back would outlive the request.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    commandTimeout: options.commandTimeoutMs ?? 250,
    // A command that timed out still waits on its connection for an answer: a connection silent this long is dropped,
    // with every command on it, and opened anew, so a paused Redis cannot pile them up in memory request by request.
    socketTimeout: 2_000,
    connectTimeout: 1_000,
    // Keep reconnecting for as long as the process lives; reads use the database meanwhile.
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
    // Commands issued in one turn of the event loop leave in one write: under load many requests read the cache
    // in the same turn, and one write (and one read on Redis's side) for all of them costs far less than one each.
    enableAutoPipelining: true,
  });
  redis.defineCommand('writeBack', { lua: WRITE_BACK });
  const health = redisHealth(redis, options.logger);
  // Starting without Redis is allowed; waiting briefly lets a reachable Redis serve the very first reads.
  await Promise.race([once(redis, 'ready'), sleep(CONNECT_WAIT_MS)]).catch(() => undefined);

  const keyOf = (space: string, id: CacheKey) => `${space}:${id}`;
  // An invalidation leaves a tombstone unique to it in the entry's place instead of deleting the entry. A reader
  // notes what it found (nothing, or a tombstone) before reading the database and writes back only if the key still
  // holds that, so a value read before a commit cannot overwrite that commit's invalidation. The common miss, a key
  // never invalidated or long expired, costs one SET NX and no read besides the MGET that missed.
  //
  // A reader that found nothing and loaded before a commit must find that commit's mark when it writes back: the
  // commit's tombstone, or the fresher value a later reader put in its place, which lives at least the shortest TTL.
  // Within the window both are still there and the write-back does not land; a slower reader leaves the entry to the
  // next one.
  const shortestTtl = Math.max(1, Math.floor(config.ttlSeconds * (1 - TTL_SPREAD)));
  const ttlOfWriteBack = () => shortestTtl + Math.floor(Math.random() * (config.ttlSeconds - shortestTtl + 1));
  const writeBackWithinMs = Math.min(shortestTtl * 1000, WRITE_BACK_WINDOW_MS);
  // Twice the window, a margin for Redis's clock against this process's: under heavy writes the tombstones (one per
  // changed entry) take the same memory whatever the TTL.
  const tombstoneTtl = Math.ceil((2 * writeBackWithinMs) / 1000);
  const tombstonePrefix = `${TOMBSTONE}${randomBytes(6).toString('base64url')}.`;
  let tombstones = 0;
  const doorkeeper = config.admit === 'repeat-miss' ? createDoorkeeper() : admitEveryMiss;

  /** Puts a fresh tombstone in place of each of `keys`, in one transaction; rejects unless Redis ran all of it. */
  async function invalidateKeys(keys: readonly string[]): Promise<void> {
    const write = redis.multi();
    for (const key of keys) write.set(key, `${tombstonePrefix}${++tombstones}`, 'EX', tombstoneTtl);
    // exec() resolves with per-command errors when the transaction ran; null when it was aborted.
    const results = await write.exec();
    const failed = results === null ? new Error('cache invalidation aborted') : results.find(([err]) => err)?.[0];
    if (failed) throw failed;
  }
  const pending = new PendingInvalidations(
    async (keys) => {
      for (let i = 0; i < keys.length; i += REPLAY_BATCH) await invalidateKeys(keys.slice(i, i + REPLAY_BATCH));
      options.logger.info({ entries: keys.length }, 'sent the cache invalidations Redis missed while it was unreachable');
    },
    {
      pending: (count) => counters.pendingInvalidations(count),
      overflowed: (limit) => options.logger.warn({ limit }, 'cache invalidations pending past the limit: those beyond it stay until their TTL'),
    },
  );
  // Counts the connections made: Redis may have come back empty (restarted without persistence, or a replica
  // promoted before the latest writes reached it), without the tombstones of invalidations it took before.
  let connection = 0;
  redis.on('ready', () => {
    connection++;
    // A reconnected Redis is sent the invalidations it missed at once; the retry timer covers a failed reconnection.
    void pending.replay();
  });

  return {
    stats,
    async many<T>(space: string, ids: readonly CacheKey[], load: (missing: CacheKey[]) => Promise<Map<CacheKey, T>>) {
      const unique = [...new Set(ids)];
      if (unique.length === 0) return new Map();
      const keys = unique.map((id) => keyOf(space, id));
      const readStarted = performance.now();
      let cached: Array<string | null>;
      let readOn: number;
      try {
        cached = await redis.mget(keys);
        readOn = connection;
        health.ok();
      } catch (err) {
        health.failed(err);
        counters.failure(space, 'read');
        return load(unique);
      }
      const found = new Map<CacheKey, T>();
      const missing: Array<{ id: CacheKey; key: string; seen: string }> = [];
      unique.forEach((id, i) => {
        const raw = cached[i] ?? null;
        const key = keys[i] as string;
        const tombstone = raw?.startsWith(TOMBSTONE) === true;
        // An entry whose invalidation Redis has not taken yet may be stale there: it is read from the loader instead.
        if (raw !== null && !tombstone && !pending.has(key)) found.set(id, JSON.parse(raw) as T);
        else missing.push({ id, key, seen: tombstone ? (raw as string) : '' });
      });
      counters.hit(space, found.size);
      if (missing.length === 0) return found;
      counters.miss(space, missing.length);
      // ...and not written back before that invalidation is made.
      const writable = pending.size > 0 ? missing.filter((m) => !pending.has(m.key)) : missing;
      const admitted = writable.filter((m) => doorkeeper.admits(m.key));
      if (admitted.length < writable.length) counters.declined(space, writable.length - admitted.length);
      const loaded = await load(missing.map((m) => m.id));
      const prompt = performance.now() - readStarted < writeBackWithinMs;
      // Nor after a reconnection since the MGET: a Redis that came back empty lost the tombstone of any commit this
      // load predates, and the write-back would land over it.
      const writes = prompt && readOn === connection ? admitted.filter((m) => loaded.has(m.id)) : [];
      if (writes.length > 0) {
        const args = writes.flatMap((m) => [m.seen, JSON.stringify(loaded.get(m.id))]);
        const keysThenArgs = [...writes.map((m) => m.key), ttlOfWriteBack(), ...args];
        await redis.writeBack(writes.length, ...keysThenArgs).catch((err: unknown) => {
          health.failed(err);
          counters.failure(space, 'write');
        });
      }
      return new Map([...found, ...loaded]);
    },

    async invalidate(entries) {
      if (entries.length === 0) return;
      const keys = entries.map(([space, id]) => keyOf(space, id));
      try {
        await invalidateKeys(keys);
        health.ok();
      } catch (err) {
        health.failed(err);
        for (const space of new Set(entries.map(([space]) => space))) counters.failure(space, 'invalidate');
        pending.add(keys);
      }
    },

    async close() {
      pending.stop();
      // Every replica reads the entries a missed invalidation left in Redis: one last try before this process is gone,
      // bounded, as a Redis still down would only hold the shutdown up.
      if (pending.size > 0) {
        const connected = redis.status === 'ready' ? Promise.resolve() : new Promise<void>((resolve) => redis.once('ready', () => resolve()));
        await Promise.race([connected.then(() => pending.replay()), sleep(CLOSE_REPLAY_MS, undefined, { ref: false })]);
      }
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function passThrough(stats: CacheStats): Cache {
  return {
    stats,
    many: (_space, ids, load) => (ids.length === 0 ? Promise.resolve(new Map()) : load([...new Set(ids)])),
    invalidate: async () => undefined,
    close: async () => undefined,
  };
}

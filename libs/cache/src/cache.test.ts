import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { startPrivateRedis, startSilentRedis } from '@douyin/testing';
import { silentLogger } from '@douyin/telemetry';
import { createCache, type Cache, type CacheAdmission, type CacheKey } from '@douyin/cache';

const SHARED_REDIS = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** A loader over a plain map that records what it was asked for. */
function loaderOf(values: Map<CacheKey, number>) {
  const calls: CacheKey[][] = [];
  const load = async (ids: CacheKey[]) => {
    calls.push(ids);
    return new Map(ids.flatMap((id) => (values.has(id) ? [[id, values.get(id) as number] as const] : [])));
  };
  return { load, calls };
}

async function sharedCache(t: { after(fn: () => unknown): void }, ttlSeconds = 60, admit?: CacheAdmission) {
  const prefix = `test-${randomBytes(4).toString('hex')}`;
  const cache = await createCache({ url: SHARED_REDIS, ttlSeconds, admit }, { prefix, logger: silentLogger() });
  const raw = new Redis(SHARED_REDIS);
  t.after(async () => {
    const keys = await raw.keys(`${prefix}:*`);
    if (keys.length > 0) await raw.del(...keys);
    await raw.quit();
    await cache.close();
  });
  return { cache, raw, prefix };
}

/**
 * A read of `id` that loads from the database before a commit and tries to cache what it loaded after that commit's
 * invalidation: `commit` changes the database while the read is held. Resolves with what the read returned.
 */
async function readAcrossCommit(cache: Cache, id: CacheKey, readDatabase: () => number, commit: () => void) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let loaded!: () => void;
  const hasRead = new Promise<void>((resolve) => (loaded = resolve));
  const slow = cache.many('count', [id], async () => {
    const read = readDatabase();
    loaded();
    await gate;
    return new Map([[id, read]]);
  });
  // The commit lands once the read has loaded, however long the cache took to get there (or once it answered from
  // Redis without loading, which the caller's assertions then report).
  await Promise.race([hasRead, slow]);
  commit();
  await cache.invalidate([['count', id]]);
  release();
  return slow;
}

test('misses are loaded in one call and written back with the TTL; the next read is served from Redis', async (t) => {
  const { cache, raw, prefix } = await sharedCache(t, 30);
  const { load, calls } = loaderOf(new Map([[1, 10], [2, 20]]));
  assert.deepEqual(await cache.many('count', [1, 2, 2, 3], load), new Map([[1, 10], [2, 20]]));
  assert.deepEqual(calls, [[1, 2, 3]]);
  const ttl = await raw.ttl(`${prefix}:count:1`);
  assert.ok(ttl > 0 && ttl <= 30, `ttl ${ttl}`);
  // An id the loader left out is not cached: it is asked for again.
  assert.deepEqual(await cache.many('count', [2, 1, 3], load), new Map([[2, 20], [1, 10]]));
  assert.deepEqual(calls, [[1, 2, 3], [3]]);
  assert.deepEqual(cache.stats.of('count'), { hits: 2, misses: 4, declined: 0, failures: 0 });
});

test('admitting repeated misses only: a key read once is not written back, one read again is', async (t) => {
  const { cache, raw, prefix } = await sharedCache(t, 30, 'repeat-miss');
  const values = new Map<CacheKey, number>([[1, 10], [2, 20], [3, 30]]);
  const { load, calls } = loaderOf(values);
  assert.deepEqual(await cache.many('count', [1, 2], load), new Map([[1, 10], [2, 20]]));
  assert.deepEqual(await raw.keys(`${prefix}:*`), [], 'a first miss wrote something to Redis');
  assert.deepEqual(await cache.many('count', [1, 3], load), new Map([[1, 10], [3, 30]]));
  assert.deepEqual((await raw.keys(`${prefix}:*`)).sort(), [`${prefix}:count:1`]);
  assert.deepEqual(await cache.many('count', [1, 2, 3], load), new Map([[1, 10], [2, 20], [3, 30]]));
  assert.deepEqual(calls, [[1, 2], [1, 3], [2, 3]]);
  assert.deepEqual(cache.stats.of('count'), { hits: 1, misses: 6, declined: 3, failures: 0 });
  // An admitted key keeps the tombstone check: a value read before an invalidation is not written over it.
  await cache.invalidate([['count', 2]]);
  const read = await readAcrossCommit(cache, 2, () => values.get(2) as number, () => values.set(2, 21));
  assert.deepEqual(read, new Map([[2, 20]]));
  assert.match((await raw.get(`${prefix}:count:2`)) ?? '', /^~/, 'the stale read was written over the invalidation');
  assert.equal(cache.stats.of('count').declined, 3, 'the slow read was declined, so the tombstone check was never tried');
});

test('an invalidated entry is reloaded; other spaces keep theirs', async (t) => {
  const { cache } = await sharedCache(t);
  const values = new Map<CacheKey, number>([[7, 1], ['7:8', 1]]);
  const { load, calls } = loaderOf(values);
  await cache.many('a', [7], load);
  await cache.many('b', ['7:8'], load);
  values.set(7, 2);
  values.set('7:8', 2);
  await cache.invalidate([['a', 7]]);
  assert.deepEqual(await cache.many('a', [7], load), new Map([[7, 2]]));
  assert.deepEqual(await cache.many('b', ['7:8'], load), new Map([['7:8', 1]]));
  assert.equal(calls.length, 3);
});

test('a value read before a commit is not cached over that commit\'s invalidation', async (t) => {
  const { cache } = await sharedCache(t);
  let value = 1;
  const read = await readAcrossCommit(cache, 1, () => value, () => (value = 2));
  assert.deepEqual(read, new Map([[1, 1]]));
  const { load } = loaderOf(new Map([[1, value]]));
  assert.deepEqual(await cache.many('count', [1], load), new Map([[1, 2]]));
  assert.deepEqual(await cache.many('count', [1], load), new Map([[1, 2]]));
  assert.equal(cache.stats.of('count').hits, 1);
});

test('after an invalidation the next read writes back, unless another invalidation came while it read', async (t) => {
  const { cache, raw, prefix } = await sharedCache(t);
  const key = `${prefix}:count:1`;
  let value = 1;
  const current = async () => new Map([[1, value]]);
  await cache.many('count', [1], current);
  await cache.invalidate([['count', 1]]);
  const tombstone = await raw.get(key);
  assert.match(tombstone ?? '', /^~/, 'an invalidation leaves a tombstone');
  // This reader finds the tombstone and reads the database; a second commit and its invalidation land meanwhile.
  const read = await readAcrossCommit(cache, 1, () => value, () => (value = 2));
  assert.deepEqual(read, new Map([[1, 1]]));
  const second = await raw.get(key);
  assert.match(second ?? '', /^~/, 'the stale read was written over the second invalidation');
  assert.notEqual(second, tombstone, 'every invalidation leaves a tombstone of its own');
  // The next reader finds the second tombstone still there and caches what it read.
  assert.deepEqual(await cache.many('count', [1], current), new Map([[1, 2]]));
  assert.equal(await raw.get(key), '2');
  assert.deepEqual(await cache.many('count', [1], current), new Map([[1, 2]]));
  assert.equal(cache.stats.of('count').hits, 1);
});

test('entries written at different moments expire at different moments, never later than the TTL', async (t) => {
  const { cache, raw, prefix } = await sharedCache(t, 600);
  // Each call writes back on its own, as the pages of a cold start do.
  for (let id = 0; id < 40; id++) await cache.many('count', [id], async () => new Map([[id, id]]));
  const ttls = await Promise.all(Array.from({ length: 40 }, (_, id) => raw.ttl(`${prefix}:count:${id}`)));
  assert.ok(ttls.every((ttl) => ttl >= 539 && ttl <= 600), `TTLs ${ttls.join(' ')}`);
  assert.ok(new Set(ttls).size >= 10, `40 write-backs share ${new Set(ttls).size} TTLs: ${ttls.join(' ')}`);
});

test('a tombstone outlives the write-back window, not the entries: a long TTL keeps no more of them', async (t) => {
  for (const [ttlSeconds, tombstoneAtMost] of [[600, 20], [1, 2]] as const) {
    const { cache, raw, prefix } = await sharedCache(t, ttlSeconds);
    await cache.many('count', [1], async () => new Map([[1, 1]]));
    const livesMs = await raw.pttl(`${prefix}:count:1`);
    assert.ok(livesMs > Math.max(0, Math.floor(ttlSeconds * 0.9) - 1) * 1000, `the entry lives the TTL: ${livesMs} ms`);
    await cache.invalidate([['count', 1]]);
    const ttl = await raw.ttl(`${prefix}:count:1`);
    assert.ok(ttl > 0 && ttl <= tombstoneAtMost, `a tombstone under a ${ttlSeconds} s TTL lives ${ttl} s`);
  }
});

test('a read that took longer than its write-back window (the TTL, where shorter than 10 s) is not written back', async (t) => {
  const { cache, raw, prefix } = await sharedCache(t, 1);
  const slow = async () => {
    await sleep(1_050);
    return new Map([[1, 1]]);
  };
  assert.deepEqual(await cache.many('count', [1], slow), new Map([[1, 1]]));
  assert.equal(await raw.get(`${prefix}:count:1`), null);
  assert.deepEqual(await cache.many('count', [1], async () => new Map([[1, 1]])), new Map([[1, 1]]));
  assert.equal(await raw.get(`${prefix}:count:1`), '1', 'a prompt read is written back');
});

test('entries expire after the TTL even if nobody invalidates them', async (t) => {
  const { cache } = await sharedCache(t, 1);
  const values = new Map<CacheKey, number>([[1, 1]]);
  const { load } = loaderOf(values);
  await cache.many('count', [1], load);
  values.set(1, 2);
  assert.deepEqual(await cache.many('count', [1], load), new Map([[1, 1]]));
  await sleep(1_100);
  assert.deepEqual(await cache.many('count', [1], load), new Map([[1, 2]]));
});

test('without a URL every read goes to the loader', async () => {
  const cache = await createCache({ ttlSeconds: 60 }, { prefix: 'none', logger: silentLogger() });
  const { load, calls } = loaderOf(new Map([[1, 1]]));
  await cache.many('count', [1], load);
  await cache.many('count', [1], load);
  await cache.invalidate([['count', 1]]);
  assert.deepEqual(calls, [[1], [1]]);
  assert.deepEqual(await cache.many('count', [], load), new Map());
  await cache.close();
});

test('when Redis dies mid-run reads fall back to the loader and are counted; they hit again once it is back', async (t) => {
  const redis = await startPrivateRedis(t);
  const cache = await createCache({ url: redis.url, ttlSeconds: 60 }, { prefix: 'kill', logger: silentLogger() });
  t.after(() => cache.close());
  const values = new Map<CacheKey, number>([[1, 1], [2, 2]]);
  const { load, calls } = loaderOf(values);
  await cache.many('count', [1, 2], load);
  await cache.many('count', [1, 2], load);
  assert.equal(calls.length, 1);

  await redis.kill();
  values.set(1, 11);
  for (let i = 0; i < 20; i++) {
    const started = Date.now();
    assert.deepEqual(await cache.many('count', [1, 2], load), new Map([[1, 11], [2, 2]]));
    assert.ok(Date.now() - started < 1_000, 'a read waited for the dead Redis');
  }
  await cache.invalidate([['count', 1]]);
  const { failures } = cache.stats.of('count');
  assert.equal(failures, 21);

  await redis.restart();
  const deadline = Date.now() + 10_000;
  while (cache.stats.of('count').hits < 4) {
    assert.ok(Date.now() < deadline, 'the cache never reconnected');
    await cache.many('count', [1, 2], load);
    await sleep(50);
  }
});

test('a value read before a commit is not cached over that commit\'s invalidation when Redis restarted empty meanwhile', async (t) => {
  const redis = await startPrivateRedis(t);
  const cache = await createCache({ url: redis.url, ttlSeconds: 60 }, { prefix: 'restart', logger: silentLogger() });
  t.after(() => cache.close());
  let value = 1;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let loaded!: () => void;
  const hasRead = new Promise<void>((resolve) => (loaded = resolve));
  const slow = cache.many('count', [1], async () => {
    const read = value;
    loaded();
    await gate;
    return new Map([[1, read]]);
  });
  await hasRead;
  const loadedAt = performance.now();
  value = 2;
  await cache.invalidate([['count', 1]]);
  assert.equal(cache.stats.pendingInvalidations(), 0, 'Redis took the invalidation');
  await redis.kill();
  await redis.restart();
  // The cache's connection is back once a read of another entry is answered from Redis.
  const { load } = loaderOf(new Map([['probe', 0]]));
  for (let i = 0; cache.stats.of('probe').hits === 0; i++) {
    assert.ok(i < 200, 'the cache never reconnected');
    await cache.many('probe', ['probe'], load);
    await sleep(50);
  }
  // Past its write-back window (10 s) the read would not write back anyway, and the test would prove nothing.
  assert.ok(performance.now() - loadedAt < 8_000, 'the restart took too long to tell anything');
  release();
  assert.deepEqual(await slow, new Map([[1, 1]]));
  const raw = new Redis(redis.url);
  t.after(() => raw.quit());
  assert.equal(await raw.get('restart:count:1'), null, 'the stale read was written back');
  assert.deepEqual(await cache.many('count', [1], loaderOf(new Map([[1, value]])).load), new Map([[1, 2]]));
});

test('an invalidation a down Redis missed is made once it is back: the entry it kept is never read again', async (t) => {
  // An append-only Redis comes back from a crash with the entries it had, including one a commit meanwhile changed.
  const redis = await startPrivateRedis(t, { persistent: true });
  const cache = await createCache({ url: redis.url, ttlSeconds: 60 }, { prefix: 'replay', logger: silentLogger() });
  t.after(() => cache.close());
  const values = new Map<CacheKey, number>([[1, 1], [2, 2]]);
  const { load } = loaderOf(values);
  await cache.many('count', [1, 2], load);
  assert.equal(cache.stats.of('count').misses, 2);

  await redis.kill();
  values.set(1, 11);
  await cache.invalidate([['count', 1]]);
  assert.equal(cache.stats.of('count').failures, 1);
  assert.equal(cache.stats.pendingInvalidations(), 1);
  await redis.restart();

  const raw = new Redis(redis.url);
  t.after(() => raw.quit());
  // Its entries came back (entry 1 too, but the cache may already be deleting that one).
  assert.equal(await raw.get('replay:count:2'), '2', 'the restarted Redis kept its entries');
  // Until the delete is made, the kept entry is skipped; then the fresh value is written back and read from Redis.
  const deadline = Date.now() + 10_000;
  while ((await raw.get('replay:count:1')) !== '11') {
    assert.ok(Date.now() < deadline, 'the missed invalidation was never made');
    assert.deepEqual(await cache.many('count', [1, 2], load), new Map([[1, 11], [2, 2]]));
    await sleep(20);
  }
  const hitsBefore = cache.stats.of('count').hits;
  assert.deepEqual(await cache.many('count', [1, 2], load), new Map([[1, 11], [2, 2]]));
  assert.equal(cache.stats.of('count').hits, hitsBefore + 2);
  assert.equal(cache.stats.pendingInvalidations(), 0);
});

test('an invalidation still pending when the cache closes is made then, for the other replicas reading Redis', async (t) => {
  const redis = await startPrivateRedis(t, { persistent: true });
  const cache = await createCache({ url: redis.url, ttlSeconds: 60 }, { prefix: 'closing', logger: silentLogger() });
  const values = new Map<CacheKey, number>([[1, 1]]);
  await cache.many('count', [1], loaderOf(values).load);
  await redis.kill();
  await cache.invalidate([['count', 1]]);
  // The retries back off to two seconds apart while Redis is down: the next is well after the close below.
  await sleep(1_600);
  await redis.restart();
  await cache.close();
  const raw = new Redis(redis.url);
  t.after(() => raw.quit());
  assert.notEqual(await raw.get('closing:count:1'), '1', 'the entry the commit changed is gone');
});

test('a Redis that is down at start-up does not stop the cache from being created or read', async (t) => {
  const redis = await startPrivateRedis(t);
  await redis.kill();
  const started = Date.now();
  const cache = await createCache({ url: redis.url, ttlSeconds: 60 }, { prefix: 'down', logger: silentLogger() });
  t.after(() => cache.close());
  assert.ok(Date.now() - started < 2_000);
  const { load } = loaderOf(new Map([[1, 1]]));
  assert.deepEqual(await cache.many('count', [1], load), new Map([[1, 1]]));
  assert.equal(cache.stats.of('count').failures, 1);
});

test('a Redis that stops answering: reads go to the loader after the command timeout, and its connection is renewed', { timeout: 20_000 }, async (t) => {
  const silent = await startSilentRedis(t);
  const cache = await createCache({ url: silent.url, ttlSeconds: 60 }, { prefix: 'silent', logger: silentLogger(), commandTimeoutMs: 100 });
  t.after(() => cache.close());
  const { load } = loaderOf(new Map([[1, 1]]));
  for (let i = 0; i < 5; i++) assert.deepEqual(await cache.many('count', [1], load), new Map([[1, 1]]));
  // The reads it never answered are dropped with the connection: a paused Redis does not grow the process's memory
  // by a queue of unanswered commands for as long as it stays paused.
  await sleep(2_500);
  assert.ok(silent.connections() >= 2, `${silent.connections()} connection(s)`);
});

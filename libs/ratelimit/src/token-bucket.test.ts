import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort, sharedRedisUrl, startSilentRedis } from '@douyin/testing';
import { silentLogger } from '@douyin/telemetry';
import { MemoryBuckets, RedisBuckets, SWEEP_ABOVE, SWEEP_EVERY_MS, createBucketStore, type BucketStore } from '@douyin/ratelimit';

const spec = { ratePerSec: 10, burst: 5 };

async function takeAll(store: BucketStore, key: string, n: number): Promise<boolean[]> {
  const out: boolean[] = [];
  for (let i = 0; i < n; i++) out.push((await store.take(key, spec)).allowed);
  return out;
}

test('memory: past SWEEP_ABOVE buckets those full again are dropped, and the next scan waits until the store doubled', { timeout: 60_000 }, async () => {
  let now = 0;
  const store = new MemoryBuckets(() => now);
  const refillsInAMillisecond = { ratePerSec: 1000, burst: 1 };
  const refillsInAnHour = { ratePerSec: 1 / 3600, burst: 1 };
  const fill = async (prefix: string, n: number, bucket: typeof spec) => {
    for (let i = 0; i < n; i++) await store.take(`${prefix}${i}`, bucket);
  };

  await fill('quick', 1_000, refillsInAMillisecond);
  await fill('slow', SWEEP_ABOVE - 1_000, refillsInAnHour);
  now = 10;
  await store.take('past-the-bound', refillsInAnHour);
  const kept = SWEEP_ABOVE - 1_000 + 1;
  assert.equal(store.size, kept, 'the buckets full again went, the others stayed');

  // A flood of networks whose buckets are all still refilling: each request must not scan them all again.
  await fill('quick', 1_000, refillsInAMillisecond);
  now = 20;
  await store.take('later', refillsInAnHour);
  assert.equal(store.size, kept + 1_001, 'no scan before the store doubled');
  await fill('flood', 2 * kept - store.size + 1, refillsInAnHour);
  assert.equal(store.size, 2 * kept + 1 - 1_000, 'once it doubled, the scan dropped the buckets full again');

  // The flood is over: its buckets refill, and the store shrinks without waiting for as many new keys again.
  now += 3_600_000;
  await store.take('after-the-flood', refillsInAnHour);
  assert.equal(store.size, 1);
  // Buckets full again a millisecond later: a sweep would drop them.
  await fill('next', 10, refillsInAMillisecond);
  now += SWEEP_EVERY_MS;
  await store.take('calm', refillsInAnHour);
  assert.equal(store.size, 12, 'below the bound again, a store is not swept on a timer');
});

test('memory: a burst of exactly `burst`, then one token per 1/rate, never more than burst after idling', async () => {
  let now = 1_000_000;
  const store = new MemoryBuckets(() => now);
  assert.deepEqual(await takeAll(store, 'k', 6), [true, true, true, true, true, false]);
  const refused = await store.take('k', spec);
  assert.equal(refused.retryAfterMs, 100, 'one token comes back after 1/rate');

  now += 99;
  assert.equal((await store.take('k', spec)).allowed, false, 'not a millisecond early');
  now += 1;
  assert.equal((await store.take('k', spec)).allowed, true);
  // Steady state: 10 per second, whatever the spacing of the requests.
  let allowed = 0;
  for (let ms = 0; ms < 1000; ms += 10) {
    now += 10;
    if ((await store.take('k', spec)).allowed) allowed++;
  }
  assert.equal(allowed, 10);

  now += 60_000;
  assert.deepEqual(await takeAll(store, 'k', 6), [true, true, true, true, true, false], 'idle time refills only up to the burst');
  assert.deepEqual(await takeAll(store, 'other', 5), [true, true, true, true, true], 'keys are independent');
});

test('memory: retry-after of a fractional bucket is the time to the next whole token', async () => {
  let now = 0;
  const store = new MemoryBuckets(() => now);
  const slow = { ratePerSec: 0.5, burst: 1 }; // 30/min
  assert.equal((await store.take('u', slow)).allowed, true);
  now += 500;
  assert.deepEqual(await store.take('u', slow), { allowed: false, retryAfterMs: 1500 });
});

const redisUrl = sharedRedisUrl();
if (redisUrl) {
  test('redis: the Lua bucket gives a burst, then the steady rate, shared by every client of the key', async (t) => {
    const a = new Redis(redisUrl);
    const b = new Redis(redisUrl);
    t.after(() => Promise.all([a.quit(), b.quit()]));
    const key = `test:${process.pid}:${Date.now()}`;
    const fail = (err: unknown) => assert.fail(`no fallback expected: ${String(err)}`);
    const storeA = new RedisBuckets(a, new MemoryBuckets(), fail);
    const storeB = new RedisBuckets(b, new MemoryBuckets(), fail);

    const burst = [...(await takeAll(storeA, key, 3)), ...(await takeAll(storeB, key, 3))];
    assert.deepEqual(burst, [true, true, true, true, true, false], 'two replicas share one bucket');
    const refused = await storeA.take(key, spec);
    assert.ok(refused.retryAfterMs > 0 && refused.retryAfterMs <= 100, `retry after ${refused.retryAfterMs}`);

    // 250 ms at 10/s refill 2.5 tokens: two requests pass, the third does not.
    await sleep(250);
    assert.deepEqual(await takeAll(storeB, key, 3), [true, true, false]);
    const ttl = await a.pttl(`ratelimit:${key}`);
    assert.ok(ttl > 0 && ttl <= 1500, `the key expires once the bucket would be full again (pttl ${ttl})`);
  });
}

test('redis unreachable: buckets fall back to memory and the error is reported', async (t) => {
  const redis = new Redis({ port: await freePort(), host: '127.0.0.1', maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true });
  redis.on('error', () => undefined);
  t.after(() => redis.disconnect());
  const errors: unknown[] = [];
  const store = new RedisBuckets(redis, new MemoryBuckets(), (err) => errors.push(err));
  assert.deepEqual(await takeAll(store, 'k', 6), [true, true, true, true, true, false]);
  assert.equal(errors.length, 6);
});

test('a Redis that stops answering: each take falls back to memory after a short wait instead of hanging', { timeout: 20_000 }, async (t) => {
  const silent = await startSilentRedis(t);
  const store = createBucketStore(silent.url, silentLogger());
  t.after(() => store.close());
  await sleep(200); // connected and ready
  // Each take waits out its timeout before counting in memory: a slow refill keeps the sixth refused all the same.
  const slow = { ratePerSec: 0.1, burst: 5 };
  const takes = (async () => {
    const out: boolean[] = [];
    for (let i = 0; i < 6; i++) out.push((await store.take('k', slow)).allowed);
    return out;
  })();
  assert.deepEqual(await Promise.race([takes, sleep(10_000, 'hung')]), [true, true, true, true, true, false]);
  // The commands it never answered are dropped with the connection, which is opened anew: while Redis stays silent,
  // requests do not pile up unanswered commands in the gateway's memory.
  await sleep(2_500);
  assert.ok(silent.connections() >= 2, `${silent.connections()} connection(s)`);
});

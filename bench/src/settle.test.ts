import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasSettled, warmUntilSettled, type WarmWindow } from './settle.js';
import type { CacheLookups } from './cache-lookups.js';
import type { WrkResult } from './wrk.js';

const RESULT: WrkResult = { rps: 100, p50Ms: 10, p99Ms: 20, requests: 1_000, errors: 0 };
const windows = (...hitRates: number[]): WarmWindow[] => hitRates.map((hitRate) => ({ hitRate, result: RESULT }));

test('caches settle once a window gains less than the rule over the one before', () => {
  assert.equal(hasSettled(windows(0.99), 0.01), false);
  assert.equal(hasSettled(windows(0.5, 0.6), 0.01), false);
  assert.equal(hasSettled(windows(0.5, 0.6, 0.605), 0.01), true);
  assert.equal(hasSettled(windows(0.95, 0.94), 0.01), true);
  // A window without lookups (hit rate NaN) has nothing left to warm.
  assert.equal(hasSettled(windows(0.5, Number.NaN), 0.01), true);
});

test('warms window after window until the hit rate settles, reading the counters between windows', async () => {
  // Cumulative counters as a mesh's metrics would show them after each window: 50%, 75%, 90%, 90.5% of that window's lookups hit.
  const readings: CacheLookups[] = [
    { hits: 0, misses: 0, declined: 0 },
    { hits: 500, misses: 500, declined: 0 },
    { hits: 1_250, misses: 750, declined: 0 },
    { hits: 2_150, misses: 850, declined: 0 },
    { hits: 3_055, misses: 945, declined: 0 },
  ];
  let read = 0;
  const seen: number[] = [];
  const warm = await warmUntilSettled(
    async () => RESULT,
    // A fifth window would read past the readings and fail the test.
    async () => readings[read++]!,
    { minRise: 0.01, maxWindows: 10 },
    (window, index) => seen.push(index),
  );
  assert.equal(warm.settled, true);
  assert.deepEqual(warm.windows.map((w) => w.hitRate), [0.5, 0.75, 0.9, 0.905]);
  assert.deepEqual(seen, [1, 2, 3, 4]);
});

test('stops after the most windows allowed, unsettled', async () => {
  // Every window looks 100 entries up and hits ten more than the window before.
  let window = 0;
  const total = { hits: 0, misses: 0, declined: 0 };
  const warm = await warmUntilSettled(
    async () => RESULT,
    async () => {
      total.hits += 10 * window;
      total.misses += 100 - 10 * window;
      window++;
      return { ...total };
    },
    { minRise: 0.01, maxWindows: 3 },
    () => {},
  );
  assert.equal(warm.settled, false);
  assert.equal(warm.windows.length, 3);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { benchPoolMb } from './bench-mariadb.js';

const GB = 1024 ** 3;

test('the pool is a quarter of the memory, at least 128 MB and at most 8 GB', () => {
  assert.equal(benchPoolMb({}, 24 * GB), 6 * 1024);
  assert.equal(benchPoolMb({}, 64 * GB), 8 * 1024);
  assert.equal(benchPoolMb({}, 0.25 * GB), 128);
});

test('BENCH_MARIADB_POOL_MB overrides it, and nonsense is refused', () => {
  assert.equal(benchPoolMb({ BENCH_MARIADB_POOL_MB: '2048' }, 24 * GB), 2048);
  for (const bad of ['', 'lots', '1.5', '16']) assert.throws(() => benchPoolMb({ BENCH_MARIADB_POOL_MB: bad }, 24 * GB), /BENCH_MARIADB_POOL_MB/);
});

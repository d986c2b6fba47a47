import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { startPrivateRedis } from '@douyin/testing';
import { redisFootprint, usedMemoryMbOf } from './redis-footprint.js';

test('used_memory is read from an INFO memory reply, in MB', () => {
  const info = '# Memory\r\nused_memory:3145728\r\nused_memory_human:3.00M\r\nused_memory_rss:9437184\r\n';
  assert.equal(usedMemoryMbOf(info), 3);
  assert.throws(() => usedMemoryMbOf('# Memory\r\nused_memory_rss:9437184\r\n'), /no used_memory/);
});

test('a Redis footprint counts its keys and the memory they take', async (t) => {
  // A server of its own: used_memory is server-wide, and other tests' keys on a shared one would move it.
  const redis = await startPrivateRedis(t);
  const raw = new Redis(redis.url);
  t.after(() => raw.quit());
  const before = await redisFootprint(redis.url);
  assert.equal(before.keys, 0);
  await raw.mset(...Array.from({ length: 1_000 }, (_, i) => [`entry:${i}`, 'x'.repeat(1_000)]).flat());
  const after = await redisFootprint(redis.url);
  assert.equal(after.keys, 1_000);
  // A thousand values of a kilobyte each: at least a megabyte more, less than twice that.
  const grewMb = after.usedMb - before.usedMb;
  assert.ok(grewMb > 0.95 && grewMb < 2, `used memory grew ${grewMb} MB`);
});

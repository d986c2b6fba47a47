import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metricsFor } from '@douyin/metrics';
import { MemoryBuckets, createRouteLimiter, type RouteLimits } from '@douyin/ratelimit';

const limits: RouteLimits = {
  all: { ip: { ratePerSec: 1, burst: 4 }, user: { ratePerSec: 1, burst: 2 } },
  classes: { upload: { ip: null, user: { ratePerSec: 1, burst: 1 } } },
};

test('every applicable bucket is taken: per IP always, per user once known, per class on its routes', async () => {
  const metrics = metricsFor('limiter-test');
  const limiter = createRouteLimiter(new MemoryBuckets(() => 0), limits, metrics);
  // The user bucket (2) runs out before the IP bucket (4).
  assert.equal((await limiter.check('read', { ip: 'a', userId: 7 })).allowed, true);
  assert.equal((await limiter.check('read', { ip: 'a', userId: 7 })).allowed, true);
  assert.deepEqual(await limiter.check('read', { ip: 'a', userId: 7 }), { allowed: false, retryAfterMs: 1000, routeClass: 'all', subject: 'user' });
  // Anonymous requests from the same IP still have the IP bucket's last token.
  assert.equal((await limiter.check('read', { ip: 'a' })).allowed, true);
  assert.deepEqual(await limiter.check('read', { ip: 'a' }), { allowed: false, retryAfterMs: 1000, routeClass: 'all', subject: 'ip' });

  // Uploads: one per user, and per IP when the user is not known before the body.
  assert.equal((await limiter.check('upload', { ip: 'b', userId: 8 })).allowed, true);
  assert.deepEqual(await limiter.check('upload', { ip: 'b', userId: 8 }), { allowed: false, retryAfterMs: 1000, routeClass: 'upload', subject: 'user' });
  assert.equal((await limiter.check('upload', { ip: 'c' })).allowed, true);
  assert.deepEqual(await limiter.check('upload', { ip: 'c' }), { allowed: false, retryAfterMs: 1000, routeClass: 'upload', subject: 'ip' });

  const counted = (await metrics.rateLimited.get()).values.map((v) => [v.labels.class, v.labels.subject, v.value]);
  assert.deepEqual(counted.sort(), [['all', 'ip', 1], ['all', 'user', 1], ['upload', 'ip', 1], ['upload', 'user', 1]]);
});

test('a user known only from the body is charged their own buckets alone: the IP was charged before', async () => {
  const limiter = createRouteLimiter(new MemoryBuckets(() => 0), limits);
  // The IP's general bucket (4) is emptied; the user's general (2) and upload (1) buckets are untouched by it.
  for (let i = 0; i < 4; i++) assert.equal((await limiter.check('read', { ip: 'd' })).allowed, true);
  assert.equal((await limiter.check('read', { ip: 'd' })).allowed, false);
  assert.equal((await limiter.checkUser('upload', 9)).allowed, true);
  assert.deepEqual(await limiter.checkUser('upload', 9), { allowed: false, retryAfterMs: 1000, routeClass: 'upload', subject: 'user' });
  // The same buckets a check that knows the user takes: the two uploads' checks took the general user bucket's two.
  assert.deepEqual(await limiter.check('read', { ip: 'e', userId: 9 }), { allowed: false, retryAfterMs: 1000, routeClass: 'all', subject: 'user' });
});

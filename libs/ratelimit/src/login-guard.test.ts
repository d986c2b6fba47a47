import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { freePort, sharedRedisUrl } from '@douyin/testing';
import { createLoginGuard, type LoginGuard } from '@douyin/ratelimit';

const limits = { failuresPerUserAndIp: 3, blockSeconds: 60, failuresPerIpPerDay: 5 };

async function fail(guard: LoginGuard, username: string, ip: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await guard.failed(username, ip);
}

test('memory: a username is blocked from one IP after its failures in a row, for the block time', async () => {
  const guard = createLoginGuard(limits);
  await fail(guard, 'alice', '10.0.0.1', 2);
  assert.equal(await guard.retryAfterMs('alice', '10.0.0.1'), 0, 'two failures leave a third try');
  await guard.failed('alice', '10.0.0.1');
  const wait = await guard.retryAfterMs('alice', '10.0.0.1');
  assert.ok(wait > 59_000 && wait <= 60_000, `blocked for the block time, ${wait} ms`);
  assert.equal(await guard.retryAfterMs('alice', '10.0.0.2'), 0, 'the owner logging in from elsewhere is not locked out');
  assert.equal(await guard.retryAfterMs('bob', '10.0.0.1'), 0, 'another username from the same IP is not blocked yet');
});

test('memory: a success clears the failures in a row', async () => {
  const guard = createLoginGuard(limits);
  await fail(guard, 'alice', '10.0.0.1', 2);
  await guard.succeeded('alice', '10.0.0.1');
  await fail(guard, 'alice', '10.0.0.1', 2);
  assert.equal(await guard.retryAfterMs('alice', '10.0.0.1'), 0);
});

test('memory: one IP spraying passwords over many usernames is blocked for the day', async () => {
  const guard = createLoginGuard(limits);
  for (const name of ['a', 'b', 'c', 'd', 'e']) await guard.failed(name, '10.0.0.9');
  const wait = await guard.retryAfterMs('f', '10.0.0.9');
  assert.ok(wait > 23 * 3600_000, `blocked for a day, ${wait} ms`);
  assert.equal(await guard.retryAfterMs('f', '10.0.0.8'), 0);
});

test('memory: a username containing the key separator cannot block another pair', async () => {
  const guard = createLoginGuard(limits);
  await fail(guard, 'x|10.0.0.1', '10.0.0.2', 3);
  assert.equal(await guard.retryAfterMs('x', '10.0.0.1'), 0);
});

const redisUrl = sharedRedisUrl();
test('redis: two gateway replicas share the counts', { skip: !redisUrl }, async (t) => {
  const [a, b] = [new Redis(redisUrl ?? ''), new Redis(redisUrl ?? '')];
  // Fresh keys in the shared Redis: a fixed IP would carry its daily count from one run into the next.
  const [user, ip] = [`u-${randomBytes(4).toString('hex')}`, `10.${[...randomBytes(3)].join('.')}`];
  const keys = [`login-fail-pair:${ip}|${user}`, `login-fail-ip:${ip}`];
  t.after(async () => {
    await a.del(...keys);
    await Promise.all([a.quit(), b.quit()]);
  });
  const [one, two] = [createLoginGuard(limits, a), createLoginGuard(limits, b)];
  await fail(one, user, ip, 2);
  await two.failed(user, ip);
  const wait = await one.retryAfterMs(user, ip);
  assert.ok(wait > 59_000 && wait <= 60_000, `blocked through the other replica's failure, ${wait} ms`);
  const ttl = await a.pttl(keys[0] ?? '');
  assert.ok(ttl > 59_000 && ttl <= 60_000, `the block lives in Redis and expires with it (pttl ${ttl})`);
});

test('redis unreachable: the guard keeps counting in memory instead of failing logins', async (t) => {
  const redis = new Redis({ port: await freePort(), host: '127.0.0.1', maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true });
  redis.on('error', () => undefined);
  t.after(() => redis.disconnect());
  const guard = createLoginGuard(limits, redis);
  await fail(guard, 'alice', '10.0.0.1', 3);
  assert.ok((await guard.retryAfterMs('alice', '10.0.0.1')) > 0);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { freePort, sharedRedisUrl } from '@douyin/testing';
import { KNOWN_PAIR_SECONDS, createLoginGuard, type LoginGuard } from '@douyin/ratelimit';

const limits = { failuresPerUserAndIp: 3, blockSeconds: 60, failuresPerIpPerDay: 5, failuresPerUserPerHour: 8 };

/** Attempts that go ahead and get a wrong password (nothing follows `begin`). */
async function fail(guard: LoginGuard, username: string, ip: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) assert.equal(await guard.begin(username, ip), 0, `failure ${i + 1} may be tried`);
}

test('memory: a username is blocked from one IP after its failures in a row, for the block time', async () => {
  const guard = createLoginGuard(limits);
  await fail(guard, 'alice', '10.0.0.1', 3);
  const wait = await guard.begin('alice', '10.0.0.1');
  assert.ok(wait > 59_000 && wait <= 60_000, `blocked for the block time, ${wait} ms`);
  assert.equal(await guard.begin('alice', '10.0.0.2'), 0, 'the owner logging in from elsewhere is not locked out');
  assert.equal(await guard.begin('bob', '10.0.0.1'), 0, 'another username from the same IP is not blocked yet');
});

test('memory: a success clears the failures in a row', async () => {
  const guard = createLoginGuard(limits);
  await fail(guard, 'alice', '10.0.0.1', 2);
  assert.equal(await guard.begin('alice', '10.0.0.1'), 0);
  await guard.succeeded('alice', '10.0.0.1');
  await fail(guard, 'alice', '10.0.0.1', 3);
});

test('memory: one IP spraying passwords over many usernames is blocked for the day; its successes do not count', async () => {
  const guard = createLoginGuard(limits);
  for (const name of ['s1', 's2', 's3', 's4', 's5', 's6']) {
    assert.equal(await guard.begin(name, '10.0.0.9'), 0);
    await guard.succeeded(name, '10.0.0.9');
  }
  for (const name of ['a', 'b', 'c', 'd', 'e']) await fail(guard, name, '10.0.0.9', 1);
  const wait = await guard.begin('f', '10.0.0.9');
  assert.ok(wait > 23 * 3600_000, `blocked for a day, ${wait} ms`);
  assert.equal(await guard.begin('f', '10.0.0.8'), 0);
});

test('memory: one username guessed from many networks is refused for the hour from any it never logged in from; its owner goes on where they did', async () => {
  const guard = createLoginGuard({ ...limits, failuresPerUserPerHour: 4 });
  assert.equal(await guard.begin('alice', '10.0.0.100'), 0);
  await guard.succeeded('alice', '10.0.0.100');
  for (let i = 1; i <= 4; i++) await fail(guard, 'alice', `10.0.1.${i}`, 1);
  const wait = await guard.begin('alice', '10.0.1.99');
  assert.ok(wait > 3_590_000 && wait <= 3_600_000, `blocked for the hour, ${wait} ms`);
  assert.equal(await guard.begin('alice', '10.0.0.100'), 0, 'the owner, from the network they logged in from');
  assert.equal(await guard.begin('bob', '10.0.1.99'), 0, 'another username from the same network');
});

test('memory: a success or an attempt without a verdict from a new network takes nothing from its username\'s hour', async () => {
  const guard = createLoginGuard({ ...limits, failuresPerUserPerHour: 2 });
  for (let i = 1; i <= 3; i++) {
    assert.equal(await guard.begin('carol', `10.0.2.${i}`), 0);
    await guard.abandoned('carol', `10.0.2.${i}`);
  }
  for (let i = 4; i <= 6; i++) {
    assert.equal(await guard.begin('carol', `10.0.2.${i}`), 0);
    await guard.succeeded('carol', `10.0.2.${i}`);
  }
  await fail(guard, 'carol', '10.0.2.7', 1);
  await fail(guard, 'carol', '10.0.2.8', 1);
  assert.ok((await guard.begin('carol', '10.0.2.9')) > 0, 'two failures are the hour\'s');
});

test('memory: behind an IP blocked for the day, a username that logged in from it before goes on, within its own failures in a row', async () => {
  const guard = createLoginGuard(limits);
  const shared = '10.0.0.9'; // a NAT: a campus or a carrier's address many people share
  assert.equal(await guard.begin('alice', shared), 0);
  await guard.succeeded('alice', shared);
  for (const name of ['a', 'b', 'c', 'd', 'e']) await fail(guard, name, shared, 1);
  // The IP's count is at its limit: the next stranger starts the block, and alice is no stranger.
  assert.equal(await guard.begin('alice', shared), 0);
  await guard.abandoned('alice', shared);
  const blockedForTheDay = async (name: string, ip = shared) => assert.ok((await guard.begin(name, ip)) > 23 * 3600_000, `${name} is refused at ${ip}`);
  await blockedForTheDay('f');
  assert.equal(await guard.begin('alice', shared), 0, 'alice, known there, is not refused');
  await guard.succeeded('alice', shared);
  assert.equal(await guard.begin('alice', shared), 0);
  await guard.abandoned('alice', shared);
  await blockedForTheDay('g'); // her attempts took nothing from the IP's count, and gave nothing back
  await fail(guard, 'alice', shared, 3);
  const wait = await guard.begin('alice', shared);
  assert.ok(wait > 59_000 && wait <= 60_000, `her own failures in a row block her as anywhere, ${wait} ms`);
  // Known at one address is known at that one only.
  for (const name of ['a', 'b', 'c', 'd', 'e']) await fail(guard, name, '10.0.0.8', 1);
  await blockedForTheDay('f', '10.0.0.8');
  await blockedForTheDay('alice', '10.0.0.8');
});

test('memory: concurrent attempts cannot all pass before a failure is counted', async () => {
  const guard = createLoginGuard(limits);
  const waits = await Promise.all(Array.from({ length: 40 }, () => guard.begin('alice', '10.0.0.1')));
  assert.equal(waits.filter((wait) => wait === 0).length, 3);
  // The refused ones took nothing from the IP's count: another username from it has the IP's two failures left.
  await fail(guard, 'bob', '10.0.0.1', 2);
  assert.ok((await guard.begin('carol', '10.0.0.1')) > 23 * 3600_000);
});

test('memory: an attempt abandoned without a verdict counts for nothing, and a refused one takes nothing from the IP', async () => {
  const guard = createLoginGuard(limits);
  for (let i = 0; i < 10; i++) {
    assert.equal(await guard.begin('alice', '10.0.0.1'), 0);
    await guard.abandoned('alice', '10.0.0.1');
  }
  await fail(guard, 'alice', '10.0.0.1', 3);
  for (let i = 0; i < 10; i++) assert.ok((await guard.begin('alice', '10.0.0.1')) > 0);
  // Three failures of the IP's five were alice's; the refused attempts after them took none.
  await fail(guard, 'bob', '10.0.0.1', 2);
  assert.ok((await guard.begin('carol', '10.0.0.1')) > 23 * 3600_000);
});

test('memory: a username containing the key separator cannot block another pair', async () => {
  const guard = createLoginGuard(limits);
  await fail(guard, 'x|10.0.0.1', '10.0.0.2', 3);
  assert.equal(await guard.begin('x', '10.0.0.1'), 0);
});

const redisUrl = sharedRedisUrl();

/**
 * Usernames of this run alone, and the removal of what they leave in the shared Redis: a username's failures count
 * for an hour, so a fixed name would carry them from one run into the next, and be blocked there.
 */
function runUsernames(redis: Redis) {
  const suffix = randomBytes(4).toString('hex');
  const used = new Set<string>();
  return {
    suffix,
    name(base: string) {
      const name = `${base}-${suffix}`;
      used.add(name);
      return name;
    },
    forget: async () => {
      if (used.size > 0) await redis.del(...[...used].map((name) => `login-fail-user:${name}`));
    },
  };
}
test('redis: two gateway replicas share the counts, concurrent attempts included', { skip: !redisUrl }, async (t) => {
  const [a, b] = [new Redis(redisUrl ?? ''), new Redis(redisUrl ?? '')];
  // Fresh keys in the shared Redis: a fixed IP would carry its daily count from one run into the next.
  const [user, ip] = [`u-${randomBytes(4).toString('hex')}`, `10.${[...randomBytes(3)].join('.')}`];
  const keys = [`login-fail-pair:${ip}|${user}`, `login-fail-ip:${ip}`, `login-fail-user:${user}`];
  t.after(async () => {
    await a.del(...keys);
    await Promise.all([a.quit(), b.quit()]);
  });
  const [one, two] = [createLoginGuard(limits, a), createLoginGuard(limits, b)];
  const waits = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? one : two).begin(user, ip)));
  assert.equal(waits.filter((wait) => wait === 0).length, 3, 'three attempts between both replicas');
  const wait = await one.begin(user, ip);
  assert.ok(wait > 59_000 && wait <= 60_000, `blocked for the block time, ${wait} ms`);
  const ttl = await a.pttl(keys[0] ?? '');
  assert.ok(ttl > 59_000 && ttl <= 60_000, `the block lives in Redis and expires with it (pttl ${ttl})`);
});

test('redis: a username known at an IP is known to every replica, for 14 days after its last login there', { skip: !redisUrl }, async (t) => {
  const [a, b] = [new Redis(redisUrl ?? ''), new Redis(redisUrl ?? '')];
  const [user, ip] = [`u-${randomBytes(4).toString('hex')}`, `10.${[...randomBytes(3)].join('.')}`];
  const known = `login-known:${ip}|${user}`;
  const names = runUsernames(a);
  t.after(async () => {
    await a.del(known, `login-fail-ip:${ip}`, `login-fail-user:${user}`, ...(await a.keys(`login-fail-pair:${ip}|*`)));
    await names.forget();
    await Promise.all([a.quit(), b.quit()]);
  });
  const [one, two] = [createLoginGuard(limits, a), createLoginGuard(limits, b)];
  assert.equal(await one.begin(user, ip), 0);
  await one.succeeded(user, ip);
  const ttl = await a.pttl(known);
  assert.ok(ttl > (KNOWN_PAIR_SECONDS - 60) * 1000 && ttl <= KNOWN_PAIR_SECONDS * 1000, `pttl ${ttl}`);
  for (const name of ['a', 'b', 'c', 'd', 'e']) await fail(one, names.name(name), ip, 1);
  assert.ok((await two.begin(names.name('f'), ip)) > 23 * 3600_000);
  assert.equal(await two.begin(user, ip), 0, 'the other replica lets the known username through');
});

test('redis: an IP blocked for the day counts no more usernames: it leaves no day-long key per name it tries', { skip: !redisUrl }, async (t) => {
  const redis = new Redis(redisUrl ?? '');
  const ip = `10.${[...randomBytes(3)].join('.')}`;
  const pairKeys = () => redis.keys(`login-fail-pair:${ip}|*`);
  const names = runUsernames(redis);
  t.after(async () => {
    const keys = [...(await pairKeys()), `login-fail-ip:${ip}`];
    await redis.del(...keys);
    await names.forget();
    await redis.quit();
  });
  const guard = createLoginGuard(limits, redis);
  for (const name of ['a', 'b', 'c', 'd', 'e']) await fail(guard, names.name(name), ip, 1);
  assert.ok((await guard.begin(names.name('f'), ip)) > 23 * 3600_000, 'the sixth name starts the day-long block');
  const before = (await pairKeys()).length;
  for (let i = 0; i < 20; i++) assert.ok((await guard.begin(names.name(`sprayed-${i}`), ip)) > 23 * 3600_000);
  assert.equal((await pairKeys()).length, before);
});

test('redis: a login that succeeds or ends without a verdict leaves no count behind; a failure is kept', { skip: !redisUrl }, async (t) => {
  const redis = new Redis(redisUrl ?? '');
  const ip = `10.${[...randomBytes(3)].join('.')}`;
  const names = runUsernames(redis);
  const [ok, unsure, wrong] = [names.name('ok'), names.name('unsure'), names.name('wrong')];
  const keys = async () => [...(await redis.keys(`login-fail-*:${ip}*`)), ...(await redis.keys(`login-fail-user:*-${names.suffix}`))];
  t.after(async () => {
    const left = await keys();
    if (left.length > 0) await redis.del(...left);
    await redis.quit();
  });
  const guard = createLoginGuard(limits, redis);
  assert.equal(await guard.begin(ok, ip), 0);
  await guard.succeeded(ok, ip);
  assert.equal(await guard.begin(unsure, ip), 0);
  await guard.abandoned(unsure, ip);
  assert.deepEqual(await keys(), [], 'no key for a client that did nothing wrong');
  await fail(guard, wrong, ip, 1);
  assert.deepEqual((await keys()).sort(), [`login-fail-ip:${ip}`, `login-fail-pair:${ip}|${wrong}`, `login-fail-user:${wrong}`]);
});

test('redis unreachable: the guard keeps counting in memory instead of failing logins', async (t) => {
  const redis = new Redis({ port: await freePort(), host: '127.0.0.1', maxRetriesPerRequest: 0, enableOfflineQueue: false, lazyConnect: true });
  redis.on('error', () => undefined);
  t.after(() => redis.disconnect());
  const guard = createLoginGuard(limits, redis);
  await fail(guard, 'alice', '10.0.0.1', 3);
  assert.ok((await guard.begin('alice', '10.0.0.1')) > 0);
});

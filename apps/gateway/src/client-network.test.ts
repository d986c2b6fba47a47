import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBuckets, createRouteLimiter } from '@douyin/ratelimit';
import { clientNetwork } from './client-network.js';
import { fakeUserService, gatewayFor } from '../test/harness.js';

test('an IPv4 client is its address; an IPv6 client its /64, however the address is written', () => {
  assert.equal(clientNetwork('203.0.113.7'), '203.0.113.7');
  assert.equal(clientNetwork('::ffff:203.0.113.7'), '203.0.113.7', 'IPv4 through a dual-stack socket');
  assert.equal(clientNetwork('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
  assert.equal(clientNetwork('2001:0DB8:0001:0002::1'), '2001:db8:1:2::/64');
  assert.equal(clientNetwork('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(clientNetwork('::1'), '0:0:0:0::/64');
  assert.equal(clientNetwork('fe80::1%eth0'), 'fe80:0:0:0::/64');
  // IPv4 carried in IPv6 is the IPv4 client, however it is spelled; not one /64 shared by every IPv4 client.
  for (const mapped of ['::ffff:0a00:1', '0:0:0:0:0:ffff:a00:1', '::FFFF:10.0.0.1', '64:ff9b::10.0.0.1', '64:ff9b::a00:1']) {
    assert.equal(clientNetwork(mapped), '10.0.0.1', mapped);
  }
  assert.equal(clientNetwork(undefined), 'unknown', 'a socket already gone');
});

test('addresses of one IPv6 /64 share the per-IP buckets; another /64 has its own', async (t) => {
  const limiter = createRouteLimiter(new MemoryBuckets(() => 0), { all: { ip: { ratePerSec: 1 / 60, burst: 1 }, user: null }, classes: {} });
  const app = await gatewayFor(t, fakeUserService().client, undefined, undefined, {}, {}, {}, { limiter });
  const page = (from: string) => app.inject({ url: '/douyin/feed/', remoteAddress: from }).then((res) => res.json().status_code as number);
  assert.equal(await page('2001:db8:1:2::10'), 0);
  assert.equal(await page('2001:db8:1:2:ffff::99'), 42901, 'another address of the same subscriber');
  assert.equal(await page('2001:db8:1:3::10'), 0, 'the next /64');
  assert.equal(await page('::ffff:198.51.100.1'), 0);
  assert.equal(await page('198.51.100.1'), 42901, 'the same IPv4 client, written without the mapping');
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '@douyin/config';
import { MemoryBuckets, createRouteLimiter } from '@douyin/ratelimit';
import { GatewayEnv } from './config.js';
import type { GatewayDeps } from './deps.js';
import { fakeUserService, gatewayFor } from '../test/harness.js';

/** One feed page per client address, so a second page tells whose bucket the request was counted in. */
async function onePagePerClient(t: { after(fn: () => unknown): void }, trustedProxies?: GatewayDeps['trustedProxies']) {
  const limiter = createRouteLimiter(new MemoryBuckets(() => 0), { all: { ip: { ratePerSec: 1 / 60, burst: 1 }, user: null }, classes: {} });
  const app = await gatewayFor(t, fakeUserService().client, undefined, undefined, {}, {}, {}, { limiter, trustedProxies });
  return (from: string, forwardedFor?: string) =>
    app
      .inject({ url: '/douyin/feed/', remoteAddress: from, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } })
      .then((res) => res.json().status_code as number);
}

test('behind a trusted proxy each client the proxy names has its own buckets', async (t) => {
  const page = await onePagePerClient(t, ['10.0.0.0/8']);
  assert.equal(await page('10.1.2.3', '203.0.113.1'), 0);
  assert.equal(await page('10.1.2.3', '203.0.113.2'), 0, 'another client behind the same proxy');
  assert.equal(await page('10.4.5.6', '203.0.113.1'), 42901, 'the first client again, through another proxy of the range');
  // A proxy appends the address it saw: what the client wrote before it is not believed.
  assert.equal(await page('10.1.2.3', '198.51.100.9, 203.0.113.2'), 42901);
  assert.equal(await page('10.1.2.3'), 0, 'a request of the proxy itself counts as the proxy');
});

test('X-Forwarded-For from an address not trusted is ignored', async (t) => {
  for (const trusted of [undefined, [], ['10.0.0.0/8']]) {
    const page = await onePagePerClient(t, trusted);
    assert.equal(await page('192.0.2.7', '203.0.113.1'), 0);
    assert.equal(await page('192.0.2.7', '203.0.113.2'), 42901, `trusted ${JSON.stringify(trusted)}: one client, whatever it claims`);
  }
});

test('TRUSTED_PROXIES takes addresses, ranges and named ranges, and names an entry it cannot read', () => {
  assert.deepEqual(loadConfig(GatewayEnv, {}).trustedProxies, []);
  assert.deepEqual(loadConfig(GatewayEnv, { TRUSTED_PROXIES: ' 10.0.0.0/8, 192.168.1.10,fd00::/8 , loopback,' }).trustedProxies, [
    '10.0.0.0/8',
    '192.168.1.10',
    'fd00::/8',
    'loopback',
  ]);
  for (const bad of ['10.0.0.0/33', 'proxy.internal', '10.0.0.1/8/8', '::1/129', '10.0.0.0/', '0.0.0.0/0']) {
    assert.throws(() => loadConfig(GatewayEnv, { TRUSTED_PROXIES: bad }), /TRUSTED_PROXIES.*expected addresses or ranges/, bad);
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@douyin/telemetry';
import { createRegistry, createStaticRegistry } from '@douyin/registry';

test('serves the listed instances at once and nothing for an unknown service', async () => {
  const registry = createStaticRegistry({ staticServices: 'user=127.0.0.1:9101,127.0.0.1:9111', logger: silentLogger() });
  assert.equal(registry.kind, 'static');
  assert.deepEqual(registry.instances('user'), [
    { id: 'user@127.0.0.1:9101', service: 'user', address: '127.0.0.1', port: 9101, tags: [], meta: {} },
    { id: 'user@127.0.0.1:9111', service: 'user', address: '127.0.0.1', port: 9111, tags: [], meta: {} },
  ]);
  assert.deepEqual(registry.instances('video'), []);
  assert.equal((await registry.ready('user', 10_000)).length, 2);
  await registry.register({ service: 'user', id: 'user-1', address: '127.0.0.1', port: 9101, healthCheckUrl: 'http://127.0.0.1:9101/healthz' });
  await registry.deregister('user-1');
  assert.equal(registry.instances('user').length, 2);
  await registry.close();
});

test('createRegistry picks consul only when a consul url is set', async () => {
  const logger = silentLogger();
  const fallback = createRegistry({ staticServices: 'user=127.0.0.1:9101', logger });
  assert.equal(fallback.kind, 'static');
  assert.equal(fallback.instances('user').length, 1);
  const consul = createRegistry({ consulUrl: 'http://127.0.0.1:1', staticServices: 'user=127.0.0.1:9101', logger });
  assert.equal(consul.kind, 'consul');
  await consul.close();
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Agent, request } from 'undici';
import { createStaticRegistry, type InstanceRegistration } from '@douyin/registry';
import { silentLogger } from '@douyin/telemetry';
import { createHttpApp, serve } from '@douyin/mesh';
import { startEcho, testConfig } from '../test/echo-service.js';

test('a graceful stop answers the request in flight on a keep-alive connection, closes it, and ends without waiting', async (t) => {
  const echo = await startEcho(t, 'echo');
  // One pooled keep-alive connection, as any HTTP client (the APK, an HTTP-transport caller) holds.
  const agent = new Agent({ connections: 1, keepAliveTimeout: 60_000 });
  t.after(() => agent.close());
  const slow = request(`http://127.0.0.1:${echo.port}/rpc/slow`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ input: { ms: 300 } }),
    dispatcher: agent,
  });
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = Date.now();
  await echo.stop();
  // The grace period is 2 s: a connection left open after its answer would hold the stop until then.
  assert.ok(Date.now() - started < 1_500, `stopped after ${Date.now() - started} ms`);
  const answer = await slow;
  assert.equal(answer.statusCode, 200);
  assert.deepEqual(await answer.body.json(), { result: 'late' });
  assert.equal(answer.headers.connection, 'close');
});

test("discovery's health check passes for this instance only, not for one that held its port before", async (t) => {
  const logger = silentLogger();
  const registered: InstanceRegistration[] = [];
  const registry = { ...createStaticRegistry({ logger }), register: async (r: InstanceRegistration) => void registered.push(r) };
  const server = await serve({ app: createHttpApp(logger), config: testConfig('echo'), registry, logger, handleSignals: false });
  t.after(() => server.stop());
  const check = new URL(registered[0]!.healthCheckUrl);
  assert.equal(check.searchParams.get('instance'), server.instanceId);
  const status = async (query: string) => (await fetch(`http://127.0.0.1:${server.port}/healthz${query}`)).status;
  assert.equal(await status(check.search), 200);
  assert.equal(await status(`?instance=${encodeURIComponent(server.instanceId.replace(/-[0-9a-f]+$/, '-0a0b0c'))}`), 404);
  assert.equal(await status(''), 200, 'a probe that names no instance (the kubelet) asks whether the process lives');
});

import http from 'node:http';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, createContextKey } from '@opentelemetry/api';
import { createConsulRegistry } from '@douyin/registry';
import { silentLogger } from '@douyin/telemetry';
import { startFakeConsul, until } from '@douyin/testing';
import './call-scope.js'; // the context manager the apps run with
import { createMesh } from './mesh.js';
import { startEcho, type EchoRouter } from '../test/echo-service.js';

test('a discovery watch begun while serving a request runs outside it: its long polls join no request\'s trace', async (t) => {
  const consul = await startFakeConsul({});
  t.after(() => consul.stop());
  const registry = createConsulRegistry({ consulUrl: consul.url, logger: silentLogger() });
  t.after(() => registry.close());

  // What the HTTP instrumentation would make of each poll: a child of whatever context is active when it is sent.
  const REQUEST = createContextKey('the request being served');
  const polls: unknown[] = [];
  const send = http.request;
  http.request = ((...args: Parameters<typeof http.request>) => (polls.push(context.active().getValue(REQUEST)), send(...args))) as typeof http.request;
  t.after(() => (http.request = send));

  // GET /sd/prometheus, or a first call to a service, is the first to ask for its instances.
  await context.with(context.active().setValue(REQUEST, 'GET /sd/prometheus'), () => registry.ready('user', 500));
  assert.ok(polls.length > 0);
  assert.deepEqual(new Set(polls), new Set([undefined]));
});

test('the breakers and streams of an instance that leaves discovery go at once, not at its service\'s next call', async (t) => {
  const consul = await startFakeConsul({});
  t.after(() => consul.stop());
  const registry = createConsulRegistry({ consulUrl: consul.url, logger: silentLogger(), keepEveryMs: 100, callTimeoutMs: 300 });
  t.after(() => registry.close());
  const echoes = [await startEcho(t, 'a'), await startEcho(t, 'b')];
  for (const [i, echo] of echoes.entries()) {
    const health = `http://127.0.0.1:${echo.port}/healthz`;
    await registry.register({ service: 'echo', id: `echo-${i}`, address: '127.0.0.1', port: echo.port, healthCheckUrl: health, checkIntervalMs: 100 });
  }
  const mesh = createMesh({ registry, logger: silentLogger(), timeoutMs: 2_000, retries: 0, breaker: { errorPercent: 50, volume: 3, consecutiveFailures: 5, resetMs: 60_000 }, transport: 'stream' });
  t.after(() => mesh.close());
  await until('both instances discovered', () => registry.instances('echo').length === 2, 3_000);
  const echo = mesh.client<EchoRouter>('echo');
  assert.deepEqual((await Promise.all([echo.whoami.query(), echo.whoami.query()])).sort(), ['a', 'b']);
  assert.deepEqual([...mesh.breakerStates().keys()].sort(), ['echo-0', 'echo-1']);

  await registry.deregister('echo-1');
  // No call meanwhile: the service may never be called again.
  await until('the departed instance forgotten', () => !mesh.breakerStates().has('echo-1'), 3_000);
  assert.deepEqual([...mesh.breakerStates().keys()], ['echo-0']);
});

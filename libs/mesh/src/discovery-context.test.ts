import http from 'node:http';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { context, createContextKey } from '@opentelemetry/api';
import { createConsulRegistry } from '@douyin/registry';
import { silentLogger } from '@douyin/telemetry';
import { startFakeConsul } from '@douyin/testing';
import './call-scope.js'; // the context manager the apps run with

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

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { metricsFor, type ServiceMetrics } from '@douyin/metrics';
import { freePort } from '@douyin/testing';
import { meshOver, startEcho, type EchoRouter } from '../test/echo-service.js';

// What the telemetry preload installs in a real process, minus the exporter: spans stay in memory.
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new W3CTraceContextPropagator());

const valueOf = async (metric: { get(): Promise<{ values: { labels: object; value: number }[] }> | { values: { labels: object; value: number }[] } }, labels: object) =>
  (await metric.get()).values.find((v) => Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x))?.value;

test('one trace crosses two hops: caller CLIENT -> middle SERVER -> CLIENT -> leaf SERVER', async (t) => {
  exporter.reset();
  const leaf = await startEcho(t, 'leaf', { rpc: { service: 'leaf' } });
  const { mesh: middleMesh } = meshOver(t, 'stream', `leaf=127.0.0.1:${leaf.port}`);
  const middle = await startEcho(t, 'middle', { downstream: () => middleMesh, rpc: { service: 'middle' } });
  const { mesh } = meshOver(t, 'stream', `middle=127.0.0.1:${middle.port}`);
  await mesh.client<EchoRouter>('middle').relayBudget.query();

  const spans = exporter.getFinishedSpans();
  const named = (name: string, kind: SpanKind): ReadableSpan => {
    const span = spans.find((s) => s.name === name && s.kind === kind);
    assert.ok(span, `no ${SpanKind[kind]} span ${name} among ${spans.map((s) => `${s.name}/${SpanKind[s.kind]}`).join(', ')}`);
    return span;
  };
  const chain = [
    named('middle/relayBudget', SpanKind.CLIENT),
    named('middle/relayBudget', SpanKind.SERVER),
    named('leaf/budget', SpanKind.CLIENT),
    named('leaf/budget', SpanKind.SERVER),
  ];
  assert.equal(new Set(chain.map((s) => s.spanContext().traceId)).size, 1, 'one trace id');
  assert.equal(chain[0]?.parentSpanContext, undefined, 'the outermost call is the root');
  for (let i = 1; i < chain.length; i++) {
    assert.equal(chain[i]?.parentSpanContext?.spanId, chain[i - 1]?.spanContext().spanId, `hop ${i} links to its caller`);
  }
  assert.equal(chain[3]?.attributes['rpc.method'], 'budget');
});

test('a call in a request the sampler left out stays in its trace unrecorded on both sides, and is still counted', async (t) => {
  exporter.reset();
  const server = metricsFor('unsampled-server');
  const client = metricsFor('unsampled-client');
  const echo = await startEcho(t, 'echo', { rpc: { service: 'unsampled-server', metrics: server } });
  const { mesh } = meshOver(t, 'stream', `echo=127.0.0.1:${echo.port}`, { metrics: client });
  const request = trace.wrapSpanContext({ traceId: 'a1'.repeat(16), spanId: 'b2'.repeat(8), traceFlags: 0 });
  const seen = await context.with(trace.setSpan(context.active(), request), () => mesh.client<EchoRouter>('echo').traceContext.query());

  assert.deepEqual(seen, { traceId: 'a1'.repeat(16), recording: false });
  assert.deepEqual(exporter.getFinishedSpans().map((s) => s.name), []);
  assert.equal(await valueOf(client.rpcClientRequests, { target: 'echo', procedure: 'traceContext', code: 'OK' }), 1);
  assert.equal(await valueOf(server.rpcServerRequests, { procedure: 'traceContext', code: 'OK' }), 1);

  // Outside any request the call is a root of its own, recorded on both sides.
  const root = await mesh.client<EchoRouter>('echo').traceContext.query();
  assert.equal(root.recording, true);
  assert.deepEqual(exporter.getFinishedSpans().map((s) => `${s.name}/${SpanKind[s.kind]}`).sort(), ['echo/traceContext/CLIENT', 'unsampled-server/traceContext/SERVER']);
});

test('calls are counted per procedure and target with their tRPC code, and latency is observed', async (t) => {
  const server = metricsFor('obs-server');
  const client = metricsFor('obs-client');
  const echo = await startEcho(t, 'echo', { rpc: { service: 'obs-server', metrics: server } });
  const { mesh } = meshOver(t, 'stream', `echo=127.0.0.1:${echo.port}`, { metrics: client });
  const api = mesh.client<EchoRouter>('echo');
  await api.whoami.query();
  await api.whoami.query();
  await assert.rejects(api.missing.query());

  assert.equal(await valueOf(server.rpcServerRequests, { procedure: 'whoami', code: 'OK' }), 2);
  assert.equal(await valueOf(server.rpcServerRequests, { procedure: 'missing', code: 'NOT_FOUND' }), 1);
  assert.equal(await valueOf(client.rpcClientRequests, { target: 'echo', procedure: 'whoami', code: 'OK' }), 2);
  assert.equal(await valueOf(client.rpcClientRequests, { target: 'echo', procedure: 'missing', code: 'NOT_FOUND' }), 1);
  assert.equal(await valueOf(server.rpcServerInFlight, { procedure: 'whoami' }), 0);
  const exposition = await server.exposition();
  assert.match(exposition, /douyin_obs_server_rpc_server_duration_seconds_count\{procedure="whoami",outcome="ok"\} 2/);
  assert.match(exposition, /douyin_obs_server_process_cpu_user_seconds_total/, 'default process metrics');

  // A path the router does not have is one label value however many a scanner tries.
  for (const path of ['nope', 'nope2']) await fetch(`http://127.0.0.1:${echo.port}/rpc/${path}`, { method: 'POST' });
  assert.equal(await valueOf(server.rpcServerRequests, { procedure: 'unknown', code: 'NOT_FOUND' }), 2);
});

test('a dead instance opens its breaker: state 2 and one transition to open are reported', async (t) => {
  const metrics: ServiceMetrics = metricsFor('obs-breaker');
  const { mesh } = meshOver(t, 'stream', `echo=127.0.0.1:${await freePort()}`, { metrics, retries: 0 });
  for (let i = 0; i < 5; i++) await assert.rejects(mesh.client<EchoRouter>('echo').whoami.query());
  assert.equal(await valueOf(metrics.breakerState, { target: 'echo' }), 2);
  assert.equal(await valueOf(metrics.breakerTransitions, { target: 'echo', state: 'open' }), 1);
});

test('a procedure at its concurrency limit queues what fits, answers TOO_MANY_REQUESTS past that, and other procedures still run', async (t) => {
  const metrics = metricsFor('obs-limit');
  const echo = await startEcho(t, 'echo', { rpc: { concurrencyLimit: 2, queueLimit: 1, metrics } });
  const { mesh } = meshOver(t, 'stream', `echo=127.0.0.1:${echo.port}`, { retries: 0 });
  const api = mesh.client<EchoRouter>('echo');
  const slow = [api.slow.query({ ms: 300 }), api.slow.query({ ms: 300 })];
  await new Promise((resolve) => setTimeout(resolve, 50));
  const queued = api.slow.query({ ms: 1 });
  // Well before the running calls end (300 ms), long enough for the queued call to reach the server first.
  await new Promise((resolve) => setTimeout(resolve, 100));
  await assert.rejects(api.slow.query({ ms: 1 }), (err: Error & { data?: { code?: string; reason?: string } }) => {
    assert.equal(err.data?.code, 'TOO_MANY_REQUESTS');
    assert.equal(err.data?.reason, 'overloaded');
    return true;
  });
  assert.equal(await api.whoami.query(), 'echo');
  assert.deepEqual(await Promise.all([...slow, queued]), ['late', 'late', 'late'], 'the queued call ran once a turn was free');
  assert.equal(await api.slow.query({ ms: 1 }), 'late', 'the limit frees up as calls finish');
  assert.equal(await valueOf(metrics.rpcServerRejected, { procedure: 'slow' }), 1);
});

test('every served app answers /metrics with RED per route template and /sd/prometheus with the mesh', async (t) => {
  const echo = await startEcho(t, 'sd-test');
  for (const id of [1, 2, 3]) await fetch(`http://127.0.0.1:${echo.port}/healthz?id=${id}`);
  const metrics = await (await fetch(`http://127.0.0.1:${echo.port}/metrics`)).text();
  assert.match(metrics, /douyin_sd_test_http_requests_total\{method="GET",route="\/healthz",code="200",outcome="ok"\} 3/);

  const groups = (await (await fetch(`http://127.0.0.1:${echo.port}/sd/prometheus`)).json()) as { targets: string[]; labels: { service: string } }[];
  assert.deepEqual(groups[0], { targets: [`127.0.0.1:${echo.port}`], labels: { service: 'sd-test' } }, 'itself first');
  assert.ok(groups.every((g) => g.targets.length === 1 && typeof g.labels.service === 'string'));
});

test('with METRICS_TOKEN, /metrics and /sd/prometheus answer only its bearer; everything else stays open', async (t) => {
  const token = 'a-metrics-token-of-some-length';
  const echo = await startEcho(t, 'sd-guarded', { metricsToken: token });
  const get = (path: string, authorization?: string) =>
    fetch(`http://127.0.0.1:${echo.port}${path}`, { headers: authorization ? { authorization } : {} });
  for (const path of ['/metrics', '/sd/prometheus']) {
    const refused = await get(path);
    assert.equal(refused.status, 401, path);
    assert.equal(refused.headers.get('www-authenticate'), 'Bearer');
    assert.equal((await get(path, `Bearer ${token}x`)).status, 401, `${path}, another token`);
    assert.equal((await get(path, token)).status, 401, `${path}, not as a bearer`);
    assert.equal((await get(path, `Bearer ${token}`)).status, 200, path);
  }
  assert.equal((await get('/healthz')).status, 200);
  assert.match(await (await get('/metrics', `Bearer ${token}`)).text(), /douyin_sd_guarded_http_requests_total/);
});

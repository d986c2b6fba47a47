import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request, type ClientRequest } from 'node:http';
import Fastify from 'fastify';
import { markCut, markStream, metricsFor, type ServiceMetrics } from '@douyin/metrics';
import { until } from '@douyin/testing';
import { observeHttp } from './observe-http.js';

async function observed(t: { after(fn: () => unknown): void }, name: string) {
  const metrics = metricsFor(name);
  const app = Fastify();
  let finishSlow: () => void = () => {};
  const slowDone = new Promise<void>((resolve) => (finishSlow = resolve));
  app.get('/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, 150));
    finishSlow();
    return { late: true };
  });
  app.post('/form', async () => ({ ok: true }));
  app.get('/stream', (req, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream' });
    reply.raw.write(': connected\n\n');
    markStream(req);
  });
  app.get('/cut', (req, reply) => {
    reply.hijack();
    markCut(req.raw.socket, { code: '40002', outcome: 'client_error' });
    req.raw.socket.destroy();
  });
  observeHttp(app, metrics);
  await app.listen({ host: '127.0.0.1', port: 0 });
  t.after(() => app.close());
  const { port } = app.server.address() as { port: number };
  return { metrics, app, port, slowDone };
}

const total = async (metrics: ServiceMetrics) => (await metrics.httpRequests.get()).values.reduce((sum, v) => sum + v.value, 0);
const counted = async (metrics: ServiceMetrics) =>
  (await metrics.httpRequests.get()).values.map((v) => `${v.labels.route} ${v.labels.code} ${v.labels.outcome} ${v.value}`).sort();
const timed = async (metrics: ServiceMetrics) =>
  (await metrics.httpDuration.get()).values
    .filter((v) => v.metricName?.endsWith('_count'))
    .map((v) => `${v.labels.route} ${v.labels.outcome} ${v.value}`)
    .sort();

/** Sends a request and closes its connection once `leaveWhen` says so (or at once on the response). */
function leave(port: number, path: string, method: string, leaveWhen: (req: ClientRequest) => void): void {
  const req = request({ host: '127.0.0.1', port, path, method });
  req.on('error', () => {});
  leaveWhen(req);
}

test('a request whose client leaves before its answer is counted once as aborted, and timed', async (t) => {
  const { metrics, port, slowDone } = await observed(t, 'observe-left-waiting');
  leave(port, '/slow', 'GET', (req) => {
    req.end();
    setTimeout(() => req.destroy(), 30);
  });
  // Left after its body was read: Fastify's own onRequestAbort never hears of this one.
  leave(port, '/slow', 'GET', (req) => {
    req.setHeader('content-type', 'application/octet-stream');
    req.end('a body that is read');
    setTimeout(() => req.destroy(), 30);
  });
  // Left halfway through sending its body.
  leave(port, '/form', 'POST', (req) => {
    req.setHeader('content-type', 'application/json');
    req.setHeader('content-length', '1000');
    req.write('{"half":');
    setTimeout(() => req.destroy(), 30);
  });
  await until('three counted', async () => (await total(metrics)) === 3);
  await slowDone;
  // The slow handler answered into a closed connection after this: still counted once.
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(await counted(metrics), ['/form 499 aborted 1', '/slow 499 aborted 2']);
  assert.deepEqual(await timed(metrics), ['/form aborted 1', '/slow aborted 2']);
});

test('an answered request is counted once, however its connection ends afterwards', async (t) => {
  const { metrics, port } = await observed(t, 'observe-answered');
  const res = await fetch(`http://127.0.0.1:${port}/form`, { method: 'POST', headers: { connection: 'close' } });
  assert.equal(res.status, 200);
  await res.text();
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(await counted(metrics), ['/form 200 ok 1']);
  assert.deepEqual(await timed(metrics), ['/form ok 1']);
});

test('a request injected in a test is counted by its status too', async (t) => {
  const { metrics, app } = await observed(t, 'observe-injected');
  assert.equal((await app.inject({ method: 'POST', url: '/form' })).statusCode, 200);
  await until('counted', async () => (await total(metrics)) === 1);
  assert.deepEqual(await counted(metrics), ['/form 200 ok 1']);
});

test('a stream its client ends is counted with its outcome and not timed; a connection the server cut, with the reason it gave', async (t) => {
  const { metrics, port } = await observed(t, 'observe-stream');
  leave(port, '/stream', 'GET', (req) => {
    req.on('response', (res) => res.once('data', () => req.destroy()));
    req.end();
  });
  leave(port, '/cut', 'GET', (req) => req.end());
  await until('both counted', async () => (await total(metrics)) === 2);
  assert.deepEqual(await counted(metrics), ['/cut 40002 client_error 1', '/stream 200 ok 1']);
  assert.deepEqual(await timed(metrics), ['/cut client_error 1']);
});

import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
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

test('a request whose headers complete after the stop began is answered, not refused with a bare 503', async (t) => {
  const echo = await startEcho(t, 'echo');
  // A connection that has begun a request is not idle: the stop waits for it, and its request arrives meanwhile.
  const socket = connect(echo.port, '127.0.0.1');
  t.after(() => socket.destroy());
  await once(socket, 'connect');
  const body = JSON.stringify({ input: { ms: 1 } });
  socket.write(`POST /rpc/slow HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const stopped = echo.stop();
  await new Promise((resolve) => setTimeout(resolve, 100));
  socket.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  const answer = await textUntilClosed(socket);
  await stopped;
  assert.match(answer, /^HTTP\/1\.1 200 /);
  assert.match(answer, /^connection: close\r$/im);
  assert.match(answer, /"result":"late"/);
});

async function textUntilClosed(socket: Socket): Promise<string> {
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (text += chunk));
  await once(socket, 'close');
  return text;
}

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

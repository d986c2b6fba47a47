import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startFakeConsul, until, type FakeConsul } from '@douyin/testing';

async function healthServer(t: TestContext, status: () => number): Promise<string> {
  const server = createServer((_req, res) => res.writeHead(status()).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/healthz`;
}

async function fakeConsul(t: TestContext): Promise<FakeConsul> {
  const consul = await startFakeConsul();
  t.after(() => consul.stop());
  return consul;
}

async function register(consul: FakeConsul, body: object): Promise<void> {
  const res = await fetch(`${consul.url}/v1/agent/service/register`, { method: 'PUT', body: JSON.stringify(body) });
  assert.equal(res.status, 200, await res.text());
}

test('a blocking health query is held until a registration changes the index', async (t) => {
  const consul = await fakeConsul(t);
  const first = await fetch(`${consul.url}/v1/health/service/user`);
  assert.deepEqual(await first.json(), []);
  const index = first.headers.get('x-consul-index');
  assert.ok(index && Number(index) > 0);

  const started = Date.now();
  const blocked = fetch(`${consul.url}/v1/health/service/user?index=${index}&wait=5s`);
  setTimeout(() => void register(consul, { Name: 'user', ID: 'user-1', Address: '10.0.0.1', Port: 9101 }), 150);
  const woken = await blocked;
  const elapsed = Date.now() - started;
  assert.ok(elapsed >= 100 && elapsed < 2000, `answered after ${elapsed}ms`);
  assert.ok(Number(woken.headers.get('x-consul-index')) > Number(index));
  const [entry] = (await woken.json()) as Array<{ Service: { ID: string; Address: string; Port: number } }>;
  assert.deepEqual([entry?.Service.ID, entry?.Service.Address, entry?.Service.Port], ['user-1', '10.0.0.1', 9101]);
});

test('a blocking query answers with the same index once wait elapses', async (t) => {
  const consul = await fakeConsul(t);
  const index = (await fetch(`${consul.url}/v1/health/service/user`)).headers.get('x-consul-index');
  const res = await fetch(`${consul.url}/v1/health/service/user?index=${index}&wait=100ms`);
  assert.equal(res.headers.get('x-consul-index'), index);
});

test("a blocking query with an index above the agent's (known before a restart) is held until the index passes it or wait ends", async (t) => {
  const consul = await fakeConsul(t);
  const index = Number((await fetch(`${consul.url}/v1/health/service/user`)).headers.get('x-consul-index'));
  const started = Date.now();
  const held = fetch(`${consul.url}/v1/health/service/user?index=${index + 1}&wait=400ms`);
  await register(consul, { Name: 'user', ID: 'user-1', Port: 9101 }); // the index reaches the one asked, not past it
  const answer = await held;
  assert.ok(Date.now() - started >= 350, `answered after ${Date.now() - started}ms`);
  assert.equal(Number(answer.headers.get('x-consul-index')), index + 1);
  const passed = fetch(`${consul.url}/v1/health/service/user?index=${index + 1}&wait=5s`);
  await register(consul, { Name: 'user', ID: 'user-2', Port: 9102 });
  assert.equal(Number((await passed).headers.get('x-consul-index')), index + 2);
});

test('HTTP checks start critical, pass on 2xx and go critical when the endpoint fails', async (t) => {
  const consul = await fakeConsul(t);
  let code = 200;
  const http = await healthServer(t, () => code);
  await register(consul, { Name: 'video', ID: 'video-1', Port: 1, Check: { Name: 'c', HTTP: http, Interval: '50ms', Timeout: '1s' } });
  await until('a passing check', () => consul.services()[0]?.status === 'passing', 2_000);

  const passing = async () => (await (await fetch(`${consul.url}/v1/health/service/video?passing`)).json()) as unknown[];
  assert.equal((await passing()).length, 1);
  code = 503;
  await until('a critical check', () => consul.services()[0]?.status === 'critical', 2_000);
  assert.equal((await passing()).length, 0);
  const all = (await (await fetch(`${consul.url}/v1/health/service/video`)).json()) as Array<{ Checks: Array<{ CheckID: string; Status: string }> }>;
  assert.deepEqual(all[0]?.Checks.map((c) => [c.CheckID, c.Status]), [['serfHealth', 'passing'], ['service:video-1', 'critical']]);
});

test('a service critical for longer than DeregisterCriticalServiceAfter is removed', async (t) => {
  const consul = await fakeConsul(t);
  const http = await healthServer(t, () => 500);
  await register(consul, { Name: 'video', ID: 'video-1', Check: { HTTP: http, Interval: '50ms', DeregisterCriticalServiceAfter: '200ms' } });
  assert.equal(consul.services().length, 1);
  await until('the instance to be reaped', () => consul.services().length === 0, 2_000);
  assert.deepEqual(consul.departures(), [{ id: 'video-1', by: 'critical-timeout', status: 'critical' }]);
});

test('deregister, agent and catalog listings', async (t) => {
  const consul = await fakeConsul(t);
  await register(consul, { Name: 'user', ID: 'user-1', Tags: ['a'], Port: 9101 });
  await register(consul, { Name: 'user', ID: 'user-2', Tags: ['b'], Port: 9111 });
  assert.deepEqual(await (await fetch(`${consul.url}/v1/catalog/services`)).json(), { user: ['a', 'b'] });
  assert.equal((await fetch(`${consul.url}/v1/agent/service/deregister/user-1`, { method: 'PUT' })).status, 200);
  assert.equal((await fetch(`${consul.url}/v1/agent/service/deregister/user-1`, { method: 'PUT' })).status, 404);
  assert.deepEqual(Object.keys(await (await fetch(`${consul.url}/v1/agent/services`)).json() as object), ['user-2']);
  assert.deepEqual(consul.departures(), [{ id: 'user-1', by: 'deregistration', status: 'passing' }]);
});

test('stop drops held queries at once and the port can be reused', async (t) => {
  const consul = await startFakeConsul();
  const index = (await fetch(`${consul.url}/v1/health/service/user`)).headers.get('x-consul-index');
  const held = fetch(`${consul.url}/v1/health/service/user?index=${index}&wait=30s`).then(() => 'answered', () => 'dropped');
  await new Promise((resolve) => setTimeout(resolve, 50));
  const started = Date.now();
  await consul.stop();
  assert.equal(await held, 'dropped');
  assert.ok(Date.now() - started < 1000);

  const again = await startFakeConsul({ port: consul.port });
  t.after(() => again.stop());
  assert.equal(again.url, consul.url);
  assert.equal((await fetch(`${again.url}/v1/catalog/services`)).status, 200);
});

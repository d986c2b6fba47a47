import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLogger, silentLogger } from '@douyin/telemetry';
import { freePort, startFakeConsul, until, type FakeConsul } from '@douyin/testing';
import { createConsulRegistry, type InstanceRegistration, type Registry } from '@douyin/registry';

interface HealthServer { port: number; close(): Promise<void> }

async function healthServer(t: TestContext): Promise<HealthServer> {
  const server = createServer((req, res) => res.writeHead(req.url === '/healthz' ? 200 : 404).end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const close = () => new Promise<void>((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeAllConnections();
  });
  t.after(close);
  return { port: (server.address() as AddressInfo).port, close };
}

async function fakeConsul(t: TestContext, port?: number): Promise<FakeConsul> {
  const consul = await startFakeConsul({ port });
  t.after(() => consul.stop());
  return consul;
}

// A short keeper interval and call timeout: the tests wait on them, production waits 10 s and 3 s.
function consulRegistry(t: TestContext, consul: Pick<FakeConsul, 'url'>, keepEveryMs = 100): Registry {
  const registry = createConsulRegistry({ consulUrl: consul.url, logger: silentLogger(), keepEveryMs, callTimeoutMs: 300 });
  t.after(() => registry.close());
  return registry;
}

/**
 * Restarts `consul` without its state and returns every list of instances `caller` could have picked from meanwhile,
 * until `back` says the restarted agent holds what it should, and a moment after.
 */
async function listsSeenAcrossRestart(t: TestContext, consul: FakeConsul, caller: Registry, back: (restarted: FakeConsul) => boolean): Promise<string[]> {
  const seen = new Set<string>();
  const sampler = setInterval(() => seen.add(ids(caller).join()), 2);
  t.after(() => clearInterval(sampler));
  await consul.stop();
  const restarted = await fakeConsul(t, consul.port);
  await until('the restarted agent to hold the instances again', () => back(restarted), 5_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  clearInterval(sampler);
  return [...seen];
}

// Short check intervals keep each test well under a second of waiting on the fake agent.
const registration = (id: string, health: HealthServer): InstanceRegistration => ({
  service: 'user', id, address: '127.0.0.1', port: health.port, tags: ['v1'], meta: { zone: 'a' },
  healthCheckUrl: `http://127.0.0.1:${health.port}/healthz`, checkIntervalMs: 100, checkTimeoutMs: 500,
});

const ids = (registry: Registry) => registry.instances('user').map((i) => i.id);

/** A fake agent with two healthy user instances registered, once discovery lists both. */
async function twoDiscovered(t: TestContext) {
  const consul = await fakeConsul(t);
  const registry = consulRegistry(t, consul);
  const [a, b] = [await healthServer(t), await healthServer(t)];
  await registry.register(registration('user-1', a));
  await registry.register(registration('user-2', b));
  await until('ids(registry).length === 2', () => ids(registry).length === 2, 3_000);
  return { consul, registry, b };
}

test('discovers every registered instance whose health check passes', async (t) => {
  const consul = await fakeConsul(t);
  const registry = consulRegistry(t, consul);
  const [a, b] = [await healthServer(t), await healthServer(t)];
  assert.deepEqual(registry.instances('user'), [], 'the first call returns at once, before any answer');

  await registry.register(registration('user-1', a));
  await registry.register(registration('user-2', b));
  await until('ids(registry).length === 2', () => ids(registry).length === 2, 3_000);
  assert.deepEqual(registry.instances('user'), [
    { id: 'user-1', service: 'user', address: '127.0.0.1', port: a.port, tags: ['v1'], meta: { zone: 'a' } },
    { id: 'user-2', service: 'user', address: '127.0.0.1', port: b.port, tags: ['v1'], meta: { zone: 'a' } },
  ]);
});

test('an instance registered without an address is reached at its node address', async (t) => {
  const consul = await fakeConsul(t);
  const registry = consulRegistry(t, consul);
  await registry.register({ ...registration('user-1', await healthServer(t)), address: '' });
  await until('ids(registry).length === 1', () => ids(registry).length === 1, 3_000);
  assert.equal(registry.instances('user')[0]?.address, '127.0.0.1'); // the fake agent's node
});

test('an instance whose health endpoint stops answering leaves discovery', async (t) => {
  const { consul, registry, b } = await twoDiscovered(t);

  await b.close();
  await until('ids(registry).length === 1', () => ids(registry).length === 1, 3_000);
  assert.deepEqual(ids(registry), ['user-1']);
  assert.deepEqual(consul.services().map((s) => [s.id, s.status]), [['user-1', 'passing'], ['user-2', 'critical']]);
});

test('a deregistered instance is gone, and deregistering twice is harmless', async (t) => {
  const consul = await fakeConsul(t);
  const registry = consulRegistry(t, consul);
  await registry.register(registration('user-1', await healthServer(t)));
  await until('ids(registry).length === 1', () => ids(registry).length === 1, 3_000);

  await registry.deregister('user-1');
  await until('ids(registry).length === 0', () => ids(registry).length === 0, 3_000);
  assert.deepEqual(consul.services(), []);
  await registry.deregister('user-1');
});

test('ready waits for the first answer, and answers with the cache once consul cannot be reached', async (t) => {
  const consul = await fakeConsul(t);
  const registry = consulRegistry(t, consul);
  await registry.register(registration('user-1', await healthServer(t)));
  await until("consul.services()[0]?.status === 'passing'", () => consul.services()[0]?.status === 'passing', 3_000);
  assert.deepEqual((await registry.ready('user', 2000)).map((i) => i.id), ['user-1']);

  await consul.stop();
  const offline = consulRegistry(t, consul);
  // At its first failure, not at the end of the wait: a call would have held its request to its deadline.
  const started = Date.now();
  assert.deepEqual(await offline.ready('user', 20_000), []);
  assert.ok(Date.now() - started < 10_000, `answered after ${Date.now() - started} ms`);
});

test('keeps serving the last known instances while consul is down, and resumes when it returns', async (t) => {
  const { consul, registry, b } = await twoDiscovered(t);

  await consul.stop();
  await new Promise((resolve) => setTimeout(resolve, 300)); // long enough for the watch to fail and retry
  assert.deepEqual(ids(registry), ['user-1', 'user-2']);

  // A restarted agent forgets its services: the instances that are still up register again by themselves, and
  // discovery follows what the agent now reports.
  await b.close();
  const restarted = await fakeConsul(t, consul.port);
  await until('restarted.services().length === 2', () => restarted.services().length === 2, 3_000);
  await until("ids(registry).join() === 'user-1'", () => ids(registry).join() === 'user-1', 3_000);
  assert.deepEqual(restarted.services().map((s) => [s.id, s.status]), [['user-1', 'passing'], ['user-2', 'critical']]);
});

test('a Consul back without its state leaves the instances in place until they have registered again', async (t) => {
  const consul = await fakeConsul(t);
  // The instance's process asks the agent once a second: the caller sees the restarted agent empty before that.
  const owner = consulRegistry(t, consul, 1_000);
  await owner.register(registration('user-1', await healthServer(t)));
  const caller = consulRegistry(t, consul);
  await until("ids(caller).join() === 'user-1'", () => ids(caller).join() === 'user-1', 3_000);
  const seen = await listsSeenAcrossRestart(t, consul, caller, (restarted) => restarted.services().some((s) => s.status === 'passing'));
  assert.deepEqual(seen, ['user-1']);
});

test('a Consul back without its state keeps the instances it does not list yet while others register again', async (t) => {
  const consul = await fakeConsul(t);
  // One instance's keeper asks the agent every 100 ms, the other's every 1.5 s: the restarted agent lists them apart.
  const quick = consulRegistry(t, consul);
  const slow = consulRegistry(t, consul, 1_500);
  await quick.register(registration('user-1', await healthServer(t)));
  await slow.register(registration('user-2', await healthServer(t)));
  const caller = consulRegistry(t, consul);
  await until("ids(caller).join() === 'user-1,user-2'", () => ids(caller).join() === 'user-1,user-2', 3_000);
  const seen = await listsSeenAcrossRestart(t, consul, caller, (restarted) => restarted.services().filter((s) => s.status === 'passing').length === 2);
  assert.deepEqual(seen, ['user-1,user-2'], 'no call was left to the first instance back alone');
});

test('instances that do not register again are dropped once the grace after Consul came back has passed', async (t) => {
  const consul = await fakeConsul(t);
  const owner = consulRegistry(t, consul);
  await owner.register(registration('user-1', await healthServer(t)));
  const lines: string[] = [];
  const logger = createLogger({ service: 'test', destination: { write: (line: string) => void lines.push(line) } });
  const watcher = createConsulRegistry({ consulUrl: consul.url, logger, restartGraceMs: 1_000 });
  t.after(() => watcher.close());
  await until("ids(watcher).join() === 'user-1'", () => ids(watcher).join() === 'user-1', 3_000);
  await consul.stop();
  await owner.close(); // its instance is gone for good, and nobody registers it again
  await fakeConsul(t, consul.port);
  await until("lines.some((line) => line.includes('consul came back without these instances'))", () => lines.some((line) => line.includes('consul came back without these instances')), 3_000);
  assert.deepEqual(ids(watcher), ['user-1'], 'kept through the grace');
  await until('ids(watcher).length === 0', () => ids(watcher).length === 0, 3_000);
});

test('an instance missing through a Consul that keeps coming back and going away again leaves after one grace', async (t) => {
  const consul = await fakeConsul(t);
  const owner = consulRegistry(t, consul);
  await owner.register(registration('user-1', await healthServer(t)));
  // When the watcher saw Consul answer again, each time.
  const returns: number[] = [];
  const logger = createLogger({ service: 'test', destination: { write: (line: string) => void (line.includes('consul reachable again') && returns.push(Date.now())) } });
  const watcher = createConsulRegistry({ consulUrl: consul.url, logger, restartGraceMs: 1_500 });
  t.after(() => watcher.close());
  await until("ids(watcher).join() === 'user-1'", () => ids(watcher).join() === 'user-1', 3_000);
  await consul.stop();
  await owner.close(); // gone for good
  const back = await fakeConsul(t, consul.port);
  await until('the watcher to see Consul back', () => returns.length === 1, 3_000);
  assert.deepEqual(ids(watcher), ['user-1'], 'kept through the grace');
  // Away again before the grace ends, and back after it: this second return starts no second grace for it.
  await back.stop();
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  await fakeConsul(t, consul.port);
  await until('the watcher to see Consul back again', () => returns.length === 2, 5_000);
  await until('ids(watcher).length === 0', () => ids(watcher).length === 0, 3_000);
  const keptFor = Date.now() - returns[1]!;
  assert.ok(keptFor < 1_000, `kept ${keptFor} ms after Consul's second return, a second grace`);
});

test('an instance the agent reaped is registered again; a deregistered one is not', async (t) => {
  const { consul, registry } = await twoDiscovered(t);
  // As the agent does after deregister_critical_service_after: the instance is gone though its process lives.
  await fetch(`${consul.url}/v1/agent/service/deregister/user-1`, { method: 'PUT' });
  await registry.deregister('user-2');
  await until("consul.services().some((s) => s.id === 'user-1')", () => consul.services().some((s) => s.id === 'user-1'), 3_000);
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.deepEqual(consul.services().map((s) => s.id), ['user-1']);
});

test('an instance started while consul is down joins once it is up', async (t) => {
  const port = await freePort();
  const registry = consulRegistry(t, { url: `http://127.0.0.1:${port}` });
  await registry.register(registration('user-1', await healthServer(t)));
  const consul = await fakeConsul(t, port);
  await until("ids(registry).join() === 'user-1'", () => ids(registry).join() === 'user-1', 3_000);
  assert.deepEqual(consul.services().map((s) => s.id), ['user-1']);
});

test('a registration consul refuses (an ACL token without service:write) fails the start: no retry would change it', async (t) => {
  const refusing = createServer((_req, res) => res.writeHead(403, { 'content-type': 'text/plain' }).end('Permission denied'));
  await new Promise<void>((resolve) => refusing.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => refusing.close(() => resolve())));
  const registry = consulRegistry(t, { url: `http://127.0.0.1:${(refusing.address() as AddressInfo).port}` });
  await assert.rejects(registry.register(registration('user-1', await healthServer(t))), (err: { statusCode?: number }) => err.statusCode === 403);
});

test('a consul that takes connections but never answers holds neither a start nor a stop', async (t) => {
  const silent = createServer(() => undefined); // reads each request and never answers it
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => (silent.closeAllConnections(), silent.close(() => resolve()))));
  const registry = consulRegistry(t, { url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` });
  const started = Date.now();
  await registry.register(registration('user-1', await healthServer(t)));
  await assert.rejects(registry.deregister('user-1'), /timed out/);
  assert.ok(Date.now() - started < 1_500, `took ${Date.now() - started} ms against calls of 300 ms`);
});

import { readFile } from 'node:fs/promises';
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { freePort, freshDatabase, startApp, startFakeConsul, until, type FakeConsul } from '@douyin/testing';

async function fakeConsul(t: TestContext): Promise<FakeConsul> {
  const consul = await startFakeConsul();
  t.after(() => consul.stop());
  return consul;
}

const isRunning = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

// SQLite under a temp dir, whatever the developer's shell says about MySQL or Consul.
const userEnv = async (t: TestContext, consul: FakeConsul) => ({
  DATA_DIR: (await freshDatabase(t, 'sqlite')).dataDir,
  DATABASE_URL: undefined,
  CONSUL_HTTP_ADDR: consul.url,
});

test('freePort hands out a bindable loopback port', async () => {
  const port = await freePort();
  assert.ok(port > 0 && port < 65536);
});

test('freePort never hands out the port fetch() refuses to connect to', async (t) => {
  const low = Number((await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/)[0]);
  // The first pick lands on 10080, the next on 10000 + half the range.
  const picks = [(10_080 - 10_000 + 0.5) / (low - 11_000), 0.5];
  t.mock.method(Math, 'random', () => picks.shift() ?? 0.5);
  const port = await freePort();
  assert.notEqual(port, 10_080);
  assert.equal(picks.length, 0, 'the bad port was skipped, not the random pick');
});

test('a started app is ready and healthy; stop() exits 0 after it left discovery', async (t) => {
  const consul = await fakeConsul(t);
  const user = await startApp(t, 'user', await userEnv(t, consul));
  assert.equal(user.url, `http://127.0.0.1:${user.port}`);
  assert.equal((await fetch(`${user.url}/healthz`)).status, 200);
  await until('the user instance to pass its check', () => consul.services().some((s) => s.id.startsWith(`user-127.0.0.1-${user.port}-`) && s.status === 'passing'), 5_000);

  assert.equal(await user.stop(), 0, user.output());
  assert.deepEqual(consul.services(), []);
  assert.equal(isRunning(user.pid), false);
  assert.equal(await user.stop(), 0, 'stopping twice answers with the same exit');
});

test('kill() ends the process like a crash: it stays registered', async (t) => {
  const consul = await fakeConsul(t);
  const user = await startApp(t, 'user', await userEnv(t, consul));
  await until('one instance left', () => consul.services().length === 1, 5_000);
  await user.kill();
  assert.equal(isRunning(user.pid), false);
  assert.equal(consul.services().length, 1, 'only its failing health check will remove it');
});

test('an app that exits during startup rejects with what it printed', async (t) => {
  const consul = await fakeConsul(t);
  await assert.rejects(startApp(t, 'user', { ...(await userEnv(t, consul)), MESH_RETRIES: '99' }), (err: Error) => {
    assert.match(err.message, /exited with code 78 before it was ready/);
    assert.match(err.message, /MESH_RETRIES/);
    return true;
  });
});

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseModes, freshDatabase, startPartitionProxy, startPrivateMariadb } from '@douyin/testing';
import { apk, startGateway, startUser, succeeded, until, type ApkBody } from '../test/processes.js';

// The database behind a running mesh crashes and comes back: a mariadbd of the test's own on another port, never
// the machine's shared server. Bounded: its start-up, a few requests, and one recovery wait.
test('database unreachable: clear status codes, no crash, and recovery without a restart once it returns', { timeout: 120_000 }, async (t) => {
  const mariadb = await startPrivateMariadb(t);
  const dataDir = await mkdtemp(join(tmpdir(), 'douyin-outage-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const db = { mode: 'mysql' as const, url: mariadb.url, dataDir };
  // The user service calls nobody; its static list only has to be valid.
  const user = await startUser(t, db, { staticUser: '127.0.0.1:1' });
  const gateway = await startGateway(t, db, { staticUser: `127.0.0.1:${user.port}` });
  const api = apk(gateway);
  const alice = await succeeded(api.register('alice', 'secret1'));

  await mariadb.kill();
  // Reads and writes alike; `apk` fails the test on any HTTP status other than 200.
  const answers: ApkBody[] = [
    await api.login('alice', 'secret1'),
    await api.user({ user_id: alice.user_id ?? 0, token: alice.token ?? '' }),
    await api.register('bob', 'secret1'),
  ];
  for (const answer of answers) {
    assert.equal(answer.status_code, 50301, JSON.stringify(answer));
    assert.match(answer.status_msg, /database unavailable/);
  }
  for (const app of [user, gateway]) assert.equal((await fetch(`${app.url}/healthz`)).status, 200, `${app.app} is still serving`);

  await mariadb.restart();
  await until('logins to succeed again', async () => (await api.login('alice', 'secret1')).status_code === 0, 30_000);
  const profile = await succeeded(api.user({ user_id: alice.user_id ?? 0 }));
  assert.equal(profile.user?.name, 'alice');
  // Nothing half-done from the outage: bob's refused registration left no row, so the name is still free.
  await succeeded(api.register('bob', 'secret1'));
});

// The database goes silent instead (a partition, a paused host): nothing is refused, nothing answers. Each request
// fails within the gateway's budget; a statement its caller gave up on is abandoned, so when the path comes back it
// does not run after all: a phone told its sign-up failed must be able to sign up again under the same name.
test('database silent: clear status codes within the budget, no statement run after its caller gave up, recovery once it answers', { timeout: 120_000, skip: !databaseModes().includes('mysql') }, async (t) => {
  const database = await freshDatabase(t, 'mysql');
  const proxy = await startPartitionProxy(t, database.url!, 3306);
  const db = { ...database, url: proxy.url };
  const user = await startUser(t, db, { staticUser: '127.0.0.1:1' });
  const gateway = await startGateway(t, db, { staticUser: `127.0.0.1:${user.port}` }, { MESH_TIMEOUT_MS: '1000' });
  const api = apk(gateway);
  await succeeded(api.register('alice', 'secret1'));

  proxy.cut();
  for (const answer of [await api.register('bob', 'secret1'), await api.login('alice', 'secret1')]) {
    assert.notEqual(answer.status_code, 0, JSON.stringify(answer));
    assert.ok(answer.status_msg, JSON.stringify(answer));
  }
  // Bob's insert, sent on the connection alice's sign-up left open, is abandoned some seconds after the deadline.
  await until('the user service to abandon the statement its caller no longer waits for', () => proxy.resets() >= 1, 30_000);
  for (const app of [user, gateway]) assert.equal((await fetch(`${app.url}/healthz`)).status, 200, `${app.app} is still serving`);

  proxy.heal();
  await until('logins to succeed again', async () => (await api.login('alice', 'secret1')).status_code === 0, 30_000);
  await succeeded(api.register('bob', 'secret1'));
});

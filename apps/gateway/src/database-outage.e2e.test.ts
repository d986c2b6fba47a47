import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseModes, filesUnder, freshDatabase, mediaFixtures, startPartitionProxy, startPrivateMariadb } from '@douyin/testing';
import { multipartBody } from '../test/multipart.js';
import { apk, apkCall, startGateway, startLocalMesh, startUser, succeeded, until } from '../test/processes.js';

interface Answer {
  status_code: number;
  status_msg: string;
  user_id: number;
  token: string;
  user: { id: number; follower_count: number; favorite_count: number; work_count: number };
  video_list: Array<{ id: number; favorite_count: number; comment_count: number; is_favorite: boolean }>;
  comment_list: unknown[];
  message_list: unknown[];
}

const SERVICES = ['user', 'video', 'favorite', 'comment', 'relation', 'message'];

// The database behind a running mesh crashes and comes back: a mariadbd of the test's own on another port, never
// the machine's shared server. Bounded: its start-up, a few requests per service, and one recovery wait.
test('database unreachable: every service answers a clear status code, none crashes, nothing is half-written, and all recover without a restart', { timeout: 180_000 }, async (t) => {
  const mariadb = await startPrivateMariadb(t);
  const dataDir = await mkdtemp(join(tmpdir(), 'douyin-outage-'));
  t.after(() => rm(dataDir, { recursive: true, force: true }));
  const db = { mode: 'mysql' as const, url: mariadb.url, dataDir };
  const [fixtures, mesh] = await Promise.all([mediaFixtures(t), startLocalMesh(t, db, SERVICES, { perApp: { gateway: { RATE_LIMITS: 'off' } } })]);
  const call = (method: 'GET' | 'POST', path: string, params: Record<string, string | number>, form?: ReturnType<typeof multipartBody>) =>
    apkCall<Answer>(mesh.gateway.url, method, path, params, { form, timeoutMs: 20_000 });
  const ok = async (answer: Promise<Answer>) => {
    const body = await answer;
    assert.equal(body.status_code, 0, JSON.stringify(body));
    return body;
  };
  const register = (name: string) => call('POST', '/douyin/user/register/', { username: name, password: 'secret1' });
  const [alice, bob] = [await ok(register('alice')), await ok(register('bob'))];
  const publish = (token: string, title: string) =>
    call('POST', '/douyin/publish/action/', {}, multipartBody([{ name: 'token', value: token }, { name: 'title', value: title }, { name: 'data', value: fixtures.mp4, filename: 'clip.mp4' }]));
  await ok(publish(bob.token, 'before'));
  const videoId = (await ok(call('GET', '/douyin/feed/', {}))).video_list[0]!.id;

  // What the APK would show of every service's data: compared before the outage and after it.
  const shown = async () => ({
    feed: (await ok(call('GET', '/douyin/feed/', { token: alice.token }))).video_list.map((v) => [v.id, v.favorite_count, v.comment_count, v.is_favorite]),
    alice: (await ok(call('GET', '/douyin/user/', { user_id: alice.user_id, token: bob.token }))).user,
    comments: (await ok(call('GET', '/douyin/comment/list/', { token: alice.token, video_id: videoId }))).comment_list.length,
    chat: (await ok(call('GET', '/douyin/message/chat/', { token: bob.token, to_user_id: alice.user_id }))).message_list.length,
    alicePublished: (await ok(call('GET', '/douyin/publish/list/', { token: alice.token, user_id: alice.user_id }))).video_list.length,
  });
  const before = await shown();
  const files = await filesUnder(mesh.storageDir);

  await mariadb.kill();
  const writes: Record<string, () => Promise<Answer>> = {
    register: () => register('carol'),
    like: () => call('POST', '/douyin/favorite/action/', { token: alice.token, video_id: videoId, action_type: 1 }),
    comment: () => call('POST', '/douyin/comment/action/', { token: alice.token, video_id: videoId, action_type: 1, comment_text: 'hi' }),
    follow: () => call('POST', '/douyin/relation/action/', { token: bob.token, to_user_id: alice.user_id, action_type: 1 }),
    message: () => call('POST', '/douyin/message/action/', { token: alice.token, to_user_id: bob.user_id, action_type: 1, content: 'hi' }),
    publish: () => publish(alice.token, 'during'),
  };
  for (const [what, write] of Object.entries(writes)) {
    const answer = await write();
    assert.equal(answer.status_code, 50301, `${what}: ${JSON.stringify(answer)}`);
    assert.match(answer.status_msg, /database unavailable/, what);
  }
  // A read answers from what the caches hold, or says what is wrong; never a success made of zeros or a crash.
  const reads: Record<string, Record<string, string | number>> = {
    '/douyin/user/login/': { username: 'alice', password: 'secret1' },
    '/douyin/user/': { user_id: alice.user_id, token: alice.token },
    '/douyin/favorite/list/': { user_id: alice.user_id, token: alice.token },
    '/douyin/comment/list/': { video_id: videoId, token: alice.token },
    '/douyin/relation/follow/list/': { user_id: bob.user_id, token: bob.token },
    '/douyin/message/chat/': { to_user_id: alice.user_id, token: bob.token },
  };
  for (const [path, params] of Object.entries(reads)) {
    const answer = await call(path.endsWith('/login/') ? 'POST' : 'GET', path, params);
    assert.ok(answer.status_code === 0 || (answer.status_code === 50301 && /database unavailable/.test(answer.status_msg)), `${path}: ${JSON.stringify(answer)}`);
  }
  for (const app of [...mesh.services.values(), mesh.gateway]) assert.equal((await fetch(`${app.url}/healthz`)).status, 200, `${app.app} is still serving`);

  await mariadb.restart();
  await until('logins to succeed again', async () => (await call('POST', '/douyin/user/login/', { username: 'alice', password: 'secret1' })).status_code === 0, 30_000);
  // Nothing half-done from the outage: every refused write left nothing behind, in the database or the store.
  assert.deepEqual(await shown(), before);
  assert.deepEqual(await filesUnder(mesh.storageDir), files);
  // And every service writes again, in the same processes.
  for (const [what, write] of Object.entries(writes)) assert.equal((await write()).status_code, 0, what);
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

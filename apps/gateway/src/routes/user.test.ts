import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTokenIssuer } from '@douyin/auth';
import type { UserItems } from '@douyin/contracts';
import { createLoginGuard } from '@douyin/ratelimit';
import { fakeUserService, gatewayFor, remoteError } from '../../test/harness.js';
import type { GatewayDeps } from '../deps.js';

const form = (fields: Record<string, string>) => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  payload: new URLSearchParams(fields).toString(),
});

test('register returns a user id and a working token; login returns the same id', async (t) => {
  const app = await gatewayFor(t);
  const reg = await app.inject({ method: 'POST', url: '/douyin/user/register/?username=alice&password=secret1' });
  assert.equal(reg.statusCode, 200);
  assert.match(reg.headers['content-type'] as string, /application\/json/);
  const body = reg.json();
  assert.equal(body.status_code, 0);
  assert.equal(typeof body.status_msg, 'string');
  assert.ok(body.user_id > 0);
  const me = await app.inject({ method: 'GET', url: `/douyin/user/?token=${body.token}` });
  assert.equal(me.json().user.id, body.user_id);
  const login = await app.inject({ method: 'POST', url: '/douyin/user/login', ...form({ username: 'alice', password: 'secret1' }) });
  assert.equal(login.json().status_code, 0);
  assert.equal(login.json().user_id, body.user_id);
});

test('parameters may come from the query string, a urlencoded form, or a multipart form; the query wins', async (t) => {
  const app = await gatewayFor(t);
  await app.inject({ method: 'POST', url: '/douyin/user/register/', ...form({ username: 'bob', password: 'secret1' }) });
  const boundary = 'X-BOUNDARY';
  const multipart = [
    `--${boundary}\r\nContent-Disposition: form-data; name="username"\r\n\r\nbob\r\n`,
    `--${boundary}\r\nContent-Disposition: form-data; name="password"\r\n\r\nsecret1\r\n`,
    `--${boundary}--\r\n`,
  ].join('');
  const viaMultipart = await app.inject({
    method: 'POST',
    url: '/douyin/user/login/',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: multipart,
  });
  assert.equal(viaMultipart.json().status_code, 0);
  // The demo tests send each parameter twice; the query string is read first.
  const both = await app.inject({ method: 'POST', url: '/douyin/user/login/?username=bob&password=secret1', ...form({ username: 'x', password: 'wrongpw' }) });
  assert.equal(both.json().status_code, 0);
});

test('every field is present on success and on failure', async (t) => {
  const app = await gatewayFor(t);
  const reg = (await app.inject({ method: 'POST', url: '/douyin/user/register/?username=carol&password=secret1' })).json();
  const user = (await app.inject({ method: 'GET', url: `/douyin/user/?user_id=${reg.user_id}` })).json().user;
  assert.deepEqual(Object.keys(user).sort(), [
    'avatar', 'background_image', 'favorite_count', 'follow_count', 'follower_count', 'id', 'is_follow', 'name',
    'signature', 'total_favorited', 'work_count',
  ]);
  assert.equal(user.name, 'carol');
  assert.equal(user.is_follow, false);
  const missing = (await app.inject({ method: 'GET', url: '/douyin/user/?user_id=999' })).json();
  assert.equal(missing.status_code, 40401);
  assert.equal(missing.user.id, 0);
  const failedRegister = (await app.inject({ method: 'POST', url: '/douyin/user/register/' })).json();
  assert.deepEqual(failedRegister, { status_code: 40001, status_msg: 'username is required', user_id: 0, token: '' });
});

test('bad input gets the contract status code, and nothing is written', async (t) => {
  const { client, users } = fakeUserService();
  const app = await gatewayFor(t, client);
  const cases: Array<[string, number]> = [
    ['password=secret1', 40001],
    ['username=&password=secret1', 40001],
    ['username=alice', 40001],
    [`username=${'x'.repeat(33)}&password=secret1`, 40003],
    [`username=${encodeURIComponent('😀'.repeat(33))}&password=secret1`, 40003],
    ['username=%20%20%20&password=secret1', 40003],
    ['username=a%09b&password=secret1', 40003],
    ['username=a%00b&password=secret1', 40003],
    ['username=alice&password=12345', 40003],
    [`username=alice&password=${'x'.repeat(33)}`, 40003],
    ['username=alice&password=secret%001', 40003],
  ];
  for (const [query, code] of cases) {
    const res = await app.inject({ method: 'POST', url: `/douyin/user/register/?${query}` });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.status_code, code, query);
    assert.ok(body.status_msg.length > 0);
    assert.doesNotMatch(body.status_msg, /at |Error|SELECT/);
  }
  assert.equal(users.size, 0);
  // 32 emoji are 32 code points (64 UTF-16 units): allowed.
  const emoji = await app.inject({ method: 'POST', url: `/douyin/user/register/?username=${encodeURIComponent('😀'.repeat(32))}&password=secret1` });
  assert.equal(emoji.json().status_code, 0);
});

test('duplicate names, wrong passwords and unknown users get 40901 and one 40103 message', async (t) => {
  const app = await gatewayFor(t);
  await app.inject({ method: 'POST', url: '/douyin/user/register/?username=dave&password=secret1' });
  const dup = (await app.inject({ method: 'POST', url: '/douyin/user/register/?username=dave&password=secret2' })).json();
  assert.equal(dup.status_code, 40901);
  const wrong = (await app.inject({ method: 'POST', url: '/douyin/user/login/?username=dave&password=secret2' })).json();
  const unknown = (await app.inject({ method: 'POST', url: '/douyin/user/login/?username=nobody&password=secret2' })).json();
  assert.equal(wrong.status_code, 40103);
  assert.equal(unknown.status_code, 40103);
  assert.equal(wrong.status_msg, unknown.status_msg);
  const tooLong = (await app.inject({ method: 'POST', url: `/douyin/user/login/?username=dave&password=${'x'.repeat(40)}` })).json();
  assert.equal(tooLong.status_code, 40003);
});

test('user info: ids must be decimal and in range; no id needs a valid token', async (t) => {
  const app = await gatewayFor(t);
  const reg = (await app.inject({ method: 'POST', url: '/douyin/user/register/?username=erin&password=secret1' })).json();
  for (const bad of ['abc', '1.5', '1e3', '-1', '0', '%207', '9007199254740992', '99999999999999999999']) {
    const res = (await app.inject({ method: 'GET', url: `/douyin/user/?user_id=${bad}` })).json();
    assert.equal(res.status_code, 40002, bad);
  }
  assert.equal((await app.inject({ method: 'GET', url: '/douyin/user/' })).json().status_code, 40001);
  // An invalid token on an optional-token route is an anonymous viewer, never an error of its own.
  assert.equal((await app.inject({ method: 'GET', url: '/douyin/user/?token=garbage' })).json().status_code, 40001);
  const viaHeader = await app.inject({ method: 'GET', url: '/douyin/user/', headers: { authorization: `Bearer ${reg.token}` } });
  assert.equal(viaHeader.json().user.id, reg.user_id);
  const forged = createTokenIssuer({ secret: 'another-secret-another-secret-another', ttlSeconds: 60 });
  const res = await app.inject({ method: 'GET', url: `/douyin/user/?token=${await forged.issue(reg.user_id)}` });
  assert.equal(res.json().status_code, 40001);
});

test('a valid token whose account is gone names nobody: without user_id that is 40001, as with no token', async (t) => {
  const users = fakeUserService();
  const app = await gatewayFor(t, users.client);
  const reg = (await app.inject({ method: 'POST', url: '/douyin/user/register/?username=gone&password=secret1' })).json();
  users.users.delete(reg.user_id);
  assert.equal((await app.inject({ method: 'GET', url: `/douyin/user/?token=${reg.token}` })).json().status_code, 40001);
  assert.equal((await app.inject({ method: 'GET', url: `/douyin/user/?user_id=${reg.user_id}&token=${reg.token}` })).json().status_code, 40401);
});

test('an expired token is treated as no token', async (t) => {
  let clock = Date.now();
  const app = await gatewayFor(t, fakeUserService().client, () => clock);
  const reg = (await app.inject({ method: 'POST', url: '/douyin/user/register/?username=frank&password=secret1' })).json();
  const byToken = async () => (await app.inject({ method: 'GET', url: `/douyin/user/?token=${reg.token}` })).json();
  assert.equal((await byToken()).user.id, reg.user_id, 'the token works until it expires');
  clock += 2 * 3600 * 1000;
  assert.equal((await byToken()).status_code, 40001);
});

test('transport failures map to 503xx, a database outage to 50301', async (t) => {
  const failing = (code: 'SERVICE_UNAVAILABLE' | 'GATEWAY_TIMEOUT', reason?: string) =>
    ({
      register: { mutate: async () => Promise.reject(remoteError(code, reason)) },
      login: { query: async () => Promise.reject(remoteError(code, reason)) },
      byId: { query: async () => Promise.reject(remoteError(code, reason)) },
    }) as unknown as GatewayDeps['user'];
  const down = await gatewayFor(t, failing('SERVICE_UNAVAILABLE'));
  assert.equal((await down.inject({ method: 'GET', url: '/douyin/user/?user_id=1' })).json().status_code, 50303);
  const slow = await gatewayFor(t, failing('GATEWAY_TIMEOUT'));
  assert.equal((await slow.inject({ method: 'POST', url: '/douyin/user/login/?username=a&password=secret1' })).json().status_code, 50303);
  const db = await gatewayFor(t, failing('SERVICE_UNAVAILABLE', 'database_unavailable'));
  const res = (await db.inject({ method: 'POST', url: '/douyin/user/register/?username=a&password=secret1' })).json();
  assert.equal(res.status_code, 50301);
  assert.equal(res.user_id, 0);
});

test('counts owned by other services come from their facts sources, is_follow from the marks; a failing source shows zeros', async (t) => {
  const calls: Array<readonly UserItems[]> = [];
  const counts = { name: 'relation', load: async (ids: readonly number[]) => new Map(ids.map((id) => [id, { followCount: 3, followerCount: 4 }])) };
  const follows = {
    name: 'relation',
    mark: { isFollow: true },
    load: async (questions: readonly UserItems[]) => {
      calls.push(questions);
      return questions.map(({ userId, ids }) => ({ userId, ids }));
    },
  };
  const broken = { name: 'video', load: async () => Promise.reject(remoteError('SERVICE_UNAVAILABLE')) };
  const app = await gatewayFor(t, fakeUserService().client, undefined, { shared: [counts, broken], marks: [follows] });
  const reg = (await app.inject({ method: 'POST', url: '/douyin/user/register/?username=gina&password=secret1' })).json();
  const body = (await app.inject({ method: 'GET', url: `/douyin/user/?user_id=${reg.user_id}&token=${reg.token}` })).json();
  assert.equal(body.status_code, 0);
  assert.equal(body.user.follow_count, 3);
  assert.equal(body.user.follower_count, 4);
  assert.equal(body.user.is_follow, true);
  assert.equal(body.user.work_count, 0);
  assert.deepEqual(calls, [[{ userId: reg.user_id, ids: [reg.user_id] }]]);
  const anonymous = (await app.inject({ method: 'GET', url: `/douyin/user/?user_id=${reg.user_id}` })).json();
  assert.equal(anonymous.user.follow_count, 3);
  assert.equal(anonymous.user.is_follow, false);
  assert.equal(calls.length, 1, 'an anonymous viewer has no marks to ask about');
});

test('login: wrong passwords in a row block that username from that IP with 42901 and Retry-After; a success starts over', async (t) => {
  const loginGuard = createLoginGuard({ failuresPerUserAndIp: 3, blockSeconds: 120, failuresPerIpPerDay: 100, failuresPerUserPerHour: 50 });
  const app = await gatewayFor(t, undefined, undefined, undefined, undefined, undefined, undefined, { loginGuard });
  await app.inject({ method: 'POST', url: '/douyin/user/register/?username=dave&password=secret1' });
  const login = (password: string, remoteAddress = '10.0.0.1') =>
    app.inject({ method: 'POST', url: '/douyin/user/login/', remoteAddress, ...form({ username: 'dave', password }) });

  const codes = [];
  for (const password of ['wrong-1', 'wrong-2', 'secret1', 'wrong-3', 'wrong-4']) codes.push((await login(password)).json().status_code);
  assert.deepEqual(codes, [40103, 40103, 0, 40103, 40103], 'the success in between reset the count');
  assert.equal((await login('wrong-5')).json().status_code, 40103, 'the third failure in a row is still answered');

  const blocked = await login('secret1');
  assert.deepEqual(blocked.json(), { status_code: 42901, status_msg: 'too many failed logins, please retry later', user_id: 0, token: '' });
  assert.equal(blocked.headers['retry-after'], '120');
  assert.equal((await login('secret1', '10.0.0.2')).json().status_code, 0, 'the owner elsewhere is not locked out');
});

test('login: a burst of concurrent guesses gets no more tries than guesses in a row would', async (t) => {
  const loginGuard = createLoginGuard({ failuresPerUserAndIp: 3, blockSeconds: 120, failuresPerIpPerDay: 100, failuresPerUserPerHour: 50 });
  const app = await gatewayFor(t, undefined, undefined, undefined, undefined, undefined, undefined, { loginGuard });
  await app.inject({ method: 'POST', url: '/douyin/user/register/?username=erin&password=secret1' });
  const answers = await Promise.all(
    Array.from({ length: 30 }, (_, i) => app.inject({ method: 'POST', url: '/douyin/user/login/', remoteAddress: '10.0.0.1', ...form({ username: 'erin', password: `guess-${i}` }) })),
  );
  const codes = answers.map((answer) => answer.json().status_code as number);
  assert.equal(codes.filter((code) => code === 40103).length, 3);
  assert.equal(codes.filter((code) => code === 42901).length, 27);
});

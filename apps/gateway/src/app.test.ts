import { test } from 'node:test';
import assert from 'node:assert/strict';
import { currentScope, type CallScope } from '@douyin/mesh';
import { outcomeOf, type Outcome } from '@douyin/metrics';
import type { GatewayDeps } from './deps.js';
import { fakeUserService, gatewayFor } from '../test/harness.js';

test('both /douyin/x/ and /douyin/x are served by one handler, without redirects', async (t) => {
  const app = await gatewayFor(t);
  for (const url of ['/douyin/user/register/?username=a1&password=secret1', '/douyin/user/register?username=a2&password=secret1']) {
    const res = await app.inject({ method: 'POST', url });
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().status_code, 0);
  }
});

test('unknown /douyin routes get 404 with status 40404; other paths a plain 404', async (t) => {
  const app = await gatewayFor(t);
  const res = await app.inject({ method: 'GET', url: '/douyin/nope/' });
  assert.equal(res.statusCode, 404);
  assert.deepEqual(res.json(), { status_code: 40404, status_msg: 'route not found' });
  assert.equal((await app.inject({ method: 'GET', url: '/elsewhere' })).statusCode, 404);
});

test('a path whose escapes do not decode names no route: 404 and 40404 under /douyin/, with its X-Request-Id', async (t) => {
  const app = await gatewayFor(t);
  for (const url of ['/douyin/feed/%E4', '/douyin/%ZZ/', '/douyin/feed%/']) {
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 404, url);
    assert.deepEqual(res.json(), { status_code: 40404, status_msg: 'route not found' }, url);
    assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/, url);
  }
  const media = await app.inject({ method: 'GET', url: '/media/videos/%ZZ.mp4' });
  assert.deepEqual([media.statusCode, media.json()], [404, { error: 'not found' }]);
});

test('the metrics label APK answers by status_code, success included; other paths by HTTP status', async (t) => {
  const app = await gatewayFor(t);
  const outcomes: Outcome[] = [];
  app.addHook('onResponse', (req, reply, done) => {
    outcomes.push(outcomeOf(req, reply));
    done();
  });
  await app.inject({ method: 'POST', url: '/douyin/user/register/?username=m1&password=secret1' });
  await app.inject({ method: 'POST', url: '/douyin/user/register/?username=m1' });
  await app.inject({ method: 'GET', url: '/douyin/nope/' });
  await app.inject({ method: 'GET', url: '/elsewhere' });
  assert.deepEqual(outcomes, [
    { code: '0', outcome: 'ok' },
    { code: '40001', outcome: 'client_error' },
    { code: '40404', outcome: 'client_error' },
    { code: '404', outcome: 'client_error' },
  ]);
});

test('every response carries X-Request-Id, echoing the caller\'s', async (t) => {
  const app = await gatewayFor(t);
  const echoed = await app.inject({ method: 'GET', url: '/douyin/user/', headers: { 'x-request-id': 'abc-123' } });
  assert.equal(echoed.headers['x-request-id'], 'abc-123');
  const generated = await app.inject({ method: 'GET', url: '/douyin/user/' });
  assert.ok(String(generated.headers['x-request-id']).length > 0);
  // One that could not be a request id (kilobytes long, or text for the logs) is replaced, not carried into every
  // log line and mesh call of the request.
  for (const bad of ['x'.repeat(200), 'id with spaces', 'id\u00e9']) {
    const replaced = (await app.inject({ method: 'GET', url: '/douyin/user/', headers: { 'x-request-id': bad } })).headers['x-request-id'];
    assert.ok(typeof replaced === 'string' && replaced !== bad && /^[\w.:-]{1,128}$/.test(replaced), String(replaced));
  }
});

test('the services see the request id the APK gets back, and the request\'s one deadline', async (t) => {
  const { client } = fakeUserService();
  const scopes: Array<CallScope | undefined> = [];
  const user = {
    ...client,
    register: {
      mutate: (input: { username: string; password: string }) => {
        scopes.push(currentScope());
        return client.register.mutate(input);
      },
    },
  } as unknown as GatewayDeps['user'];
  const app = await gatewayFor(t, user);
  const before = Date.now();
  const res = await app.inject({ method: 'POST', url: '/douyin/user/register/?username=scoped&password=secret1', headers: { 'x-request-id': 'apk-42' } });
  assert.equal(res.json().status_code, 0);
  assert.equal(scopes[0]?.requestId, 'apk-42');
  const deadline = scopes[0]?.deadline ?? 0;
  assert.ok(deadline >= before + 10_000 && deadline <= Date.now() + 10_000, `deadline ${deadline - before} ms after the request`);
});

test('a GET route reads a form body too, urlencoded or multipart, after the query string', async (t) => {
  const app = await gatewayFor(t);
  const form = await app.inject({
    method: 'GET',
    url: '/douyin/feed/',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'latest_time=abc',
  });
  assert.equal(form.json().status_code, 40002);
  const boundary = 'b0undary';
  const multipart = await app.inject({
    method: 'GET',
    url: '/douyin/feed/',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: `--${boundary}\r\ncontent-disposition: form-data; name="latest_time"\r\n\r\n-5\r\n--${boundary}--\r\n`,
  });
  assert.equal(multipart.json().status_code, 40002);
  const queryFirst = await app.inject({
    method: 'GET',
    url: '/douyin/feed/?latest_time=0',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: 'latest_time=abc',
  });
  assert.equal(queryFirst.json().status_code, 0);
});

test('a JSON or plain-text body is ignored; a broken multipart body is 40002', async (t) => {
  const app = await gatewayFor(t);
  const json = await app.inject({
    method: 'POST',
    url: '/douyin/user/register/?username=j1&password=secret1',
    headers: { 'content-type': 'application/json' },
    payload: '{not json',
  });
  assert.equal(json.json().status_code, 0);
  const broken = await app.inject({
    method: 'POST',
    url: '/douyin/user/register/',
    headers: { 'content-type': 'multipart/form-data; boundary=zzz' },
    payload: '--zzz\r\nContent-Disposition: form-data; name="username"\r\n\r\nabc',
  });
  assert.equal(broken.statusCode, 200);
  assert.equal(broken.json().status_code, 40002);
});

test('an empty body is accepted whatever Content-Type it names: the parameters are in the query string', async (t) => {
  const app = await gatewayFor(t);
  const types = ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=zzz', 'application/json', 'text/plain'];
  for (const [i, type] of types.entries()) {
    const res = await app.inject({ method: 'POST', url: `/douyin/user/register/?username=empty${i}&password=secret1`, headers: { 'content-type': type }, payload: '' });
    assert.deepEqual([res.statusCode, res.json().status_code], [200, 0], type);
  }
});

test('on a route that needs a token, the token is checked before a multipart body that cannot be read (contract §1 check order)', async (t) => {
  const app = await gatewayFor(t);
  const { token } = (await app.inject({ method: 'POST', url: '/douyin/user/register/?username=order1&password=secret1' })).json();
  const boundary = 'zzz';
  const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const bodies = {
    broken: field('to_user_id', '1').slice(0, -2), // no closing boundary
    oversized: `${field('content', 'x'.repeat(1024 * 1024 + 10))}--${boundary}--\r\n`, // past what busboy keeps of a field
  };
  const code = async (query: string, payload: string) =>
    (await app.inject({ method: 'POST', url: `/douyin/message/action/${query}`, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload })).json()
      .status_code;
  for (const [kind, payload] of Object.entries(bodies)) {
    assert.equal(await code('?token=garbage', payload), 40102, `${kind}, a bad token`);
  }
  assert.equal(await code(`?token=${token}`, bodies.broken), 40002);
  assert.equal(await code(`?token=${token}`, bodies.oversized), 40003);
  // No token where one could be read: it may have been in the body that could not be, so the body is the answer.
  assert.equal(await code('', `${field('token', token)}${bodies.broken}`), 40002);
  assert.equal(await code('', bodies.oversized), 40003);
});

test('a text field over 1 MiB is 40003', async (t) => {
  const app = await gatewayFor(t);
  const res = await app.inject({
    method: 'POST',
    url: '/douyin/user/register/?password=secret1',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: `username=${'x'.repeat(1024 * 1024 + 10)}`,
  });
  assert.equal(res.json().status_code, 40003);
});

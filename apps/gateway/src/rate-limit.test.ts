import { connect } from 'node:net';
import { test } from 'node:test';
import multipart from '@fastify/multipart';
import assert from 'node:assert/strict';
import { createTokenIssuer } from '@douyin/auth';
import { loadConfig } from '@douyin/config';
import { createHttpApp } from '@douyin/mesh';
import { MemoryBuckets, createRouteLimiter, type RouteLimits } from '@douyin/ratelimit';
import { silentLogger } from '@douyin/telemetry';
import { createAuthenticator } from './auth.js';
import { GatewayEnv } from './config.js';
import { apkErrorHandler } from './error-handler.js';
import { collectParams } from './params.js';
import { registerRateLimits, routeClassOf } from './rate-limit.js';
import { multipartBody } from '../test/multipart.js';
import { ok } from './reply.js';

const limits: RouteLimits = {
  all: { ip: { ratePerSec: 1, burst: 3 }, user: { ratePerSec: 1, burst: 2 } },
  classes: { register: { ip: { ratePerSec: 1 / 60, burst: 1 }, user: null }, login: { ip: { ratePerSec: 1 / 60, burst: 2 }, user: null } },
};

async function limitedApp(t: { after(fn: () => unknown): void }, userExists: (userId: number) => Promise<boolean> = async () => true) {
  const tokens = createTokenIssuer({ secret: 'test-secret-that-is-long-enough-0123456789', ttlSeconds: 3600 });
  const app = createHttpApp(silentLogger());
  app.setErrorHandler(apkErrorHandler);
  await app.register(multipart);
  registerRateLimits(app, createRouteLimiter(new MemoryBuckets(() => 0), limits), createAuthenticator({ tokens, userExists }));
  app.get('/douyin/feed/', { config: { zero: { video_list: [], next_time: 0 } } }, async () => ok({ video_list: [], next_time: 1 }));
  app.post('/douyin/favorite/action/', { config: { zero: {} } }, async (req) => {
    const params = await collectParams(req);
    return ok({ video_id: params.get('video_id'), token_seen: params.has('token') });
  });
  app.post('/douyin/user/register/', { config: { zero: { user_id: 0, token: '' } } }, async () => ok({ user_id: 1, token: 't' }));
  app.post('/douyin/user/login/', { config: { zero: { user_id: 0, token: '' } } }, async () => ok({ user_id: 1, token: 't' }));
  app.post('/douyin/publish/action/', { config: { zero: {} } }, async () => ok({}));
  app.get('/healthz', async () => ({ status: 'ok' }));
  t.after(() => app.close());
  return { app, token: await tokens.issue(42) };
}

test('an empty bucket answers HTTP 200, status_code 42901, Retry-After and the zero fields', async (t) => {
  const { app } = await limitedApp(t);
  const codes = [];
  for (let i = 0; i < 4; i++) codes.push((await app.inject({ url: '/douyin/feed/', remoteAddress: '10.0.0.1' })).json().status_code);
  assert.deepEqual(codes, [0, 0, 0, 42901]);
  const refused = await app.inject({ url: '/douyin/feed/', remoteAddress: '10.0.0.1' });
  assert.equal(refused.statusCode, 200);
  assert.equal(refused.headers['retry-after'], '1');
  assert.deepEqual(refused.json(), { video_list: [], next_time: 0, status_code: 42901, status_msg: 'too many requests, please retry in a moment' });
  assert.equal((await app.inject({ url: '/douyin/feed/', remoteAddress: '10.0.0.2' })).json().status_code, 0, 'another IP has its own bucket');
  assert.equal((await app.inject({ url: '/healthz', remoteAddress: '10.0.0.1' })).statusCode, 200, 'probes are never limited');
});

test('a signed-in user has a bucket of their own across IPs; a forged token counts as anonymous', async (t) => {
  const { app, token } = await limitedApp(t);
  const asUser = (ip: string, tok = token) => app.inject({ url: `/douyin/feed/?token=${tok}`, remoteAddress: ip });
  assert.equal((await asUser('10.0.1.1')).json().status_code, 0);
  assert.equal((await asUser('10.0.1.2')).json().status_code, 0);
  assert.equal((await asUser('10.0.1.3')).json().status_code, 42901, 'the user bucket (2) is empty whatever the IP');
  const forged = await app.inject({ url: '/douyin/feed/?token=not.a.token', remoteAddress: '10.0.1.4' });
  assert.equal(forged.json().status_code, 0);
});

test("the limits charge the token's signed user asking nobody: a gone account's token costs no lookup ahead of them", async (t) => {
  const asked: number[] = [];
  const { app, token } = await limitedApp(t, async (userId) => {
    asked.push(userId);
    throw new Error('the user service is not reachable');
  });
  const codes = [];
  for (const ip of ['10.0.2.1', '10.0.2.2', '10.0.2.3']) codes.push((await app.inject({ url: `/douyin/feed/?token=${token}`, remoteAddress: ip })).json().status_code);
  assert.deepEqual(codes, [0, 0, 42901], "the user's bucket (2), charged whatever the user service says");
  assert.deepEqual(asked, []);
});

test('register has its own per-IP bucket on top of the general one', async (t) => {
  const { app } = await limitedApp(t);
  const register = () => app.inject({ method: 'POST', url: '/douyin/user/register/?username=a&password=secret1', remoteAddress: '10.0.2.1' });
  assert.equal((await register()).json().status_code, 0);
  const refused = await register();
  assert.deepEqual([refused.json().status_code, refused.headers['retry-after']], [42901, '60']);
  assert.equal((await app.inject({ url: '/douyin/feed/', remoteAddress: '10.0.2.1' })).json().status_code, 0, 'reads still pass');
});

test('logins have a per-IP bucket of their own, successful ones included: each costs a password hash', async (t) => {
  const { app } = await limitedApp(t);
  const login = (ip: string) => app.inject({ method: 'POST', url: '/douyin/user/login/?username=a&password=secret1', remoteAddress: ip });
  assert.deepEqual([(await login('10.0.3.1')).json().status_code, (await login('10.0.3.1')).json().status_code], [0, 0]);
  const refused = await login('10.0.3.1');
  assert.deepEqual([refused.json().status_code, refused.headers['retry-after']], [42901, '60']);
  assert.equal((await login('10.0.3.2')).json().status_code, 0, 'another IP logs in');
});

test('route classes and the contract defaults; RATE_LIMITS=off and per-class overrides come from the environment', () => {
  assert.deepEqual(
    [routeClassOf('GET', '/douyin/feed/'), routeClassOf('POST', '/douyin/favorite/action/'), routeClassOf('POST', '/douyin/publish/action/'), routeClassOf('POST', '/douyin/user/register/'), routeClassOf('POST', '/douyin/user/login/')],
    ['read', 'write', 'upload', 'register', 'login'],
  );
  const defaults = loadConfig(GatewayEnv, {}).rateLimits;
  assert.equal(defaults.enabled, true);
  assert.deepEqual(defaults.limits.all, { ip: { ratePerSec: 200, burst: 400 }, user: { ratePerSec: 100, burst: 200 } });
  assert.deepEqual(defaults.limits.classes.upload, { ip: null, user: { ratePerSec: 0.5, burst: 30 } });
  assert.deepEqual(defaults.limits.classes.register, { ip: { ratePerSec: 1, burst: 60 }, user: null });
  assert.deepEqual(defaults.limits.classes.login, { ip: { ratePerSec: 1, burst: 60 }, user: null });
  const custom = loadConfig(GatewayEnv, { RATE_LIMITS: 'off', RATE_LIMIT_READ_IP: '50/s:80', RATE_LIMIT_IP: 'off' }).rateLimits;
  assert.equal(custom.enabled, false);
  assert.deepEqual(custom.limits.classes.read.ip, { ratePerSec: 50, burst: 80 });
  assert.equal(custom.limits.all.ip, null);
  assert.throws(() => loadConfig(GatewayEnv, { RATE_LIMIT_USER: '100 per second' }), /RATE_LIMIT_USER/);
  for (const never of ['0/s', '0/min:10', '10/s:0', '0.5/s']) {
    assert.throws(() => loadConfig(GatewayEnv, { RATE_LIMIT_IP: never }), /RATE_LIMIT_IP: expected a rate above 0 and a burst of at least 1/, never);
  }
  assert.deepEqual(loadConfig(GatewayEnv, { RATE_LIMIT_IP: '0.5/s:1' }).rateLimits.limits.all.ip, { ratePerSec: 0.5, burst: 1 });
});

test("a token in a multipart body charges its user's bucket; the route still reads every field", async (t) => {
  const { app, token } = await limitedApp(t);
  const like = (ip: string) => {
    const { payload, headers } = multipartBody([{ name: 'token', value: token }, { name: 'video_id', value: '7' }, { name: 'action_type', value: '1' }]);
    return app.inject({ method: 'POST', url: '/douyin/favorite/action/', payload, headers, remoteAddress: ip });
  };
  assert.deepEqual((await like('10.0.5.1')).json(), { status_code: 0, status_msg: 'success', video_id: '7', token_seen: true });
  assert.equal((await like('10.0.5.2')).json().status_code, 0);
  assert.equal((await like('10.0.5.3')).json().status_code, 42901, 'the user bucket (2) is empty whatever the IP');
  const broken = await app.inject({ method: 'POST', url: '/douyin/favorite/action/', payload: '--x\r\nbroken', headers: { 'content-type': 'multipart/form-data; boundary=x' }, remoteAddress: '10.0.5.4' });
  assert.equal(broken.json().status_code, 40002);
});

test('an upload the limits refuse is read no further than an upload refused a slot: past that, its connection closes', async (t) => {
  const { app } = await limitedApp(t);
  for (let i = 0; i < 3; i++) await app.inject({ url: '/douyin/feed/', remoteAddress: '127.0.0.1' });
  const port = Number(new URL(await app.listen({ port: 0, host: '127.0.0.1' })).port);
  const MiB = 1024 * 1024;
  const declared = 256 * MiB;
  const socket = connect(port, '127.0.0.1');
  t.after(() => socket.destroy());
  let answered = '';
  socket.on('data', (chunk: Buffer) => (answered += chunk.toString('latin1'))).on('error', () => undefined);
  const boundary = 'limits';
  socket.write(`POST /douyin/publish/action/ HTTP/1.1\r\nHost: x\r\ncontent-type: multipart/form-data; boundary=${boundary}\r\ncontent-length: ${declared}\r\n\r\n`);
  socket.write(`--${boundary}\r\nContent-Disposition: form-data; name="data"; filename="v.mp4"\r\n\r\n`);
  const chunk = Buffer.alloc(MiB, 0x61);
  let sent = 0;
  while (sent < declared - 2 * MiB && !socket.destroyed) {
    if (!(await new Promise<boolean>((resolve) => socket.write(chunk, (err) => resolve(!err))))) break;
    sent += chunk.length;
  }
  assert.match(answered, /"status_code":42901/);
  assert.ok(sent < 64 * MiB, `the gateway read ${sent / MiB} MiB of a refused upload`);
});

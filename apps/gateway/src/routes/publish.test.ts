import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryBuckets, createRouteLimiter } from '@douyin/ratelimit';
import { filesUnder } from '@douyin/testing';
import { fakeUserService, gatewayFor, remoteError } from '../../test/harness.js';
import { multipartBody, type FormPart } from '../../test/multipart.js';
import { until } from '../../test/processes.js';
import { fakeVideoService, testMedia } from '../../test/video-fakes.js';
import type { GatewayDeps } from '../deps.js';
import { uploadSlots } from '../upload-slots.js';

type After = { after(fn: () => unknown): void };

async function setup(t: After, opts: { maxUploadBytes?: number; video?: GatewayDeps['video']; user?: GatewayDeps['user'] } = {}) {
  const media = await testMedia(t, opts.maxUploadBytes);
  const videos = fakeVideoService(media.store);
  const app = await gatewayFor(t, opts.user ?? fakeUserService().client, undefined, undefined, {}, { video: opts.video ?? videos.client, media });
  const { user_id: userId, token } = (await app.inject({ method: 'POST', url: '/douyin/user/register/?username=poster&password=secret1' })).json();
  const publish = async (parts: FormPart[], query = '') => {
    const { payload, headers } = multipartBody(parts);
    return (await app.inject({ method: 'POST', url: `/douyin/publish/action/${query}`, payload, headers })).json() as { status_code: number; status_msg: string };
  };
  return { app, media, videos, userId: userId as number, token: token as string, publish };
}

const data = (bytes: Buffer): FormPart => ({ name: 'data', value: bytes, filename: 'clip.png' });

test('the upload is streamed to the video service under a staging key, in any part order, and the staging is consumed', async (t) => {
  const { media, videos, userId, token, publish } = await setup(t);
  const bytes = randomBytes(300_000);
  const fieldsFirst = await publish([{ name: 'token', value: token }, { name: 'title', value: '标题 😀' }, data(bytes)]);
  assert.deepEqual(fieldsFirst, { status_code: 0, status_msg: 'success' });
  const dataFirst = await publish([data(bytes), { name: 'title', value: 'second' }, { name: 'token', value: token }]);
  assert.equal(dataFirst.status_code, 0);
  const viaQuery = await publish([data(bytes)], `?token=${token}&title=third`);
  assert.equal(viaQuery.status_code, 0);
  assert.deepEqual(videos.published.map((p) => [p.video.authorId, p.video.title]), [[userId, '标题 😀'], [userId, 'second'], [userId, 'third']]);
  for (const p of videos.published) assert.ok(bytes.equals(p.bytes));
  assert.deepEqual(await filesUnder(media.root), []);
});

test("a token field after the file wins over an Authorization header, whoever's the header names", async (t) => {
  const { app, videos, userId, token } = await setup(t);
  const other = (await app.inject({ method: 'POST', url: '/douyin/user/register/?username=header-user&password=secret1' })).json();
  const publishWithHeader = async (header: string, bodyToken: string) => {
    const { payload, headers } = multipartBody([data(randomBytes(1000)), { name: 'token', value: bodyToken }, { name: 'title', value: 't' }]);
    const res = await app.inject({ method: 'POST', url: '/douyin/publish/action/', payload, headers: { ...headers, authorization: `Bearer ${header}` } });
    return (res.json() as { status_code: number }).status_code;
  };
  assert.equal(await publishWithHeader(other.token, token), 0);
  assert.equal(await publishWithHeader('garbage', token), 0);
  assert.equal(await publishWithHeader(token, 'garbage'), 40102);
  assert.deepEqual(videos.published.map((p) => p.video.authorId), [userId, userId]);
});

test('step 1 in order: token (40101/40102), title (40001/40003), then data (40001); nothing reaches the service', async (t) => {
  const { media, videos, token, publish } = await setup(t);
  const bytes = randomBytes(1000);
  const cases: Array<[number, FormPart[]]> = [
    [40101, [{ name: 'title', value: 't' }, data(bytes)]],
    [40102, [{ name: 'token', value: 'garbage' }, { name: 'title', value: 't' }, data(bytes)]],
    [40102, [data(bytes), { name: 'token', value: 'garbage' }]],
    [40001, [{ name: 'token', value: token }, data(bytes)]],
    [40001, [{ name: 'token', value: token }, { name: 'title', value: '' }, data(bytes)]],
    [40003, [{ name: 'token', value: token }, { name: 'title', value: ' \u3000\n' }, data(bytes)]],
    [40003, [{ name: 'token', value: token }, { name: 'title', value: 'x'.repeat(101) }, data(bytes)]],
    [40003, [{ name: 'token', value: token }, { name: 'title', value: 'a\u0001b' }, data(bytes)]],
    [40001, [{ name: 'token', value: token }, { name: 'title', value: 'no file' }]],
    [40101, [{ name: 'title', value: 'no file, no token' }]],
  ];
  for (const [code, parts] of cases) {
    assert.equal((await publish(parts)).status_code, code, JSON.stringify(parts.map((p) => p.name + '=' + String(p.value).slice(0, 10))));
  }
  // A title in the query whose escapes do not decode is malformed, not a title of its raw escapes.
  assert.equal((await publish([data(bytes)], `?token=${token}&title=%E6%A0%87%E9`)).status_code, 40002);
  assert.equal((await publish([{ name: 'token', value: token }, { name: 'title', value: '😀'.repeat(100) }, data(bytes)])).status_code, 0);
  assert.equal(videos.calls.filter((c) => c === 'publish').length, 1);
  assert.deepEqual(await filesUnder(media.root), []);
});

test('the data part is the video whatever its filename and Content-Type; an empty one is absent (40001)', async (t) => {
  const { media, videos, token, publish } = await setup(t);
  const bytes = randomBytes(2000);
  const fields: FormPart[] = [{ name: 'token', value: token }, { name: 'title', value: 't' }];
  // As `curl -F "data=<clip.mp4"` or OkHttp's createFormData("data", null, body) send it: no filename.
  assert.equal((await publish([...fields, { name: 'data', value: bytes, contentType: 'video/mp4' }])).status_code, 0);
  assert.equal((await publish([...fields, { name: 'data', value: bytes }])).status_code, 0);
  for (const p of videos.published) assert.ok(bytes.equals(p.bytes));
  assert.equal((await publish([...fields, data(Buffer.alloc(0))])).status_code, 40001);
  assert.equal((await publish([...fields, { name: 'data', value: '' }])).status_code, 40001);
  assert.equal(videos.calls.filter((c) => c === 'publish').length, 2);
  assert.deepEqual(await filesUnder(media.root), []);
});

test('an upload past MAX_UPLOAD_BYTES is 40006 and stores nothing, even before the token was read', async (t) => {
  const { media, videos, token, publish } = await setup(t, { maxUploadBytes: 64 * 1024 });
  assert.equal((await publish([{ name: 'token', value: token }, { name: 'title', value: 't' }, data(randomBytes(64 * 1024))])).status_code, 0);
  const other = (name: string, bytes: number): FormPart => ({ name, value: randomBytes(bytes), filename: 'extra.bin' });
  for (const parts of [
    [{ name: 'token', value: token }, { name: 'title', value: 't' }, data(randomBytes(64 * 1024 + 1))],
    [data(randomBytes(1024 * 1024)), { name: 'token', value: token }, { name: 'title', value: 't' }],
    // The limit is on every file part together: others beside the video, or a second `data`, count too.
    [other('extra', 40 * 1024), { name: 'token', value: token }, { name: 'title', value: 't' }, data(randomBytes(40 * 1024))],
    [{ name: 'token', value: token }, { name: 'title', value: 't' }, data(randomBytes(40 * 1024)), other('data', 40 * 1024)],
    [{ name: 'token', value: token }, { name: 'title', value: 't' }, ...Array.from({ length: 8 }, (_, i) => other(`extra${i}`, 60 * 1024)), data(randomBytes(1000))],
  ]) {
    const body = await publish(parts);
    assert.equal(body.status_code, 40006);
    assert.match(body.status_msg, /64 KiB|65536 bytes/);
  }
  assert.equal(videos.calls.filter((c) => c === 'publish').length, 1);
  assert.deepEqual(await filesUnder(media.root), []);
});

test('the video service decides what is a video; its failures reach the APK as their status codes', async (t) => {
  for (const [reason, code] of [['not_a_video', 40005], ['media_unavailable', 50304], ['storage_unavailable', 50302], [undefined, 50303]] as const) {
    const failing = {
      publish: { mutate: async () => Promise.reject(remoteError(reason === 'not_a_video' ? 'BAD_REQUEST' : 'SERVICE_UNAVAILABLE', reason)) },
    } as unknown as GatewayDeps['video'];
    const { media, token, publish } = await setup(t, { video: failing });
    const body = await publish([{ name: 'token', value: token }, { name: 'title', value: 't' }, data(randomBytes(5000))]);
    assert.equal(body.status_code, code, String(reason));
    assert.ok(body.status_msg.length > 0);
    // Whatever the service did, the gateway removes the staged upload of a publish that did not succeed.
    assert.deepEqual(await filesUnder(media.root), []);
  }
});

test('a user service that cannot answer for the token before the file is 50301, not a broken upload', async (t) => {
  const users = fakeUserService();
  let down = false;
  const byId = (input: { userId: number }) => (down ? Promise.reject(remoteError('SERVICE_UNAVAILABLE', 'database_unavailable')) : users.client.byId.query(input));
  const user = { ...users.client, byId: { query: byId } } as unknown as GatewayDeps['user'];
  const { media, videos, token, publish } = await setup(t, { user });
  down = true;
  const body = await publish([{ name: 'title', value: 't' }, data(randomBytes(5000))], `?token=${token}`);
  assert.equal(body.status_code, 50301, body.status_msg);
  assert.deepEqual(videos.published, []);
  assert.deepEqual(await filesUnder(media.root), []);
});

test('a broken multipart body is 40002 and stores nothing', async (t) => {
  const { app, media, token } = await setup(t);
  const { payload, headers } = multipartBody([{ name: 'token', value: token }, { name: 'title', value: 't' }, data(randomBytes(200_000))]);
  const res = await app.inject({ method: 'POST', url: '/douyin/publish/action/', payload: payload.subarray(0, 150_000), headers });
  assert.equal(res.json().status_code, 40002);
  assert.deepEqual(await filesUnder(media.root), []);
});

test('a body that breaks before the file: a bad token in the query or header is the answer, a good one the body error', async (t) => {
  const { app, token } = await setup(t);
  const broken = multipartBody([{ name: 'title', value: 't' }, data(randomBytes(200_000))]);
  const tooLongTitle = multipartBody([{ name: 'title', value: 'x'.repeat(2 * 1024 * 1024) }, data(randomBytes(1000))]);
  const send = async (form: { payload: Buffer; headers: Record<string, string> }, cut: boolean, query: string, authorization?: string) => {
    const payload = cut ? form.payload.subarray(0, 100) : form.payload;
    const headers = authorization ? { ...form.headers, authorization } : form.headers;
    return ((await app.inject({ method: 'POST', url: `/douyin/publish/action/${query}`, payload, headers })).json() as { status_code: number }).status_code;
  };
  assert.equal(await send(broken, true, '?token=garbage'), 40102);
  assert.equal(await send(broken, true, '', 'Bearer garbage'), 40102);
  assert.equal(await send(tooLongTitle, false, '?token=garbage'), 40102);
  assert.equal(await send(broken, true, `?token=${token}`), 40002);
  assert.equal(await send(tooLongTitle, false, `?token=${token}`), 40003);
  assert.equal(await send(broken, true, ''), 40002, 'no token outside the body: it may have been in the part that broke');
});

test('uploads past MAX_CONCURRENT_UPLOADS_PER_IP wait their turn with 42901; a finished upload frees its slot', async (t) => {
  // The slots, telling the test when the first upload has taken its own.
  const limited = uploadSlots({ total: 8, perIp: 1 });
  let taken!: () => void;
  const firstTaken = new Promise<void>((resolve) => (taken = resolve));
  const slots = { take: (ip: string) => (taken(), limited.take(ip)) };
  const media = { ...(await testMedia(t)), slots };
  const videos = fakeVideoService(media.store);
  const app = await gatewayFor(t, fakeUserService().client, undefined, undefined, {}, { video: videos.client, media });
  const { token } = (await app.inject({ method: 'POST', url: '/douyin/user/register/?username=busy&password=secret1' })).json();
  const upload = multipartBody([data(randomBytes(200_000)), { name: 'title', value: 'slow' }, { name: 'token', value: token }]);

  // The first upload's body arrives in two halves, the second after the other requests were answered.
  const body = new PassThrough();
  body.write(upload.payload.subarray(0, 100_000));
  const slow = app.inject({ method: 'POST', url: '/douyin/publish/action/', payload: body, headers: upload.headers, remoteAddress: '10.0.0.1' });
  await firstTaken;
  const refused = await app.inject({ method: 'POST', url: '/douyin/publish/action/', ...upload, remoteAddress: '10.0.0.1' });
  assert.deepEqual(refused.json(), { status_code: 42901, status_msg: 'too many uploads in progress, please retry in a moment' });
  assert.equal(refused.headers['retry-after'], '1');
  const elsewhere = await app.inject({ method: 'POST', url: '/douyin/publish/action/', ...upload, remoteAddress: '10.0.0.2' });
  assert.equal(elsewhere.json().status_code, 0, 'another IP has its own slot');

  body.end(upload.payload.subarray(100_000));
  assert.equal((await slow).json().status_code, 0);
  const after = await app.inject({ method: 'POST', url: '/douyin/publish/action/', ...upload, remoteAddress: '10.0.0.1' });
  assert.equal(after.json().status_code, 0);
  assert.deepEqual(videos.published.map((p) => p.video.title), ['slow', 'slow', 'slow']);
});

test('an upload refused for want of a slot is answered before a client sending it whole reads; its connection goes on', async (t) => {
  const media = { ...(await testMedia(t)), slots: uploadSlots({ total: 1, perIp: 1 }) };
  const app = await gatewayFor(t, fakeUserService().client, undefined, undefined, {}, { media });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const port = Number(new URL(base).port);
  const { payload, headers } = multipartBody([data(randomBytes(2_000_000)), { name: 'title', value: 't' }]);
  const head = `POST /douyin/publish/action/ HTTP/1.1\r\nHost: x\r\ncontent-type: ${headers['content-type']}\r\ncontent-length: ${payload.length}\r\n\r\n`;
  // One upload holds the only slot: its body stops halfway.
  const holder = connect(port, '127.0.0.1');
  t.after(() => holder.destroy());
  holder.write(head);
  holder.write(payload.subarray(0, 1_000_000));
  await new Promise((resolve) => setTimeout(resolve, 200));

  const phone = connect(port, '127.0.0.1');
  t.after(() => phone.destroy());
  let answered = '';
  phone.on('data', (chunk: Buffer) => (answered += chunk.toString('latin1')));
  phone.on('error', () => undefined);
  // As OkHttp does: the whole body is sent, then the answers are read, then the connection is used again.
  phone.write(head);
  await new Promise<void>((resolve, reject) => phone.write(payload, (err) => (err ? reject(err) : resolve())));
  phone.write('GET /douyin/feed/ HTTP/1.1\r\nHost: x\r\n\r\n');
  try {
    await until('both answers', () => (answered.match(/"status_code":\d+/g) ?? []).length === 2, 5_000);
    assert.deepEqual(answered.match(/"status_code":\d+/g), ['"status_code":42901', '"status_code":0']);
    assert.match(answered, /retry-after: 1/i);
  } finally {
    // Before the app closes, which waits for the held upload.
    holder.destroy();
    phone.destroy();
  }
});

/** A gateway whose one limit is two uploads per user, a new one a minute. */
async function uploadLimitedGateway(t: { after(fn: () => unknown): void }) {
  const media = await testMedia(t);
  const videos = fakeVideoService(media.store);
  const limits = { all: { ip: null, user: null }, classes: { upload: { ip: null, user: { ratePerSec: 1 / 60, burst: 2 } } } };
  const limiter = createRouteLimiter(new MemoryBuckets(() => 0), limits);
  const app = await gatewayFor(t, fakeUserService().client, undefined, undefined, {}, { video: videos.client, media }, {}, { limiter });
  return { app, media, videos };
}

test('an upload whose token is in its multipart body is charged to its user, from whatever IP', async (t) => {
  const { app, media, videos } = await uploadLimitedGateway(t);
  const { token } = (await app.inject({ method: 'POST', url: '/douyin/user/register/?username=often&password=secret1' })).json();
  const upload = multipartBody([data(randomBytes(1000)), { name: 'title', value: 't' }, { name: 'token', value: token }]);
  const codes = [];
  for (const ip of ['10.0.0.1', '10.0.0.2', '10.0.0.3']) {
    codes.push((await app.inject({ method: 'POST', url: '/douyin/publish/action/', ...upload, remoteAddress: ip })).json().status_code);
  }
  assert.deepEqual(codes, [0, 0, 42901]);
  assert.equal(videos.published.length, 2);
  assert.deepEqual(await filesUnder(media.root), [], 'the refused upload left nothing staged');
});

test("an upload is charged to the user its body's token names, whoever an Authorization header names", async (t) => {
  const { app, videos } = await uploadLimitedGateway(t);
  const register = async (username: string) => (await app.inject({ method: 'POST', url: `/douyin/user/register/?username=${username}&password=secret1` })).json() as { user_id: number; token: string };
  const { user_id: uploaderId, token: uploader } = await register('uploader');
  // The body's token before the file, so the route knows its user when the file begins.
  const upload = multipartBody([{ name: 'token', value: uploader }, { name: 'title', value: 't' }, data(randomBytes(1000))]);
  const codes = [];
  // A fresh account's token in the header each time: none of their buckets runs out, the uploader's must.
  for (const { token: throwaway } of [await register('throwaway1'), await register('throwaway2'), await register('throwaway3')]) {
    const headers = { ...upload.headers, authorization: `Bearer ${throwaway}` };
    codes.push((await app.inject({ method: 'POST', url: '/douyin/publish/action/', payload: upload.payload, headers })).json().status_code);
  }
  assert.deepEqual(codes, [0, 0, 42901]);
  assert.deepEqual(videos.published.map(({ video }) => video.authorId), [uploaderId, uploaderId]);
});

test('an upload refused mid-body leaves its keep-alive connection serving the next request', async (t) => {
  const app = await gatewayFor(t);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  for (const [code, parts] of [
    [40102, [{ name: 'token', value: 'garbage' }, data(randomBytes(3_000_000)), { name: 'title', value: 'after' }]],
    [40003, [{ name: 'title', value: 'x'.repeat(1024 * 1024 + 10) }, data(randomBytes(3_000_000))]],
  ] as const) {
    const { payload, headers } = multipartBody([...parts]);
    const phone = connect(Number(new URL(base).port), '127.0.0.1');
    t.after(() => phone.destroy());
    let answered = '';
    phone.on('data', (chunk: Buffer) => (answered += chunk.toString('latin1')));
    // As OkHttp does: the whole body is sent, then the answers are read, then the connection is used again.
    phone.write(`POST /douyin/publish/action/ HTTP/1.1\r\nHost: x\r\ncontent-type: ${headers['content-type']}\r\ncontent-length: ${payload.length}\r\n\r\n`);
    await new Promise<void>((resolve) => phone.write(payload, () => resolve()));
    phone.write('GET /douyin/feed/ HTTP/1.1\r\nHost: x\r\n\r\n');
    await until('both answers', () => (answered.match(/"status_code":\d+/g) ?? []).length === 2, 5_000);
    assert.deepEqual(answered.match(/"status_code":\d+/g), [`"status_code":${code}`, '"status_code":0']);
  }
});

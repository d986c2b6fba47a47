import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closedOutcome, metricsFor, type Outcome } from '@douyin/metrics';
import { fakeUserService, gatewayFor } from '../test/harness.js';
import { multipartBody, type FormPart } from '../test/multipart.js';
import { until } from '../test/processes.js';
import { uploadSlots } from './upload-slots.js';
import { fakeVideoService, testMedia } from '../test/video-fakes.js';

type After = { after(fn: () => unknown): void };
const MiB = 1024 * 1024;

/** A raw connection that collects what the gateway answers and notices when it closes. */
function phoneTo(t: After, base: string) {
  const socket: Socket = connect(Number(new URL(base).port), '127.0.0.1');
  t.after(() => socket.destroy());
  const seen = { answer: '', closed: false };
  socket.on('data', (chunk: Buffer) => (seen.answer += chunk.toString('latin1')));
  socket.on('close', () => (seen.closed = true));
  socket.on('error', () => undefined);
  return { socket, seen };
}

test('a body no route reads is refused past the form limit (40003) and its connection closes', async (t) => {
  const app = await gatewayFor(t);
  const feed = (payload: Buffer | Readable, type = 'application/octet-stream') =>
    app.inject({ method: 'GET', url: '/douyin/feed/', payload, headers: { 'content-type': type } });
  const small = await feed(Buffer.from('{"latest_time":1}'), 'application/json');
  assert.equal(small.json().status_code, 0, 'a small body is ignored');
  const declared = await feed(Buffer.alloc(4 * MiB + 1));
  assert.deepEqual([declared.json().status_code, declared.json().status_msg, declared.headers.connection], [40003, 'request body too large', 'close']);
  // Without a Content-Length the bytes are counted as they come.
  const streamed = await feed(Readable.from((function* () { for (let i = 0; i < 5; i++) yield Buffer.alloc(MiB); })()));
  assert.deepEqual([streamed.json().status_code, streamed.headers.connection], [40003, 'close']);
});

test('a multipart form\'s text fields together may hold 4 MiB, as an urlencoded form; past it 40003', async (t) => {
  const media = await testMedia(t);
  const videos = fakeVideoService(media.store);
  const app = await gatewayFor(t, fakeUserService().client, undefined, undefined, {}, { video: videos.client, media });
  const filler = (count: number): FormPart[] => Array.from({ length: count }, (_, i) => ({ name: `f${i}`, value: 'x'.repeat(MiB) }));
  const send = (url: string, parts: FormPart[]) => {
    const { payload, headers } = multipartBody(parts);
    return app.inject({ method: 'POST', url, payload, headers }).then((res) => res.json() as { status_code: number; status_msg: string });
  };
  const register = (name: string, fillers: number) =>
    send('/douyin/user/register/', [...filler(fillers), { name: 'username', value: name }, { name: 'password', value: 'secret1' }]);
  assert.equal((await register('fits', 3)).status_code, 0);
  assert.deepEqual(await register('too-much', 4), { status_code: 40003, status_msg: "the form's fields are too long together", user_id: 0, token: '' });
  const { token } = (await app.inject({ method: 'POST', url: '/douyin/user/register/?username=poster&password=secret1' })).json();
  const publish = await send('/douyin/publish/action/', [...filler(4), { name: 'token', value: token }, { name: 'title', value: 't' }, { name: 'data', value: Buffer.alloc(1000), filename: 'v.mp4' }]);
  assert.equal(publish.status_code, 40003);
  assert.equal(videos.published.length, 0);
});

test('a JSON part of a multipart form is never parsed: it is no parameter, and its size no field to escape the limit', async (t) => {
  const app = await gatewayFor(t, fakeUserService().client);
  const register = (parts: FormPart[]) => {
    const { payload, headers } = multipartBody(parts);
    return app.inject({ method: 'POST', url: '/douyin/user/register/', payload, headers }).then((res) => res.json() as { status_code: number; status_msg: string });
  };
  const password = { name: 'password', value: 'secret1' };
  assert.equal((await register([{ name: 'username', value: '"from-json"', contentType: 'application/json' }, password])).status_code, 40001);
  const deepJson = `[${'[],'.repeat(MiB / 3 - 1)}[]]`;
  const jsonParts = Array.from({ length: 8 }, (_, i): FormPart => ({ name: `j${i}`, value: deepJson, contentType: 'application/json; charset=utf-8' }));
  assert.equal((await register([...jsonParts, { name: 'username', value: 'beside-json' }, password])).status_code, 0);
  assert.equal((await register([{ name: 'broken', value: '{not json', contentType: 'application/json' }, { name: 'username', value: 'beside-broken' }, password])).status_code, 0);
});

test('a form refused mid-body is read no further, and its keep-alive connection serves the next request', async (t) => {
  const app = await gatewayFor(t);
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const fields: FormPart[] = Array.from({ length: 8 }, (_, i) => ({ name: `f${i}`, value: 'x'.repeat(MiB) }));
  const { payload, headers } = multipartBody([...fields, { name: 'username', value: 'late' }, { name: 'password', value: 'secret1' }]);
  const phone = phoneTo(t, base);
  // As OkHttp does: the whole body is sent, then the answers are read, then the connection is used again.
  phone.socket.write(`POST /douyin/user/register/ HTTP/1.1\r\nHost: x\r\ncontent-type: ${headers['content-type']}\r\ncontent-length: ${payload.length}\r\n\r\n`);
  await new Promise<void>((resolve) => phone.socket.write(payload, () => resolve()));
  phone.socket.write('GET /douyin/feed/ HTTP/1.1\r\nHost: x\r\n\r\n');
  await until('both answers', () => (phone.seen.answer.match(/"status_code":\d+/g) ?? []).length === 2, 10_000);
  assert.deepEqual(phone.seen.answer.match(/"status_code":\d+/g), ['"status_code":40003', '"status_code":0']);

  // More than a form's worth after the refusal is not read at all: the connection closes instead.
  const long = multipartBody([...fields, ...fields, { name: 'username', value: 'later' }]);
  const flood = phoneTo(t, base);
  flood.socket.write(`POST /douyin/user/register/ HTTP/1.1\r\nHost: x\r\ncontent-type: ${long.headers['content-type']}\r\ncontent-length: ${long.payload.length}\r\n\r\n`);
  flood.socket.write(long.payload);
  await until('the flooding connection closes', () => flood.seen.closed, 10_000);
  assert.deepEqual(flood.seen.answer.match(/"status_code":\d+/g), ['"status_code":40003']);
});

test('a form body not received within its time gets 40002 in an HTTP 200 and loses its connection; an upload takes its time', async (t) => {
  const app = await gatewayFor(t, undefined, undefined, undefined, {}, {}, {}, { bodyTimeoutMs: 300 });
  const closed: Outcome[] = [];
  app.addHook('onRequest', (req, reply, done) => {
    reply.raw.on('close', () => reply.raw.writableFinished || closed.push(closedOutcome(req, req.raw.socket, reply)));
    done();
  });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const slow = phoneTo(t, base);
  slow.socket.write('POST /douyin/user/register/ HTTP/1.1\r\nHost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 100\r\n\r\nusername=');
  await until('the slow form is closed', () => slow.seen.closed, 5_000);
  assert.match(slow.seen.answer, /^HTTP\/1\.1 200 /);
  assert.match(slow.seen.answer, /"status_code":40002/);
  // Counted by the reason the gateway gave, not as a client that left.
  await until('the cut request counted', () => closed.length === 1);
  assert.deepEqual(closed, [{ code: '40002', outcome: 'client_error' }]);

  const { payload, headers } = multipartBody([{ name: 'data', value: Buffer.alloc(10_000), filename: 'v.mp4' }]);
  const upload = phoneTo(t, base);
  upload.socket.write(`POST /douyin/publish/action/ HTTP/1.1\r\nHost: x\r\ncontent-type: ${headers['content-type']}\r\ncontent-length: ${payload.length}\r\n\r\n`);
  upload.socket.write(payload.subarray(0, 5_000));
  await new Promise((resolve) => setTimeout(resolve, 900));
  assert.deepEqual(upload.seen, { answer: '', closed: false }, 'an upload is bounded by Node\'s request timeout and the upload slots instead');
  upload.socket.write(payload.subarray(5_000));
  await until('the upload is answered', () => /"status_code":\d+/.test(upload.seen.answer), 5_000);
  assert.match(upload.seen.answer, /"status_code":40101/, 'answered as an upload without a token');

  // An urlencoded body on the upload route is a form like any other: it is parsed whole before the route sees it.
  const slowForm = phoneTo(t, base);
  slowForm.socket.write('POST /douyin/publish/action/ HTTP/1.1\r\nHost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 100\r\n\r\ntitle=');
  await until('the slow form to the upload route is closed', () => slowForm.seen.closed, 5_000);
  assert.match(slowForm.seen.answer, /^HTTP\/1\.1 200 /);

  const quick = phoneTo(t, base);
  quick.socket.write('POST /douyin/user/register/ HTTP/1.1\r\nHost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: 33\r\n\r\n');
  await new Promise((resolve) => setTimeout(resolve, 100));
  quick.socket.write('username=quick1&password=secret12');
  await until('the form is answered', () => /"status_code":\d+/.test(quick.seen.answer), 5_000);
  assert.match(quick.seen.answer, /"status_code":0/);
  await new Promise((resolve) => setTimeout(resolve, 400));
  assert.equal(quick.seen.closed, false, 'a body received in time keeps its keep-alive connection');
});

test('an upload slower than the floor is closed with 40002 in an HTTP 200 and frees its slot; one that keeps to it, or waits on the store, is not', { timeout: 30_000 }, async (t) => {
  const media = await testMedia(t);
  media.slots = uploadSlots({ total: 1, perIp: 1 });
  // A store that takes each chunk slowly: while it does, the gateway reads nothing, and the client can send nothing.
  const slowStore = {
    ...media,
    store: {
      ...media.store,
      put: (key: string, body: Readable) =>
        media.store.put(key, Readable.from((async function* () {
          for await (const chunk of body) yield await new Promise<Buffer>((resolve) => setTimeout(resolve, 300, chunk as Buffer));
        })())),
    },
  };
  const floor = { bytesPerSecond: 20_000, graceMs: 0 };
  const app = await gatewayFor(t, undefined, undefined, undefined, {}, { media }, {}, { uploadFloor: floor });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const { payload, headers } = multipartBody([{ name: 'data', value: Buffer.alloc(120_000), filename: 'v.mp4' }]);
  const head = `POST /douyin/publish/action/ HTTP/1.1\r\nHost: x\r\ncontent-type: ${headers['content-type']}\r\ncontent-length: ${payload.length}\r\n\r\n`;

  const trickle = phoneTo(t, base);
  trickle.socket.write(head + payload.subarray(0, 1_000).toString('latin1'), 'latin1');
  await until('the trickling upload is closed', () => trickle.seen.closed, 5_000);
  assert.match(trickle.seen.answer, /^HTTP\/1\.1 200 /);
  assert.match(trickle.seen.answer, /"status_code":40002,"status_msg":"upload too slow/);
  assert.match(await metricsFor('gateway').exposition(), /^douyin_gateway_connections_cut_total\{reason="upload_too_slow"\} [1-9]/m);

  // 12 KB every 250 ms, 48 KB/s: over the floor, and its one slot was freed by the closed upload.
  await until('the closed upload to give its slot back', () => {
    const release = media.slots.take('127.0.0.1');
    release?.();
    return release !== undefined;
  });
  const steady = phoneTo(t, base);
  steady.socket.write(head);
  for (let sent = 0; sent < payload.length; sent += 12_000) {
    steady.socket.write(payload.subarray(sent, sent + 12_000));
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await until('the steady upload is answered', () => /"status_code":\d+/.test(steady.seen.answer), 5_000);
  assert.match(steady.seen.answer, /"status_code":40101/, 'answered as an upload without a token');

  // Sent at once, taken by the store at a fraction of the floor: the wait is the gateway's, not the client's.
  const patient = await gatewayFor(t, undefined, undefined, undefined, {}, { media: slowStore }, {}, { uploadFloor: { bytesPerSecond: 2_000_000, graceMs: 0 } });
  const patientBase = await patient.listen({ port: 0, host: '127.0.0.1' });
  const big = multipartBody([{ name: 'data', value: Buffer.alloc(1_000_000), filename: 'v.mp4' }]);
  const waiting = phoneTo(t, patientBase);
  waiting.socket.write(`POST /douyin/publish/action/ HTTP/1.1\r\nHost: x\r\ncontent-type: ${big.headers['content-type']}\r\ncontent-length: ${big.payload.length}\r\n\r\n`);
  waiting.socket.write(big.payload);
  await until('the upload the store took slowly is answered', () => /"status_code":\d+/.test(waiting.seen.answer) || waiting.seen.closed, 20_000);
  assert.match(waiting.seen.answer, /"status_code":40101/);
});

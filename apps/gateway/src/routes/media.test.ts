import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { metricsFor } from '@douyin/metrics';
import { newKey } from '@douyin/storage';
import { gatewayFor } from '../../test/harness.js';
import { until } from '../../test/processes.js';
import { testMedia } from '../../test/video-fakes.js';
import { parseRange } from './media.js';

test('Range headers: single ranges, open ends and suffixes; past the end is unsatisfiable', () => {
  assert.deepEqual(parseRange('bytes=0-99', 1000), { start: 0, end: 99 });
  assert.deepEqual(parseRange('bytes=900-', 1000), { start: 900, end: 999 });
  assert.deepEqual(parseRange('bytes=990-2000', 1000), { start: 990, end: 999 });
  assert.deepEqual(parseRange('bytes=-100', 1000), { start: 900, end: 999 });
  assert.deepEqual(parseRange('bytes=-5000', 1000), { start: 0, end: 999 });
  assert.equal(parseRange('bytes=1000-', 1000), 'unsatisfiable');
  assert.equal(parseRange('bytes=5-4', 1000), undefined, 'an invalid range is ignored: the whole object');
  assert.equal(parseRange('bytes=-0', 1000), 'unsatisfiable');
  for (const whole of [undefined, 'bytes=0-1,5-6', 'items=0-1', 'bytes=-', 'bytes=a-b']) assert.equal(parseRange(whole, 1000), undefined, whole);
});

test('stored media are served with exact bytes, ranges (under If-Range), HEAD, ETag and immutable caching; no token needed', async (t) => {
  const media = await testMedia(t);
  const app = await gatewayFor(t, undefined, undefined, undefined, {}, { media });
  const bytes = randomBytes(100_000);
  const key = newKey('videos', 'mp4');
  await media.store.put(key, Readable.from([bytes]));

  const whole = await app.inject({ method: 'GET', url: `/media/${key}` });
  assert.equal(whole.statusCode, 200);
  assert.ok(bytes.equals(whole.rawPayload));
  assert.equal(whole.headers['content-type'], 'video/mp4');
  assert.equal(whole.headers['content-length'], String(bytes.length));
  assert.equal(whole.headers['accept-ranges'], 'bytes');
  assert.equal(whole.headers['cache-control'], 'public, max-age=31536000, immutable');
  const etag = String(whole.headers.etag);
  assert.match(etag, /^".+"$/);

  const part = await app.inject({ method: 'GET', url: `/media/${key}`, headers: { range: 'bytes=1000-1999' } });
  assert.equal(part.statusCode, 206);
  assert.equal(part.headers['content-range'], `bytes 1000-1999/${bytes.length}`);
  assert.equal(part.headers['content-length'], '1000');
  assert.ok(bytes.subarray(1000, 2000).equals(part.rawPayload));

  const sameVersion = await app.inject({ method: 'GET', url: `/media/${key}`, headers: { range: 'bytes=1000-1999', 'if-range': etag } });
  assert.equal(sameVersion.statusCode, 206);
  assert.ok(bytes.subarray(1000, 2000).equals(sameVersion.rawPayload));
  for (const validator of ['"another-version"', `W/${etag}`, 'Wed, 21 Oct 2015 07:28:00 GMT']) {
    const otherVersion = await app.inject({ method: 'GET', url: `/media/${key}`, headers: { range: 'bytes=1000-1999', 'if-range': validator } });
    assert.equal(otherVersion.statusCode, 200, validator);
    assert.equal(otherVersion.headers['content-range'], undefined, validator);
    assert.ok(bytes.equals(otherVersion.rawPayload), validator);
  }
  const otherVersionPastTheEnd = await app.inject({ method: 'GET', url: `/media/${key}`, headers: { range: `bytes=${bytes.length}-`, 'if-range': '"another-version"' } });
  assert.equal(otherVersionPastTheEnd.statusCode, 200, 'the Range ignored, so nothing is unsatisfiable');

  const head = await app.inject({ method: 'HEAD', url: `/media/${key}` });
  assert.equal(head.statusCode, 200);
  assert.equal(head.headers['content-length'], String(bytes.length));
  assert.equal(head.rawPayload.length, 0);

  for (const tags of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
    assert.equal((await app.inject({ method: 'GET', url: `/media/${key}`, headers: { 'if-none-match': tags } })).statusCode, 304, tags);
  }
  assert.equal((await app.inject({ method: 'GET', url: `/media/${key}`, headers: { 'if-none-match': '"other"' } })).statusCode, 200);
  const beyond = await app.inject({ method: 'GET', url: `/media/${key}`, headers: { range: `bytes=${bytes.length}-` } });
  assert.equal(beyond.statusCode, 416);
  assert.equal(beyond.headers['content-range'], `bytes */${bytes.length}`);
  assert.equal(beyond.headers['cache-control'], 'no-store');
  assert.equal(beyond.headers.etag, undefined);

  const cover = newKey('covers', 'jpg');
  await media.store.put(cover, Readable.from([Buffer.from([0xff, 0xd8, 0xff])]));
  assert.equal((await app.inject({ method: 'GET', url: `/media/${cover}` })).headers['content-type'], 'image/jpeg');
});

test('unknown or invalid media keys are a plain 404', async (t) => {
  const app = await gatewayFor(t);
  for (const url of [`/media/${newKey('videos', 'mp4')}`, '/media/../../etc/passwd', '/media/videos/x.mp4', '/media/']) {
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 404, url);
    assert.doesNotMatch(res.body, /status_code/);
  }
});

test('a storage failure or an object gone between its stat and its read is answered uncached', async (t) => {
  const media = await testMedia(t);
  const key = newKey('videos', 'mp4');
  await media.store.put(key, Readable.from([randomBytes(1000)]));
  let failRead: 'throw' | 'gone' = 'throw';
  const store = { ...media.store, get: async () => (failRead === 'throw' ? Promise.reject(new Error('storage blip')) : undefined) };
  const app = await gatewayFor(t, undefined, undefined, undefined, {}, { media: { ...media, store } });
  for (const [mode, status] of [['throw', 503], ['gone', 404]] as const) {
    failRead = mode;
    const res = await app.inject({ method: 'GET', url: `/media/${key}` });
    assert.equal(res.statusCode, status);
    assert.equal(res.headers['cache-control'], 'no-store', mode);
    assert.equal(res.headers.etag, undefined, mode);
  }
});

test('a stop cuts a video a paused player holds open instead of waiting for it', { timeout: 30_000 }, async (t) => {
  const open: Socket[] = [];
  t.after(() => open.forEach((socket) => socket.destroy()));
  const media = await testMedia(t);
  const app = await gatewayFor(t, undefined, undefined, undefined, {}, { media });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const large = newKey('videos', 'mp4');
  await media.store.put(large, Readable.from([randomBytes(64 * 1024 * 1024)]));
  const paused = readAnswer(open, base, `/media/${large}`, () => Infinity);
  await until('the paused player to be sent something', () => paused.seen.received > 0);
  const stopped = app.close().then(() => true);
  assert.equal(await Promise.race([stopped, sleep(3_000).then(() => false)]), true, 'the stop waited for the paused player');
  const connections = await new Promise<number>((resolve, reject) => app.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));
  assert.equal(connections, 0);
});

test('a video looked up while the gateway began to stop is refused, not streamed past the cut', { timeout: 30_000 }, async (t) => {
  const open: Socket[] = [];
  t.after(() => open.forEach((socket) => socket.destroy()));
  const media = await testMedia(t);
  let lookedUp!: () => void;
  const lookup = new Promise<void>((resolve) => (lookedUp = resolve));
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const store = { ...media.store, get: async (...args: Parameters<typeof media.store.get>) => (lookedUp(), await released, media.store.get(...args)) };
  const app = await gatewayFor(t, undefined, undefined, undefined, {}, { media: { ...media, store } });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const large = newKey('videos', 'mp4');
  await media.store.put(large, Readable.from([randomBytes(64 * 1024 * 1024)]));
  const paused = readAnswer(open, base, `/media/${large}`, () => Infinity);
  await lookup;
  const stopped = app.close().then(() => true);
  release();
  assert.equal(await Promise.race([stopped, sleep(3_000).then(() => false)]), true, 'the stop waited for a video that began after it');
  await until('the refusal to reach the player', () => paused.seen.received > 0, 2_000);
  assert.equal(paused.seen.statusLine, 'HTTP/1.1 503 Service Unavailable');
});

/**
 * Reads an answer off a raw connection, `pace` deciding how long to pause after each chunk (Infinity: stop reading).
 * The connection joins `open`, for the test to close before the gateway, which would wait for it.
 */
function readAnswer(open: Socket[], base: string, path: string, pace: (received: number) => number) {
  const socket = connect(Number(new URL(base).port), '127.0.0.1');
  open.push(socket);
  const seen = { received: 0, closed: false, statusLine: '' };
  socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`);
  socket.on('data', (chunk: Buffer) => {
    if (seen.received === 0) seen.statusLine = chunk.toString('latin1').split('\r\n')[0] ?? '';
    seen.received += chunk.length;
    const pause = pace(seen.received);
    if (pause === 0) return;
    socket.pause();
    if (pause !== Infinity) setTimeout(() => socket.resume(), pause);
  });
  socket.on('close', () => (seen.closed = true)).on('error', () => undefined);
  return { socket, seen };
}

test('a phone that stops reading a video loses its connection once nothing moved for the idle timeout; one reading slowly keeps it', { timeout: 30_000 }, async (t) => {
  const open: Socket[] = [];
  t.after(() => open.forEach((socket) => socket.destroy()));
  const media = await testMedia(t);
  const app = await gatewayFor(t, undefined, undefined, undefined, {}, { media }, {}, { idleTimeoutMs: 1_000 });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  const large = newKey('videos', 'mp4');
  await media.store.put(large, Readable.from([randomBytes(64 * 1024 * 1024)]));
  const connections = () => new Promise<number>((resolve, reject) => app.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));

  const stopped = readAnswer(open, base, `/media/${large}`, () => Infinity);
  await until('the stopped reader to be sent something', () => stopped.seen.received > 0);
  await until('the gateway to close the connection nobody reads', async () => (await connections()) === 0, 10_000);
  assert.match(await metricsFor('gateway').exposition(), /^douyin_gateway_connections_cut_total\{reason="idle"\} [1-9]/m);

  const small = newKey('videos', 'mp4');
  const bytes = randomBytes(2 * 1024 * 1024);
  await media.store.put(small, Readable.from([bytes]));
  // Pauses of 300 ms, a third of the idle timeout: the answer takes a few seconds in all, longer than the timeout.
  const slow = readAnswer(open, base, `/media/${small}`, () => 300);
  await until('the slow reader to have it all', () => slow.seen.received > bytes.length, 20_000);
  assert.equal(slow.seen.closed, false);
});

import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { newKey } from '@douyin/storage';
import { gatewayFor } from '../../test/harness.js';
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

test('stored media are served with exact bytes, ranges, HEAD, ETag and immutable caching; no token needed', async (t) => {
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

import { randomBytes } from 'node:crypto';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createS3Store, newKey, storageUnavailable, type S3StoreConfig } from '@douyin/storage';
import { freePort, startS3 } from '@douyin/testing';
import { failingBody, storeContract } from '../test/store-contract.js';

const chunksOf = (bytes: Buffer, size: number) => Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));

const MiB = 1024 * 1024;

async function s3Config(t: { after(fn: () => unknown): void }, extra: Partial<S3StoreConfig> = {}): Promise<S3StoreConfig> {
  const s3 = await startS3(t);
  return { ...s3, region: 'us-east-1', partSize: 5 * MiB, stallMs: 15_000, ...extra };
}

// s3rver speaks the real S3 protocol (signatures, XML errors, ranges, presigned URLs): no mock in between.
storeContract('s3', async (t) => {
  const store = createS3Store(await s3Config(t));
  await store.prepare();
  return store;
});

test('s3: prepare creates a missing bucket', async (t) => {
  const store = createS3Store({ ...(await s3Config(t)), bucket: 'fresh-bucket' });
  await store.prepare();
  await store.prepare();
  const key = newKey('videos', 'mp4');
  await store.put(key, Readable.from([Buffer.from('x')]));
  assert.equal((await store.stat(key))?.size, 1);
});

test('s3: replicas preparing a missing bucket at once all succeed', async (t) => {
  const config = { ...(await s3Config(t)), bucket: 'raced-bucket' };
  const stores = Array.from({ length: 4 }, () => createS3Store(config));
  await Promise.all(stores.map((store) => store.prepare()));
});

test('s3: a presigned URL serves the object without credentials, signed for the public endpoint', async (t) => {
  const config = await s3Config(t);
  const store = createS3Store(config);
  const bytes = randomBytes(50_000);
  const key = newKey('videos', 'mp4');
  await store.put(key, Readable.from([bytes]));
  const url = await store.presignGet(key, 3600);
  assert.ok(url?.startsWith(`${config.endpoint}/${config.bucket}/${key}?`), url);
  const res = await fetch(url!);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'video/mp4');
  // Objects are immutable (contract §7): a phone or a CDN may keep what it fetched through a presigned URL for good.
  assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.ok(bytes.equals(Buffer.from(await res.arrayBuffer())));
  const ranged = await fetch(url!, { headers: { range: 'bytes=10-19' } });
  assert.equal(ranged.status, 206);
  assert.ok(bytes.subarray(10, 20).equals(Buffer.from(await ranged.arrayBuffer())));

  // Signed as of an earlier moment, a URL is the same for everyone who signs it so, and valid until that moment's TTL.
  const anHourAgo = new Date(Date.now() - 3600_000);
  const earlier = await store.presignGet(key, 2 * 3600, anHourAgo);
  assert.equal(await store.presignGet(key, 2 * 3600, anHourAgo), earlier);
  assert.notEqual(earlier, url);
  assert.equal((await fetch(earlier!).then(async (r) => [r.status, await r.arrayBuffer()]))[0], 200);
  const expired = await store.presignGet(key, 1800, anHourAgo);
  assert.equal((await fetch(expired!).then(async (r) => [r.status, await r.arrayBuffer()]))[0], 403, 'a URL past its TTL is refused');

  const publicStore = createS3Store({ ...config, publicEndpoint: 'https://media.example.com' });
  assert.match((await publicStore.presignGet(key, 3600))!, /^https:\/\/media\.example\.com\/douyin-test\/videos\/.+X-Amz-Signature=/);
});

test('s3: a moved object is served with the Content-Type of its new key and for good, copied server-side', async (t) => {
  const store = createS3Store(await s3Config(t));
  await store.prepare();
  const [staged, video] = [newKey('staging'), newKey('videos', 'mp4')];
  await store.put(staged, Readable.from([randomBytes(1000)]));
  await store.move(staged, video);
  const res = await fetch((await store.presignGet(video, 60))!);
  assert.equal(res.headers.get('content-type'), 'video/mp4', 'not the octet-stream the staged upload was stored as');
  assert.equal(res.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  await res.arrayBuffer();
});

/** An S3 endpoint in front of `s3` that refuses every DELETE with a 503, as a MinIO under load may. */
async function refusingDeletes(t: { after(fn: () => unknown): void }, s3: string): Promise<string> {
  const target = new URL(s3);
  const server = createServer((req, res) => {
    if (req.method === 'DELETE') {
      req.resume();
      res.writeHead(503, { 'content-type': 'application/xml' }).end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>busy</Message></Error>');
      return;
    }
    const upstream = request({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

test('s3: a move whose source could not be deleted after the copy still succeeds, its copy in place', async (t) => {
  const config = await s3Config(t);
  const direct = createS3Store(config);
  const store = createS3Store({ ...config, endpoint: await refusingDeletes(t, config.endpoint) });
  const bytes = randomBytes(1000);
  const [staged, video] = [newKey('staging'), newKey('videos', 'mp4')];
  await store.put(staged, Readable.from([bytes]));
  const moved = await store.move(staged, video);
  assert.equal(moved.size, bytes.length);
  assert.ok(bytes.equals(await buffer((await direct.get(video))!)));
  assert.ok(await direct.stat(staged), 'the source stays, for the staging sweep');
});

// s3rver implements the multipart calls this store makes (initiate, upload part, complete, abort); what it lacks is
// listing incomplete uploads, which the minio client's own putObject needs for streams of unknown size.
test('s3: an object larger than one part goes up as a multipart upload and reads back intact', async (t) => {
  const store = createS3Store(await s3Config(t));
  const key = newKey('videos', 'mp4');
  const bytes = randomBytes(11 * MiB + 123);
  const info = await store.put(key, Readable.from(chunksOf(bytes, 64 * 1024)));
  assert.equal(info.size, bytes.length);
  assert.ok(bytes.equals(await buffer((await store.get(key))!)));
  const across = await buffer((await store.get(key, { start: 5 * MiB - 2, end: 5 * MiB + 1 }))!);
  assert.ok(bytes.subarray(5 * MiB - 2, 5 * MiB + 2).equals(across));
});

test('s3: a body that fails after the first part aborts the multipart upload and leaves nothing', async (t) => {
  const store = createS3Store(await s3Config(t));
  const key = newKey('staging');
  await assert.rejects(store.put(key, failingBody(randomBytes(12 * MiB))), /client hung up/);
  assert.equal(await store.stat(key), undefined);
});

test('s3: an unreachable server is storage_unavailable', async (t) => {
  const port = await freePort();
  const store = createS3Store({ ...(await s3Config(t)), endpoint: `http://127.0.0.1:${port}` });
  const calls = [() => store.put(newKey('staging'), Readable.from([Buffer.from('x')])), () => store.stat(newKey('staging')), () => store.prepare()];
  for (const call of calls) await assert.rejects(call(), (err: unknown) => storageUnavailable.isDown(err));
});

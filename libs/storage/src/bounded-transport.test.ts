import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { buffer } from 'node:stream/consumers';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createS3Store, newKey, StorageTimeoutError, storageUnavailable, type ObjectStore, type S3StoreConfig, type S3StoreOptions } from '@douyin/storage';
import { boundedTransport, type RequestBounds } from './bounded-transport.js';
import { startPartitionProxy, startS3, until, type PartitionProxy } from '@douyin/testing';

type T = { after(fn: () => unknown): void };

const STALL_MS = 600;

/** A store whose every request crosses a proxy that can be cut, beside one that talks to the same server directly. */
async function storeBehindProxy(t: T, options: S3StoreOptions = {}, stallMs = STALL_MS): Promise<{ store: ObjectStore; direct: ObjectStore; proxy: PartitionProxy }> {
  const s3 = await startS3(t);
  const config: S3StoreConfig = { ...s3, region: 'us-east-1', partSize: 5 * 1024 * 1024, stallMs };
  const proxy = await startPartitionProxy(t, s3.endpoint, 80);
  const store = createS3Store({ ...config, endpoint: proxy.url.replace(/\/$/, '') }, options);
  return { store, direct: createS3Store(config), proxy };
}

/** Rejects as a store that was given up on, with `code`, and not long after `withinMs`. */
async function givenUp(call: Promise<unknown>, code: StorageTimeoutError['code'], withinMs: number): Promise<void> {
  const started = Date.now();
  await assert.rejects(call, (err: unknown) => {
    assert.ok(storageUnavailable.isDown(err), `storage unavailable, not ${String(err)}`);
    assert.equal(timeoutIn(err)?.code, code);
    return true;
  });
  const took = Date.now() - started;
  assert.ok(took < withinMs + 2_000, `given up after ${took} ms, bound ${withinMs} ms`);
}

function timeoutIn(err: unknown): StorageTimeoutError | undefined {
  for (let e = err; e instanceof Error; e = e.cause) if (e instanceof StorageTimeoutError) return e;
  return undefined;
}

const body = (bytes: Buffer) => Readable.from([bytes]);

/** An HTTP server on loopback answering every request with `answer`. */
async function serve(t: T, answer: (res: ServerResponse) => void): Promise<number> {
  const server = createServer((_req, res) => answer(res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => (server.closeAllConnections(), server.close()));
  return (server.address() as AddressInfo).port;
}

/** A GET through the bounded transport, resolved with its answer once the headers are in. */
const get = (port: number, bounds: RequestBounds) =>
  new Promise<IncomingMessage>((resolve, reject) => {
    boundedTransport('http:', bounds).request({ host: '127.0.0.1', port, path: '/', method: 'GET' }, resolve).on('error', reject).end();
  });

/** A TCP proxy to `targetUrl` that takes its clients' bytes at `bytesPerSecond`: a slow or busy link to the store. */
async function throttledProxy(t: T, targetUrl: string, bytesPerSecond: number): Promise<string> {
  const target = new URL(targetUrl);
  const server = createNetServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    const close = () => (client.destroy(), upstream.destroy());
    upstream.pipe(client);
    client.on('data', (chunk: Buffer) => {
      client.pause();
      upstream.write(chunk);
      setTimeout(() => client.resume(), (chunk.length / bytesPerSecond) * 1000);
    });
    client.on('end', () => upstream.end());
    for (const socket of [client, upstream]) socket.on('error', close).on('close', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// A reset sent during a partition is lost with it, and what the reset connection held goes nowhere after the heal: the
// proxy, which still hears the reset, drops what it held only once it has, so a test heals after that.
const healOnceReset = async (proxy: PartitionProxy, resets: number) => {
  await until(`${resets} connections reset`, () => proxy.resets() >= resets);
  proxy.heal();
};

test('a silent store fails each call once nothing moved for the stall bound, and serves again once reached', { timeout: 20_000 }, async (t) => {
  const { store, proxy } = await storeBehindProxy(t);
  const key = newKey('videos', 'mp4');
  await store.put(key, body(randomBytes(1000)));
  proxy.cut();
  await givenUp(store.stat(key), 'STORAGE_STALLED', STALL_MS);
  await givenUp(store.put(newKey('staging'), body(randomBytes(1000))), 'STORAGE_STALLED', STALL_MS);
  await givenUp(store.move(key, newKey('videos', 'mp4')), 'STORAGE_STALLED', STALL_MS);
  await givenUp(store.delete(key), 'STORAGE_STALLED', STALL_MS);
  await healOnceReset(proxy, 4);
  assert.equal((await store.stat(key))?.size, 1000, 'the same store works again, with no restart');
});

test('a write given up on is never carried out by a store reached again', { timeout: 20_000 }, async (t) => {
  const { store, direct, proxy } = await storeBehindProxy(t);
  await store.stat(newKey('staging')); // a kept-alive connection, as a busy service has
  proxy.cut();
  const key = newKey('staging');
  await givenUp(store.put(key, body(randomBytes(5000))), 'STORAGE_STALLED', STALL_MS);
  await healOnceReset(proxy, 1);
  await sleep(300);
  assert.equal(await direct.stat(key), undefined, 'the held PUT was reset, not delivered late');
});

test('a call past its deadline sends nothing more, and one running at it is given up then, not at the stall bound', { timeout: 20_000 }, async (t) => {
  let deadline: number | undefined;
  const { store, direct, proxy } = await storeBehindProxy(t, { deadline: () => deadline }, 30_000);
  const key = newKey('videos', 'mp4');
  await direct.put(key, body(randomBytes(100)));

  deadline = Date.now() - 1;
  const late = newKey('staging');
  await givenUp(store.put(late, body(randomBytes(100))), 'STORAGE_DEADLINE_EXCEEDED', 0);
  assert.equal(await direct.stat(late), undefined);
  await store.delete(key); // cleanup after a deadline is what deletes are for
  assert.equal(await direct.stat(key), undefined);

  await direct.put(key, body(randomBytes(100)));
  proxy.cut();
  deadline = Date.now() + 400;
  await givenUp(store.stat(key), 'STORAGE_DEADLINE_EXCEEDED', 400);
  await healOnceReset(proxy, 1);
  deadline = undefined;
  assert.equal((await store.stat(key))?.size, 100);
});

test('a reader that is slow is not a stall', { timeout: 20_000 }, async (t) => {
  const { store } = await storeBehindProxy(t);
  const key = newKey('videos', 'mp4');
  const bytes = randomBytes(4 * 1024 * 1024);
  await store.put(key, body(bytes));
  const chunks: Buffer[] = [];
  for await (const chunk of (await store.get(key))!) {
    chunks.push(chunk as Buffer);
    if (chunks.length === 1) await sleep(STALL_MS * 3); // the store waits on this reader, not the other way round
  }
  assert.ok(bytes.equals(Buffer.concat(chunks)));
});

test('an answer wholly received is not cut however slowly its reader drains it', { timeout: 20_000 }, async (t) => {
  // The answer's last bytes, then its end a moment later: the end reaches a reader that paused for a slow phone.
  const bytes = randomBytes(1000);
  const port = await serve(t, (res) => {
    res.write(bytes);
    setTimeout(() => res.end(), 100);
  });
  const taken: Buffer[] = [];
  const phone = new Writable({
    highWaterMark: 1,
    write: (chunk: Buffer, _encoding, done) => void (taken.push(chunk), setTimeout(done, STALL_MS * 3)),
  });
  await pipeline(await get(port, { stallMs: STALL_MS }), phone);
  assert.ok(bytes.equals(Buffer.concat(taken)));
});

test('a part that takes longer than the stall bound to send is not a stall while its bytes keep going', { timeout: 60_000 }, async (t) => {
  const s3 = await startS3(t);
  // 16 MiB at 4 MiB/s: more than the kernel's buffers take at once, and about four seconds to send.
  const stallMs = 2_500;
  const slowLink = await throttledProxy(t, s3.endpoint, 4 * 1024 * 1024);
  const partSize = 16 * 1024 * 1024;
  const store = createS3Store({ ...s3, endpoint: slowLink, region: 'us-east-1', partSize, stallMs });
  const bytes = randomBytes(partSize);
  const key = newKey('videos', 'mp4');
  const started = Date.now();
  await store.put(key, body(bytes)); // one PUT of one part, which minio writes whole
  assert.ok(Date.now() - started > stallMs, 'the part took longer than the stall bound');
  assert.equal((await store.stat(key))?.size, bytes.length);
});

test('an answer that stops coming mid-body fails its reader at the stall bound', { timeout: 20_000 }, async (t) => {
  // Headers and the first bytes, then silence: what a store that froze while sending looks like to its reader.
  const port = await serve(t, (res) => {
    res.writeHead(200, { 'content-length': 1_000_000 });
    res.write(Buffer.alloc(1000));
  });
  await givenUp(buffer(await get(port, { stallMs: STALL_MS })), 'STORAGE_STALLED', STALL_MS);
});

import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ObjectNotFoundError, newKey, type ObjectStore } from '../src/index.js';

type After = { after(fn: () => unknown): void };

/** A body that delivers `bytes` in small chunks, then fails instead of ending: a client that hung up. */
export function failingBody(bytes: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(bytes);
        return;
      }
      this.destroy(new Error('client hung up'));
    },
  });
}

/** The behaviour every backend must share, run against each one. */
export function storeContract(name: string, open: (t: After) => Promise<ObjectStore>): void {
  test(`${name}: put streams a body in and get returns it byte for byte, whole or by range`, async (t) => {
    const store = await open(t);
    const bytes = randomBytes(300_000);
    const key = newKey('videos', 'mp4');
    const info = await store.put(key, Readable.from([bytes.subarray(0, 1000), bytes.subarray(1000)]));
    assert.equal(info.size, bytes.length);
    assert.equal(info.contentType, 'video/mp4');
    assert.match(info.etag, /^".+"$/);
    assert.deepEqual(await store.stat(key), info);
    assert.ok(bytes.equals(await buffer((await store.get(key))!)));
    const part = await buffer((await store.get(key, { start: 100, end: 199 }))!);
    assert.ok(bytes.subarray(100, 200).equals(part));
    const tail = await buffer((await store.get(key, { start: bytes.length - 1, end: bytes.length - 1 }))!);
    assert.deepEqual([...tail], [bytes[bytes.length - 1]]);
  });

  test(`${name}: an empty body is an empty object; keys without a known extension are octet-stream`, async (t) => {
    const store = await open(t);
    const key = newKey('staging');
    const info = await store.put(key, Readable.from([]));
    assert.equal(info.size, 0);
    assert.equal(info.contentType, 'application/octet-stream');
    assert.equal((await buffer((await store.get(key))!)).length, 0);
  });

  test(`${name}: missing objects are undefined and deleting is idempotent`, async (t) => {
    const store = await open(t);
    const key = newKey('covers', 'jpg');
    assert.equal(await store.stat(key), undefined);
    assert.equal(await store.get(key), undefined);
    await store.put(key, Readable.from([Buffer.from([0xff, 0xd8])]));
    assert.equal((await store.stat(key))?.contentType, 'image/jpeg');
    await store.delete(key);
    await store.delete(key);
    assert.equal(await store.stat(key), undefined);
  });

  test(`${name}: a body that fails leaves nothing behind and its own error comes back`, async (t) => {
    const store = await open(t);
    const key = newKey('staging');
    await assert.rejects(store.put(key, failingBody(randomBytes(10_000))), /client hung up/);
    assert.equal(await store.stat(key), undefined);
  });

  test(`${name}: move renames an object, takes the Content-Type of its new key, and leaves nothing under the old one`, async (t) => {
    const store = await open(t);
    const [from, to] = [newKey('staging'), newKey('videos', 'mp4')];
    const bytes = randomBytes(64 * 1024);
    await store.put(from, Readable.from([bytes]));
    const info = await store.move(from, to);
    assert.deepEqual([info.size, info.contentType], [bytes.length, 'video/mp4']);
    assert.deepEqual(await buffer((await store.get(to))!), bytes);
    assert.equal(await store.stat(from), undefined);
    await assert.rejects(store.move(from, newKey('videos', 'mp4')), ObjectNotFoundError);
    await assert.rejects(store.move(to, '../escape'), /invalid object key/);
  });

  test(`${name}: keys that were not made by newKey are refused`, async (t) => {
    const store = await open(t);
    for (const bad of ['../etc/passwd', 'videos/../../x', '/abs/path', 'videos/not-a-uuid.mp4', 'VIDEOS/x', '']) {
      await assert.rejects(store.stat(bad), /invalid object key/, bad);
      await assert.rejects(store.put(bad, Readable.from([Buffer.from('x')])), /invalid object key/, bad);
    }
    for (const bad of ['..', '', 'staging/', 'Staging']) await assert.rejects(store.removeOlderThan(bad, new Date()), /invalid object key/, bad);
  });

  test(`${name}: removeOlderThan deletes the objects under its prefix written before the time, and only those`, async (t) => {
    const store = await open(t);
    const body = () => Readable.from([Buffer.from('x')]);
    const [staged, kept] = [newKey('staging'), newKey('videos', 'mp4')];
    await store.put(staged, body());
    await store.put(kept, body());
    assert.equal(await store.removeOlderThan('staging', new Date(Date.now() - 60_000)), 0, 'written since then');
    assert.ok(await store.stat(staged));
    assert.equal(await store.removeOlderThan('staging', new Date(Date.now() + 60_000)), 1);
    assert.equal(await store.stat(staged), undefined);
    assert.ok(await store.stat(kept), 'another prefix is left alone');
    assert.equal(await store.removeOlderThan('covers', new Date(Date.now() + 60_000)), 0, 'a prefix nothing was written under');
  });
}

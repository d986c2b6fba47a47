import { createReadStream, readlinkSync } from 'node:fs';
import { mkdtemp, open, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { StorageUnavailableError, createDiskStore, newKey } from '@douyin/storage';
import { failingBody, storeContract } from '../test/store-contract.js';

async function tempRoot(t: { after(fn: () => unknown): void }): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'douyin-disk-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  return root;
}

storeContract('disk', async (t) => {
  const store = createDiskStore({ root: await tempRoot(t) });
  await store.prepare();
  return store;
});

test('disk: a failed body leaves no partial file anywhere under the root', async (t) => {
  const root = await tempRoot(t);
  const store = createDiskStore({ root });
  await store.prepare();
  await assert.rejects(store.put(newKey('staging'), failingBody(randomBytes(200_000))), /client hung up/);
  assert.deepEqual(await readdir(join(root, '.partial')), []);
  assert.deepEqual((await readdir(root)).filter((name) => name !== '.partial' && name !== 'staging'), []);
  assert.deepEqual(await readdir(join(root, 'staging')).catch(() => []), []);
});

test('disk: a full disk is the store failing, not the body: a typed outage, and no partial file left', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'douyin-full-'));
  try {
    await promisify(execFile)('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', root]);
  } catch (err) {
    await rm(root, { recursive: true });
    return t.skip(`mounting a small disk needs root: ${(err as Error).message}`);
  }
  t.after(async () => {
    await promisify(execFile)('umount', [root]);
    await rm(root, { recursive: true });
  });
  const store = createDiskStore({ root });
  await store.prepare();
  // An upload still arriving when the disk fills: 1 MiB in 64 KiB chunks.
  const arriving = Readable.from(
    (async function* () {
      for (let i = 0; i < 16; i++) {
        yield randomBytes(64 * 1024);
        await new Promise((resolve) => setImmediate(resolve));
      }
    })(),
  );
  await assert.rejects(store.put(newKey('staging'), arriving), StorageUnavailableError);
  assert.deepEqual(await readdir(join(root, '.partial')), []);
});

test('disk: a write whose folder cannot be made is the store failing, and closes the body it was given', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'douyin-blocked-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const store = createDiskStore({ root });
  await store.prepare();
  await writeFile(join(root, 'covers'), 'a file where the folder of covers should be');
  const source = join(root, 'cover.jpg');
  await writeFile(source, randomBytes(1000));
  const body = createReadStream(source);
  await assert.rejects(store.put(newKey('covers', 'jpg'), body), StorageUnavailableError);
  assert.equal(body.destroyed, true);
});

test('disk: objects live under their key inside the root, nowhere else', async (t) => {
  const root = await tempRoot(t);
  const store = createDiskStore({ root });
  const key = newKey('covers', 'jpg');
  await store.put(key, Readable.from([Buffer.from('jpeg')]));
  assert.deepEqual(await readdir(join(root, 'covers')), [key.slice('covers/'.length)]);
  assert.equal(await store.presignGet(key, 3600), undefined);
});

test('disk: localPath is the file holding the object, inside the root', async (t) => {
  const root = await tempRoot(t);
  const store = createDiskStore({ root });
  const key = newKey('staging');
  await store.put(key, Readable.from([Buffer.from('bytes')]));
  const path = store.localPath(key) ?? '';
  assert.ok(path.startsWith(root), path);
  assert.equal(await readFile(path, 'utf8'), 'bytes');
  assert.throws(() => store.localPath('../etc/passwd'), /invalid object key/);
});

test('disk: removeOlderThan deletes partial files a killed write left, not those still being written', async (t) => {
  const root = await tempRoot(t);
  const store = createDiskStore({ root });
  await store.prepare();
  const [abandoned, writing] = [join(root, '.partial', 'abandoned'), join(root, '.partial', 'writing')];
  await writeFile(abandoned, 'half an upload');
  await writeFile(writing, 'still arriving');
  const hourAgo = new Date(Date.now() - 3_600_000);
  await utimes(abandoned, hourAgo, hourAgo);
  assert.equal(await store.removeOlderThan('staging', new Date(Date.now() - 60_000)), 1);
  assert.deepEqual(await readdir(join(root, '.partial')), ['writing']);
});

/** Records the path of every file or folder whose writes are flushed to the disk, in order. */
async function watchSyncs(t: { mock: { method: typeof import('node:test').mock.method } }, root: string): Promise<string[]> {
  const probe = await open(root, 'r');
  const fileHandle = Object.getPrototypeOf(probe) as { sync(): Promise<void> };
  await probe.close();
  const synced: string[] = [];
  const sync = fileHandle.sync;
  t.mock.method(fileHandle, 'sync', function (this: { fd: number }) {
    synced.push(readlinkSync(`/proc/self/fd/${this.fd}`));
    return sync.call(this);
  });
  return synced;
}

test('disk: a put reaches the disk before it answers: the data before its rename, then the folder the rename changed', async (t) => {
  const root = await tempRoot(t);
  const store = createDiskStore({ root });
  await store.prepare();
  const synced = await watchSyncs(t, root);
  const key = newKey('videos', 'mp4');
  await store.put(key, Readable.from([randomBytes(1000)]));
  assert.equal(synced.length, 2);
  assert.equal(dirname(synced[0]!), join(root, '.partial'));
  assert.equal(synced[1], dirname(store.localPath(key)!));
});

test('disk: a move reaches the disk before it answers: the folder it renamed into', async (t) => {
  const root = await tempRoot(t);
  const store = createDiskStore({ root });
  await store.prepare();
  const staged = newKey('staging', 'mp4');
  await store.put(staged, Readable.from([randomBytes(1000)]));
  const synced = await watchSyncs(t, root);
  const key = newKey('videos', 'mp4');
  await store.move(staged, key);
  assert.deepEqual(synced, [dirname(store.localPath(key)!)]);
});

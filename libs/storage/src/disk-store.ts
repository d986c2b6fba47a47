import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { assertValidKey, assertValidPrefix, contentTypeOf, isValidKey, ObjectNotFoundError, StorageUnavailableError, type ObjectInfo, type ObjectStore } from './object-store.js';

// Bodies are written here first and renamed into place, so a half-written object is never visible under its key.
const PARTIAL_DIR = '.partial';

const isMissing = (err: unknown) => (err as { code?: unknown }).code === 'ENOENT';

/**
 * Flushes a file's or a folder's writes to the disk. A rename is durable only once its folder is, and it may reach the
 * disk before the renamed file's data does: without both, a power cut after a publish committed could leave its video
 * empty, or gone, under the key the database holds.
 */
async function syncToDisk(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function unavailable(action: string, key: string, err: unknown): StorageUnavailableError {
  return new StorageUnavailableError(`disk store could not ${action} ${key}`, { cause: err });
}

/** Objects as files under `root` (embedded mode); the gateway serves them over HTTP itself. */
export function createDiskStore({ root }: { root: string }): ObjectStore {
  const pathOf = (key: string) => {
    assertValidKey(key);
    return join(root, key);
  };

  async function statOf(key: string): Promise<ObjectInfo | undefined> {
    const path = pathOf(key);
    try {
      const s = await stat(path);
      // Keys are never rewritten, so size and write time identify the content of this file.
      return { size: s.size, etag: `"${s.size.toString(16)}-${Math.floor(s.mtimeMs).toString(16)}"`, contentType: contentTypeOf(key) };
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw unavailable('stat', key, err);
    }
  }

  return {
    kind: 'disk',

    async prepare() {
      await mkdir(join(root, PARTIAL_DIR), { recursive: true });
    },

    async put(key: string, body: Readable) {
      const target = pathOf(key);
      const partial = join(root, PARTIAL_DIR, randomUUID());
      // Whichever side failed first is the cause: the pipeline then fails the other side with the same error, so a
      // full disk would otherwise read as a broken body (the client's fault), and a broken body as a disk failure.
      let firstFailure: { of: 'body' | 'file'; err: unknown } | undefined;
      body.once('error', (err) => (firstFailure ??= { of: 'body', err }));
      try {
        await mkdir(dirname(partial), { recursive: true });
        await mkdir(dirname(target), { recursive: true });
        const file = createWriteStream(partial, { flags: 'wx' });
        file.once('error', (err) => (firstFailure ??= { of: 'file', err }));
        await pipeline(body, file);
        await syncToDisk(partial);
        await rename(partial, target);
        await syncToDisk(dirname(target));
      } catch (err) {
        // A failure before the pipeline took the body (its folder could not be made) would leave it open: a file's
        // descriptor held until the process ends.
        body.destroy();
        await rm(partial, { force: true });
        throw firstFailure?.of === 'body' ? firstFailure.err : unavailable('write', key, err);
      }
      const info = await statOf(key);
      if (!info) throw unavailable('find the written object', key, new Error('vanished after rename'));
      return info;
    },

    stat: statOf,

    async get(key, range) {
      let handle;
      try {
        handle = await open(pathOf(key), 'r');
      } catch (err) {
        if (isMissing(err)) return undefined;
        throw unavailable('read', key, err);
      }
      return handle.createReadStream(range ? { start: range.start, end: range.end } : {});
    },

    async delete(key) {
      try {
        await rm(pathOf(key), { force: true });
      } catch (err) {
        throw unavailable('delete', key, err);
      }
    },

    async presignGet() {
      return undefined;
    },

    async move(from, to) {
      const target = pathOf(to);
      try {
        await mkdir(dirname(target), { recursive: true });
        await rename(pathOf(from), target);
        await syncToDisk(dirname(target));
      } catch (err) {
        if (isMissing(err)) throw new ObjectNotFoundError(from);
        throw unavailable('move', `${from} to ${to}`, err);
      }
      const info = await statOf(to);
      if (!info) throw unavailable('find the moved object', to, new Error('vanished after rename'));
      return info;
    },

    localPath: pathOf,

    async removeOlderThan(prefix, before) {
      assertValidPrefix(prefix);
      const objects = (await namesIn(join(root, prefix))).filter((name) => isValidKey(`${prefix}/${name}`));
      // A write in progress appends to its partial file, which keeps its time recent: an old one was abandoned.
      const partials = await namesIn(join(root, PARTIAL_DIR));
      const stale = [...objects.map((name) => join(root, prefix, name)), ...partials.map((name) => join(root, PARTIAL_DIR, name))];
      let removed = 0;
      for (const path of stale) {
        try {
          if ((await stat(path)).mtimeMs >= before.getTime()) continue;
          await rm(path, { force: true });
          removed += 1;
        } catch (err) {
          if (!isMissing(err)) throw unavailable('remove old objects under', prefix, err);
        }
      }
      return removed;
    },
  };
}

async function namesIn(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (err) {
    if (isMissing(err)) return [];
    throw new StorageUnavailableError(`disk store could not list ${dir}`, { cause: err });
  }
}

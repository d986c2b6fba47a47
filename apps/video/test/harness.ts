import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { createCache } from '@douyin/cache';
import { createCallerFactory } from '@douyin/contracts';
import { createDb, migrateToLatest } from '@douyin/db';
import { createDiskStore, newKey, type ObjectStore } from '@douyin/storage';
import { silentLogger } from '@douyin/telemetry';
import { fakeUserLookup, freshDatabase, sharedRedisUrl, type DatabaseMode } from '@douyin/testing';
import { createRouter, type VideoDeps } from '../src/router.js';
import type { VideoTables } from '../src/tables.js';

type After = { after(fn: () => unknown): void };

export const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));
/** The users the tests publish as; any other author id is one nobody has. */
export const AUTHORS = Array.from({ length: 30 }, (_, i) => i + 1);
export const MEDIA_TOOLS = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe', timeoutMs: 20_000 };

/** A migrated, empty video schema on the given dialect, destroyed after the test. */
export async function freshSchema(t: After, mode: DatabaseMode): Promise<Kysely<VideoTables>> {
  const database = await freshDatabase(t, mode);
  const db = createDb<VideoTables>({ ...database, name: 'video' });
  t.after(() => db.destroy());
  await migrateToLatest(db, { folder: MIGRATIONS, service: 'video' });
  return db;
}

async function tempDir(t: After, prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Everything a video router needs, on a fresh schema, a temp disk store, a temp work dir and a cache (on the shared
 * Redis under a fresh prefix when REDIS_URL is set, else the pass-through).
 */
export async function videoDeps(t: After, mode: DatabaseMode, overrides: Partial<VideoDeps> = {}): Promise<VideoDeps & { storeRoot: string; workDir: string }> {
  const storeRoot = await tempDir(t, 'douyin-store-');
  const workDir = await tempDir(t, 'douyin-work-');
  const store = createDiskStore({ root: storeRoot });
  await store.prepare();
  const cache = await createCache({ url: sharedRedisUrl(), ttlSeconds: 10 }, { prefix: `test-video-${randomBytes(4).toString('hex')}`, logger: silentLogger() });
  t.after(() => cache.close());
  const { user } = fakeUserLookup(AUTHORS);
  const deps = { db: await freshSchema(t, mode), store, cache, media: MEDIA_TOOLS, workDir, logger: silentLogger(), now: Date.now, user, ...overrides };
  return { ...deps, storeRoot, workDir };
}

/** Stages an upload the way the gateway does: bytes under a fresh staging key. */
export async function stage(store: Pick<ObjectStore, 'put'>, bytes: Buffer): Promise<string> {
  const key = newKey('staging');
  await store.put(key, Readable.from([bytes]));
  return key;
}

/** Calls the router in-process, as the mesh server would, with a generous deadline. */
export function callerFor(router: ReturnType<typeof createRouter>) {
  return createCallerFactory(router)({ requestId: 'test', deadline: Date.now() + 60_000 });
}

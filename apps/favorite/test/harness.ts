import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { createCache } from '@douyin/cache';
import { createCallerFactory } from '@douyin/contracts';
import { createDb, migrateToLatest } from '@douyin/db';
import { silentLogger } from '@douyin/telemetry';
import { freshDatabase, sharedRedisUrl, type DatabaseMode } from '@douyin/testing';
import { createRouter } from '../src/router.js';
import type { FavoriteTables } from '../src/tables.js';

// The shared Redis when REDIS_URL is set (CI requires it), else a cache that reads the database only.
const SHARED_REDIS = sharedRedisUrl();

export const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

/** A migrated, empty favorite schema on the given dialect, destroyed after the test. */
export async function freshSchema(t: { after(fn: () => unknown): void }, mode: DatabaseMode): Promise<Kysely<FavoriteTables>> {
  const database = await freshDatabase(t, mode);
  const db = createDb<FavoriteTables>({ ...database, name: 'favorite', poolSize: 20 });
  t.after(() => db.destroy());
  await migrateToLatest(db, { folder: MIGRATIONS, service: 'favorite' });
  return db;
}

/** Calls the router in-process, as the mesh server would, with a generous deadline. */
export function callerFor(router: ReturnType<typeof createRouter>) {
  return createCallerFactory(router)({ requestId: 'test', deadline: Date.now() + 60_000 });
}

/**
 * A cache on the shared Redis under a fresh prefix, or none without a URL. Its TTL is short, so what a test leaves
 * in the shared Redis expires on its own within a minute and a half (entries after 10 s, tombstones after 100 s).
 */
export async function cacheFor(t: { after(fn: () => unknown): void }, { redis = true } = {}) {
  const prefix = `test-favorite-${randomBytes(4).toString('hex')}`;
  const cache = await createCache({ url: redis ? SHARED_REDIS : undefined, ttlSeconds: 10 }, { prefix, logger: silentLogger() });
  t.after(() => cache.close());
  return cache;
}

import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { createCache } from '@douyin/cache';
import { createCallerFactory } from '@douyin/contracts';
import { createDb, migrateToLatest } from '@douyin/db';
import { silentLogger } from '@douyin/telemetry';
import { freshDatabase, sharedRedisUrl, type DatabaseMode } from '@douyin/testing';
import { createRouter } from '../src/router.js';
import type { RelationTables } from '../src/tables.js';

export const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

/** A migrated, empty relation schema on the given dialect, destroyed after the test. */
export async function freshSchema(t: { after(fn: () => unknown): void }, mode: DatabaseMode): Promise<Kysely<RelationTables>> {
  const database = await freshDatabase(t, mode);
  const db = createDb<RelationTables>({ ...database, name: 'relation' });
  t.after(() => db.destroy());
  await migrateToLatest(db, { folder: MIGRATIONS, service: 'relation' });
  return db;
}

/** Calls the router in-process, as the mesh server would, with a generous deadline. */
export function callerFor(router: ReturnType<typeof createRouter>) {
  return createCallerFactory(router)({ requestId: 'test', deadline: Date.now() + 60_000 });
}

/** The counts cache on the shared Redis under a fresh prefix when REDIS_URL is set, else the pass-through. */
export async function countsCache(t: { after(fn: () => unknown): void }) {
  const cache = await createCache({ url: sharedRedisUrl(), ttlSeconds: 10 }, { prefix: `test-relation-${randomBytes(4).toString('hex')}`, logger: silentLogger() });
  t.after(() => cache.close());
  return cache;
}

import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { createCache } from '@douyin/cache';
import { createCallerFactory } from '@douyin/contracts';
import { createDb, migrateToLatest } from '@douyin/db';
import { silentLogger } from '@douyin/telemetry';
import { freshDatabase, sharedRedisUrl, type DatabaseMode } from '@douyin/testing';
import { createRouter } from '../src/router.js';
import type { UserTables } from '../src/tables.js';

export const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

/** A migrated, empty user schema on the given dialect, destroyed after the test. */
export async function freshSchema(t: { after(fn: () => unknown): void }, mode: DatabaseMode): Promise<Kysely<UserTables>> {
  const database = await freshDatabase(t, mode);
  const db = createDb<UserTables>({ ...database, name: 'user' });
  t.after(() => db.destroy());
  await migrateToLatest(db, { folder: MIGRATIONS, service: 'user' });
  return db;
}

/** Calls the router in-process, as the mesh server would, with a generous deadline. */
export function callerFor(router: ReturnType<typeof createRouter>) {
  return createCallerFactory(router)({ requestId: 'test', deadline: Date.now() + 60_000 });
}

/** The profile cache on the shared Redis under a fresh prefix when REDIS_URL is set, else the pass-through. */
export async function profileCache(t: { after(fn: () => unknown): void }) {
  const cache = await createCache({ url: sharedRedisUrl(), ttlSeconds: 10 }, { prefix: `test-user-${randomBytes(4).toString('hex')}`, logger: silentLogger() });
  t.after(() => cache.close());
  return cache;
}

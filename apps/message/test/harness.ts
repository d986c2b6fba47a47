import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { createCallerFactory } from '@douyin/contracts';
import { createDb, migrateToLatest } from '@douyin/db';
import { freshDatabase, type DatabaseMode } from '@douyin/testing';
import { createRouter } from '../src/router.js';
import type { MessageTables } from '../src/tables.js';

export const MIGRATIONS = fileURLToPath(new URL('../migrations', import.meta.url));

/** A migrated, empty message schema on the given dialect, destroyed after the test. */
export async function freshSchema(t: { after(fn: () => unknown): void }, mode: DatabaseMode, poolSize?: number): Promise<Kysely<MessageTables>> {
  const database = await freshDatabase(t, mode);
  const db = createDb<MessageTables>({ ...database, name: 'message', poolSize });
  t.after(() => db.destroy());
  await migrateToLatest(db, { folder: MIGRATIONS, service: 'message' });
  return db;
}

/** Calls the router in-process, as the mesh server would, with a generous deadline. */
export function callerFor(router: ReturnType<typeof createRouter>) {
  return createCallerFactory(router)({ requestId: 'test', deadline: Date.now() + 60_000 });
}

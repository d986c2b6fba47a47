import { fileURLToPath } from 'node:url';
import { createCache } from '@douyin/cache';
import { ID_BATCH_MAX, type UserRouter } from '@douyin/contracts';
import { loadConfigOrExit } from '@douyin/config';
import { createDb, databaseUnavailable, migrateToLatest } from '@douyin/db';
import { coalescedLookup, createRuntime, currentDeadline, rememberedLookup, startService } from '@douyin/mesh';
import { cacheCounters } from '@douyin/metrics';
import { RelationEnv } from './config.js';
import { createRouter } from './router.js';
import type { RelationTables } from './tables.js';

const config = loadConfigOrExit(RelationEnv);
const runtime = createRuntime(config.service);
const db = createDb<RelationTables>(config.db, { deadline: currentDeadline });
const cache = await createCache(config.cache, { prefix: 'relation', logger: runtime.logger, counters: cacheCounters(runtime.metrics) });

await startService(runtime, {
  limits: config.limits,
  router: createRouter({ db, cache, user: rememberedLookup(coalescedLookup(runtime.mesh.client<UserRouter>('user'), 'userIds', ID_BATCH_MAX), 'userIds') }),
  migrate: () => migrateToLatest(db, { folder: fileURLToPath(new URL('../migrations', import.meta.url)), service: 'relation' }),
  unavailable: [databaseUnavailable],
  onShutdown: [() => db.destroy(), () => cache.close()],
});

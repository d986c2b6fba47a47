import { fileURLToPath } from 'node:url';
import { createCache } from '@douyin/cache';
import { loadConfigOrExit } from '@douyin/config';
import { createDb, databaseUnavailable, migrateToLatest } from '@douyin/db';
import { createRuntime, currentDeadline, startService } from '@douyin/mesh';
import { cacheCounters } from '@douyin/metrics';
import { UserEnv } from './config.js';
import { createRouter } from './router.js';
import type { UserTables } from './tables.js';

const config = loadConfigOrExit(UserEnv);
const runtime = createRuntime(config.service);
const db = createDb<UserTables>(config.db, { deadline: currentDeadline });
const cache = await createCache(config.cache, { prefix: 'user', logger: runtime.logger, counters: cacheCounters(runtime.metrics) });

await startService(runtime, {
  limits: config.limits,
  router: createRouter({ db, cache }),
  migrate: () => migrateToLatest(db, { folder: fileURLToPath(new URL('../migrations', import.meta.url)), service: 'user' }),
  unavailable: [databaseUnavailable],
  onShutdown: [() => db.destroy(), () => cache.close()],
});

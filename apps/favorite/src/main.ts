import { fileURLToPath } from 'node:url';
import type { UserRouter, VideoRouter } from '@douyin/contracts';
import { createCache } from '@douyin/cache';
import { cacheCounters } from '@douyin/metrics';
import { loadConfigOrExit } from '@douyin/config';
import { createDb, databaseUnavailable, migrateToLatest } from '@douyin/db';
import { createRuntime, startService } from '@douyin/mesh';
import { FavoriteEnv } from './config.js';
import { createRouter } from './router.js';
import type { FavoriteTables } from './tables.js';

const config = loadConfigOrExit(FavoriteEnv);
const runtime = createRuntime(config.service);
const db = createDb<FavoriteTables>(config.db);
const cache = await createCache(config.cache, { prefix: 'favorite', logger: runtime.logger, counters: cacheCounters(runtime.metrics) });

await startService(runtime, {
  router: createRouter({ db, cache, video: runtime.mesh.client<VideoRouter>('video'), user: runtime.mesh.client<UserRouter>('user') }),
  migrate: () => migrateToLatest(db, { folder: fileURLToPath(new URL('../migrations', import.meta.url)), service: 'favorite' }),
  unavailable: [databaseUnavailable],
  onShutdown: [() => db.destroy(), () => cache.close()],
});

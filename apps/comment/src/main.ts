import { fileURLToPath } from 'node:url';
import { ID_BATCH_MAX, type UserRouter, type VideoRouter } from '@douyin/contracts';
import { createCache } from '@douyin/cache';
import { cacheCounters } from '@douyin/metrics';
import { loadConfigOrExit } from '@douyin/config';
import { createDb, databaseUnavailable, migrateToLatest } from '@douyin/db';
import { coalescedLookup, createRuntime, currentDeadline, rememberedLookup, startService } from '@douyin/mesh';
import { CommentEnv } from './config.js';
import { createRouter } from './router.js';
import type { CommentTables } from './tables.js';

const config = loadConfigOrExit(CommentEnv);
const runtime = createRuntime(config.service);
const db = createDb<CommentTables>(config.db, { deadline: currentDeadline });
const cache = await createCache(config.cache, { prefix: 'comment', logger: runtime.logger, counters: cacheCounters(runtime.metrics) });

await startService(runtime, {
  limits: config.limits,
  router: createRouter({
    db,
    cache,
    video: rememberedLookup(coalescedLookup(runtime.mesh.client<VideoRouter>('video'), 'videoIds', ID_BATCH_MAX), 'videoIds'),
    user: rememberedLookup(coalescedLookup(runtime.mesh.client<UserRouter>('user'), 'userIds', ID_BATCH_MAX), 'userIds'),
  }),
  migrate: () => migrateToLatest(db, { folder: fileURLToPath(new URL('../migrations', import.meta.url)), service: 'comment' }),
  unavailable: [databaseUnavailable],
  onShutdown: [() => db.destroy(), () => cache.close()],
});

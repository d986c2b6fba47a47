import { fileURLToPath } from 'node:url';
import { createCache } from '@douyin/cache';
import { loadConfigOrExit } from '@douyin/config';
import { createDb, databaseUnavailable, migrateToLatest } from '@douyin/db';
import { ID_BATCH_MAX, type UserRouter } from '@douyin/contracts';
import { coalescedLookup, createRuntime, currentDeadline, rememberedLookup, startService } from '@douyin/mesh';
import { cacheCounters } from '@douyin/metrics';
import { createObjectStore, storageUnavailable } from '@douyin/storage';
import { abandonedSweeper } from './abandoned.js';
import { VideoEnv } from './config.js';
import { createRouter } from './router.js';
import type { VideoTables } from './tables.js';

const config = loadConfigOrExit(VideoEnv);
const runtime = createRuntime(config.service);
const db = createDb<VideoTables>(config.db, { deadline: currentDeadline });
const store = createObjectStore(config.storage, { deadline: currentDeadline });
const cache = await createCache(config.cache, { prefix: 'video', logger: runtime.logger, counters: cacheCounters(runtime.metrics) });

const sweeper = abandonedSweeper({ store, db, workDir: config.workDir, logger: runtime.logger });
const running = await startService(runtime, {
  limits: config.limits,
  router: createRouter({
    db,
    store,
    cache,
    media: config.media,
    workDir: config.workDir,
    logger: runtime.logger,
    now: Date.now,
    user: rememberedLookup(coalescedLookup(runtime.mesh.client<UserRouter>('user'), 'userIds', ID_BATCH_MAX), 'userIds'),
  }),
  migrate: async () => {
    await migrateToLatest(db, { folder: fileURLToPath(new URL('../migrations', import.meta.url)), service: 'video' });
    await store.prepare();
  },
  unavailable: [databaseUnavailable, storageUnavailable],
  onShutdown: [() => sweeper.stop(), () => db.destroy(), () => cache.close()],
});
// Not in --migrate-only runs, and only once the bucket exists.
if (running) sweeper.start();

import { fileURLToPath } from 'node:url';
import { ID_BATCH_MAX, type UserRouter } from '@douyin/contracts';
import { loadConfigOrExit } from '@douyin/config';
import { createDb, databaseUnavailable, migrateToLatest } from '@douyin/db';
import { coalescedLookup, createRuntime, currentDeadline, rememberedLookup, startService } from '@douyin/mesh';
import { MessageEnv } from './config.js';
import { createRouter } from './router.js';
import type { MessageTables } from './tables.js';

const config = loadConfigOrExit(MessageEnv);
const runtime = createRuntime(config.service);
const db = createDb<MessageTables>(config.db, { deadline: currentDeadline });

await startService(runtime, {
  limits: config.limits,
  router: createRouter({ db, user: rememberedLookup(coalescedLookup(runtime.mesh.client<UserRouter>('user'), 'userIds', ID_BATCH_MAX), 'userIds') }),
  migrate: () => migrateToLatest(db, { folder: fileURLToPath(new URL('../migrations', import.meta.url)), service: 'message' }),
  unavailable: [databaseUnavailable],
  onShutdown: [() => db.destroy()],
});

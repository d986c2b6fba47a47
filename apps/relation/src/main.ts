import { fileURLToPath } from 'node:url';
import type { UserRouter } from '@douyin/contracts';
import { loadConfigOrExit } from '@douyin/config';
import { createDb, databaseUnavailable, migrateToLatest } from '@douyin/db';
import { createRuntime, startService } from '@douyin/mesh';
import { RelationEnv } from './config.js';
import { createRouter } from './router.js';
import type { RelationTables } from './tables.js';

const config = loadConfigOrExit(RelationEnv);
const runtime = createRuntime(config.service);
const db = createDb<RelationTables>(config.db);

await startService(runtime, {
  router: createRouter({ db, user: runtime.mesh.client<UserRouter>('user') }),
  migrate: () => migrateToLatest(db, { folder: fileURLToPath(new URL('../migrations', import.meta.url)), service: 'relation' }),
  unavailable: [databaseUnavailable],
  onShutdown: [() => db.destroy()],
});

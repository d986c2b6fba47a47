// The trivial procedure served the way every service in the mesh is served: startService (metrics, limits, health).
import { createRuntime, startService } from '@douyin/mesh';
import { benchProcedureLimits, benchServiceConfig } from './mesh-config.js';
import { pingRouter } from './ping-router.js';

await startService(createRuntime(benchServiceConfig('hop')), { router: pingRouter, limits: benchProcedureLimits() });

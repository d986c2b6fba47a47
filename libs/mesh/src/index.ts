export { currentScope, runInScope, type CallScope } from './call-scope.js';
export { coalescedBatches, coalescedByIds, coalescedGroups, coalescedLookup, coalescedQuery, type ByIdsQuery, type GroupLimits } from './coalesce.js';
export { localClient } from './local-client.js';
export { createMesh, type Mesh, type MeshClient, type MeshOptions } from './mesh.js';
export { meshError, meshErrorData, type MeshErrorData } from './mesh-errors.js';
export { scopeRequests } from './request-scope.js';
export { createHttpApp, serve, type RunningServer, type ServeOptions, type ShutdownHook } from './serve.js';
export { createRuntime, startService, type Runtime, type ServiceDefinition } from './start-service.js';
export type { Dependency } from './wire.js';

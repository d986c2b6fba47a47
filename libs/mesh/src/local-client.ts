import { randomUUID } from 'node:crypto';
import { callTRPCProcedure, type AnyTRPCRouter } from '@trpc/server';
import { currentScope, runInScope } from './call-scope.js';
import type { MeshClient } from './mesh.js';
import { meshError } from './mesh-errors.js';
import { pathProxy } from './path-proxy.js';
import { toWireError } from './wire.js';

/**
 * A client with the mesh client's type that runs `router`'s procedures in this process: the same inputs,
 * context and typed errors as over the mesh, without the network. For one-process baselines and tests.
 * Calls made outside a request get `timeoutMs` as their budget, as mesh calls do.
 */
export function localClient<R extends AnyTRPCRouter>(service: string, router: R, timeoutMs: number): MeshClient<R> {
  return pathProxy(async (path, args) => {
    const method = path[path.length - 1];
    const procedure = path.slice(0, -1).join('.');
    const scope = currentScope() ?? { requestId: randomUUID(), deadline: Date.now() + timeoutMs };
    try {
      return await runInScope(scope, () =>
        callTRPCProcedure({
          router,
          path: procedure,
          type: method === 'mutate' ? 'mutation' : 'query',
          ctx: scope,
          getRawInput: async () => args[0],
          signal: undefined,
          batchIndex: 0,
        }),
      );
    } catch (err) {
      const { status, error } = toWireError(err);
      throw meshError(service, procedure, error, status, err instanceof Error ? err : undefined);
    }
  }) as MeshClient<R>;
}

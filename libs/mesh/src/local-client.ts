import { randomUUID } from 'node:crypto';
import type { AnyTRPCRouter } from '@trpc/server';
import { currentScope } from './call-scope.js';
import type { MeshClient } from './mesh.js';
import { meshError } from './mesh-errors.js';
import { procedureClient, runProcedure } from './procedure-call.js';
import { toWireError } from './wire.js';

/**
 * A client with the mesh client's type that runs `router`'s procedures in this process: the same inputs,
 * context and typed errors as over the mesh, without the network. For one-process baselines and tests.
 * Calls made outside a request get `timeoutMs` as their budget, as mesh calls do.
 */
export function localClient<R extends AnyTRPCRouter>(service: string, router: R, timeoutMs: number): MeshClient<R> {
  return procedureClient(service, async (procedure, type, input) => {
    const scope = currentScope() ?? { requestId: randomUUID(), deadline: Date.now() + timeoutMs };
    try {
      return await runProcedure(router, scope, procedure, type, input);
    } catch (err) {
      const { status, error } = toWireError(err);
      throw meshError(service, procedure, error, status, err instanceof Error ? err : undefined);
    }
  }) as MeshClient<R>;
}

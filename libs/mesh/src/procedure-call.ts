import { callTRPCProcedure, type AnyTRPCRouter } from '@trpc/server';
import { runInScope, type CallScope } from './call-scope.js';
import { meshError } from './mesh-errors.js';
import { pathProxy } from './path-proxy.js';

type ProcedureType = 'query' | 'mutation';

/**
 * The client shape every mesh client shares: `client.a.b.query(input)` hands `call('a.b', 'query', input)`; any
 * other method (subscribe, a typo) is refused with METHOD_NOT_SUPPORTED, as the mesh serves queries and mutations only.
 */
export function procedureClient(service: string, call: (procedure: string, type: ProcedureType, input: unknown) => Promise<unknown>): unknown {
  return pathProxy((path, args) => {
    const method = path[path.length - 1];
    const procedure = path.slice(0, -1).join('.');
    if (method === 'query' || method === 'mutate') return call(procedure, method === 'query' ? 'query' : 'mutation', args[0]);
    const reason = method === 'subscribe' ? 'subscriptions are not served over the mesh' : `${method} is not a client method`;
    return Promise.reject(meshError(service, procedure, { code: 'METHOD_NOT_SUPPORTED', message: reason }, 405));
  });
}

/** Runs one procedure of `router` in `scope`, which is also its tRPC context: what a served call and a local call do alike. */
export function runProcedure(router: AnyTRPCRouter, scope: CallScope, path: string, type: ProcedureType, input: unknown): Promise<unknown> {
  return runInScope(scope, () =>
    callTRPCProcedure({ router, path, type, ctx: scope, getRawInput: async () => input, signal: undefined, batchIndex: 0 }),
  );
}

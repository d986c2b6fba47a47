import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createDispatcher, type RpcServerOptions } from './rpc-dispatch.js';
import { attachRpcStreams } from './stream-server.js';
import { HEADER, RPC_PREFIX } from './wire.js';

export type { RpcServerOptions } from './rpc-dispatch.js';

/**
 * Serves every procedure of `router` two ways on the app's one port: framed calls over persistent upgraded
 * connections (what the mesh client uses) and POST /rpc/<path> (plain HTTP, for curl and the HTTP transport).
 */
export function registerRpcRoutes(app: FastifyInstance, options: RpcServerOptions): void {
  const dispatch = createDispatcher(options);
  attachRpcStreams(app, dispatch, options.logger);
  app.post<{ Params: { path: string }; Body: { input?: unknown } | null }>(`${RPC_PREFIX}:path`, async (req, reply) => {
    const { status, body } = await dispatch({
      path: req.params.path,
      type: req.headers[HEADER.procedureType] === 'mutation' ? 'mutation' : 'query',
      input: req.body?.input,
      budgetMs: req.headers[HEADER.budget] === undefined ? Number.NaN : Number(req.headers[HEADER.budget]),
      requestId: String(req.headers[HEADER.requestId] ?? randomUUID()),
      traceCarrier: req.headers,
    });
    reply.code(status);
    return body;
  });
}

import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createDispatcher, type RpcServerOptions } from './rpc-dispatch.js';
import { attachRpcStreams } from './stream-server.js';
import { HEADER, RPC_PREFIX, UNENCODABLE_ANSWER } from './wire.js';

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
    // Encoded here rather than by Fastify, so an answer JSON cannot carry becomes the mesh's internal error.
    let payload: string;
    try {
      payload = JSON.stringify(body);
      reply.code(status);
    } catch (err) {
      req.log.error({ err, path: req.params.path }, 'rpc answer could not be sent');
      payload = JSON.stringify({ error: UNENCODABLE_ANSWER.error });
      reply.code(UNENCODABLE_ANSWER.status);
    }
    return reply.type('application/json; charset=utf-8').send(payload);
  });
}

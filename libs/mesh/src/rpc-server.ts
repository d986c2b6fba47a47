import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { createDispatcher, type RpcServerOptions } from './rpc-dispatch.js';
import { attachRpcStreams } from './stream-server.js';
import { FrameTooLargeError, MAX_FRAME_BYTES, assertFitsFrame } from './frames.js';
import { ANSWER_TOO_LARGE, HEADER, RPC_PREFIX, UNENCODABLE_ANSWER } from './wire.js';

export type { RpcServerOptions } from './rpc-dispatch.js';

/**
 * Serves every procedure of `router` two ways on the app's one port: framed calls over persistent upgraded
 * connections (what the mesh client uses) and POST /rpc/<path> (plain HTTP, for curl and the HTTP transport).
 */
export function registerRpcRoutes(app: FastifyInstance, options: RpcServerOptions): void {
  const dispatch = createDispatcher(options);
  attachRpcStreams(app, dispatch, options.logger);
  // A call as large as a stream's frame is served here too, not cut at the app's smaller default body limit.
  app.post<{ Params: { path: string }; Body: { input?: unknown } | null }>(`${RPC_PREFIX}:path`, { bodyLimit: MAX_FRAME_BYTES }, async (req, reply) => {
    const { status, body } = await dispatch({
      path: req.params.path,
      type: req.headers[HEADER.procedureType] === 'mutation' ? 'mutation' : 'query',
      input: req.body?.input,
      budgetMs: req.headers[HEADER.budget] === undefined ? Number.NaN : Number(req.headers[HEADER.budget]),
      requestId: String(req.headers[HEADER.requestId] ?? randomUUID()),
      traceCarrier: req.headers,
    });
    // Encoded here rather than by Fastify, so an answer JSON cannot carry becomes the mesh's internal error, and one
    // larger than a stream's frame is refused as the stream refuses it: either transport answers the same.
    let payload: string;
    try {
      payload = JSON.stringify(body);
      assertFitsFrame(payload);
      reply.code(status);
    } catch (err) {
      req.log.error({ err, path: req.params.path }, 'rpc answer could not be sent');
      const failure = err instanceof FrameTooLargeError ? ANSWER_TOO_LARGE : UNENCODABLE_ANSWER;
      payload = JSON.stringify({ error: failure.error });
      reply.code(failure.status);
    }
    return reply.type('application/json; charset=utf-8').send(payload);
  });
}

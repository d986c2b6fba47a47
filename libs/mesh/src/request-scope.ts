import type { FastifyInstance } from 'fastify';
import { runInScope } from './call-scope.js';

/**
 * Runs each request's handler in a call scope: the mesh calls it makes carry the request's id (the x-request-id the
 * client sees is the one every service logs) and share one deadline, `budgetMs` from the request's arrival, so a
 * page that calls services one after another cannot take a full budget per call.
 */
export function scopeRequests(app: FastifyInstance, budgetMs: number): void {
  // Entered right before the handler, which Fastify calls synchronously inside it, so neither body parsers nor
  // other hooks have to carry the scope; the deadline still counts from arrival.
  app.addHook('preHandler', (req, reply, done) => {
    const arrived = Date.now() - reply.elapsedTime;
    runInScope({ requestId: req.id, deadline: arrived + budgetMs }, done);
  });
}

import type { FastifyInstance, onRequestHookHandler } from 'fastify';
import { outcomeOf, type ServiceMetrics } from '@douyin/metrics';

/** RED metrics for every route of `app`, labelled by route template, and GET /metrics for Prometheus (behind `guard`). */
export function observeHttp(app: FastifyInstance, metrics: ServiceMetrics, guard?: onRequestHookHandler): void {
  // A callback hook, not an async one: no promise (and no async-hooks work for it) on every answer.
  app.addHook('onResponse', (req, reply, done) => {
    // The template (/douyin/user/), never the raw URL: ids and query strings would explode the series count.
    const route = req.routeOptions.url ?? 'unmatched';
    if (route !== '/metrics') {
      const { code, outcome } = outcomeOf(req, reply);
      metrics.httpRequests.inc({ method: req.method, route, code, outcome });
      metrics.httpDuration.observe({ method: req.method, route, outcome }, reply.elapsedTime / 1000);
    }
    done();
  });
  app.get('/metrics', { ...(guard && { onRequest: guard }) }, async (_req, reply) => reply.type(metrics.contentType).send(await metrics.exposition()));
}

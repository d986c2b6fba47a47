import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { closedOutcome, isStream, outcomeOf, type Outcome, type ServiceMetrics } from '@douyin/metrics';

/** RED metrics for every route of `app`, labelled by route template, and GET /metrics for Prometheus (behind `guard`). */
export function observeHttp(app: FastifyInstance, metrics: ServiceMetrics, guard?: onRequestHookHandler): void {
  const record = (req: FastifyRequest, reply: FastifyReply, { code, outcome }: Outcome) => {
    // The template (/douyin/user/), never the raw URL: ids and query strings would explode the series count.
    const route = req.routeOptions.url ?? 'unmatched';
    if (route === '/metrics') return;
    metrics.httpRequests.inc({ method: req.method, route, code, outcome });
    if (!isStream(req)) metrics.httpDuration.observe({ method: req.method, route, outcome }, reply.elapsedTime / 1000);
  };
  // A callback hook, not an async one: no promise (and no async-hooks work for it) on every request.
  app.addHook('onRequest', (req, reply, done) => {
    // Counted when the response closes, which it does once whether its answer finished or not: Fastify's onResponse
    // runs only for an answer that finished (or failed to), so one whose client left first (its own timeout or a
    // proxy's, a phone gone offline mid-upload, a push stream's usual end) would be neither counted nor timed, and
    // onRequestAbort misses every client that leaves after its body was read.
    // Ended, not finished: an answer the server gave whole counts by its status even if the client left before the
    // last bytes were flushed (and light-my-request's responses flush only after their 'close').
    const res = reply.raw;
    res.on('close', () => record(req, reply, res.writableEnded ? outcomeOf(req, reply) : closedOutcome(req, req.raw.socket, reply)));
    done();
  });
  app.get('/metrics', { ...(guard && { onRequest: guard }) }, async (_req, reply) => reply.type(metrics.contentType).send(await metrics.exposition()));
}

import type { Socket } from 'node:net';
import formbody from '@fastify/formbody';
import multipart from '@fastify/multipart';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createHttpApp, scopeRequests } from '@douyin/mesh';
import { markOutcome, metricsFor } from '@douyin/metrics';
import { discardingParser, limitBodyTime, type UploadRateFloor } from './body-limits.js';
import { apkClientErrorHandler } from './client-error.js';
import type { GatewayDeps } from './deps.js';
import { apkErrorHandler } from './error-handler.js';
import { profileImageRoutes } from './profile-images.js';
import { MAX_FORM_BYTES, MAX_TEXT_BYTES } from './params.js';
import { registerRateLimits } from './rate-limit.js';
import { commentRoutes } from './routes/comment.js';
import { favoriteRoutes } from './routes/favorite.js';
import { feedRoutes } from './routes/feed.js';
import { mediaRoutes } from './routes/media.js';
import { messageRoutes } from './routes/message.js';
import { PUBLISH_ROUTE, publishRoutes } from './routes/publish.js';
import { relationRoutes } from './routes/relation.js';
import { userRoutes } from './routes/user.js';
import { ApkCode, STATUS_MSG } from './status.js';
import { parseStrict } from './strict-querystring.js';
import { sharingPageLookups } from './views/shared-lookups.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route's zero-valued fields, sent along with any error (contract §3). */
    zero?: Record<string, unknown>;
  }
}

/** Forms and other bodies not uploads, from the request's arrival. */
const BODY_TIMEOUT_MS = 30_000;
/**
 * How long a client may take to send a whole request: Node's five minutes, or longer where the largest upload allowed
 * needs it. Fastify turns Node's limit off by default, which would let a client that sends a byte now and then hold
 * its connection, and an upload slot, forever. With an upload floor, that floor cuts a slower upload first, and this
 * is its backstop: twice what the largest upload takes at the floor (the time a store takes a part is not the
 * client's), so that no upload the floor lets through is cut here. Without one, 256 KiB/s.
 */
const requestTimeoutFor = (maxUploadBytes: number, floor?: UploadRateFloor) =>
  Math.max(300_000, floor ? Math.ceil((2 * maxUploadBytes * 1000) / floor.bytesPerSecond) + floor.graceMs : Math.ceil(maxUploadBytes / 256));
/**
 * How long a connection may go with nothing moving either way before it is closed: a phone that stopped reading (an
 * app paused mid-video, a network gone without a word) would otherwise hold its answer's file or S3 stream, and its
 * socket, for ever. Longer than the longest a healthy request waits in silence, a publish's answer once its upload is
 * in; push streams send a heartbeat every 15 s.
 */
const idleTimeoutFor = (publishTimeoutMs: number) => Math.max(120_000, publishTimeoutMs + 30_000);
const APK_SUCCESS = { code: '0', outcome: 'ok' } as const;

function notFound(req: FastifyRequest, reply: FastifyReply) {
  if (req.url.startsWith('/douyin/')) {
    markOutcome(req, { code: String(ApkCode.routeNotFound), outcome: 'client_error' });
    return reply.code(404).send({ status_code: ApkCode.routeNotFound, status_msg: STATUS_MSG[ApkCode.routeNotFound] });
  }
  return reply.code(404).send({ error: 'not found' });
}

/**
 * A path the router cannot even match (a %-escape that does not decode, a parameter past its length) names no route:
 * answered as one, where Fastify would write its own 400 past every hook (no envelope, no X-Request-Id).
 */
function unroutablePath(_err: FastifyError, req: FastifyRequest, reply: FastifyReply) {
  void reply.header('x-request-id', req.id);
  return notFound(req, reply);
}

/** The APK-facing HTTP app. Never listens and never reads the environment. */
export async function buildApp(given: GatewayDeps): Promise<FastifyInstance> {
  const deps = sharingPageLookups(given);
  const app = createHttpApp(deps.logger, {
    bodyLimit: MAX_FORM_BYTES,
    clientErrorHandler: apkClientErrorHandler,
    frameworkErrors: unroutablePath,
    querystringParser: parseStrict,
    requestTimeout: requestTimeoutFor(deps.media.maxUploadBytes, deps.uploadFloor),
    connectionTimeout: deps.idleTimeoutMs ?? idleTimeoutFor(deps.media.publishTimeoutMs),
    // Without trusted proxies, X-Forwarded-For is the client's to write and is never read.
    ...(deps.trustedProxies?.length && { trustProxy: deps.trustedProxies }),
  });
  // Node closes an idle connection itself unless someone listens; counted here, it is closed all the same.
  app.server.on('timeout', (socket: Socket) => {
    metricsFor('gateway').connectionsCut.inc({ reason: 'idle' });
    socket.destroy();
  });

  // Parameters come from the query string or a form body, on any method (contract §1): Fastify reads no GET body
  // unless told to. (A GET without one costs nothing more: no Content-Type, no Content-Length, no parsing.)
  app.addHttpMethod('GET', { hasBody: true, overrideExisting: true });
  // Any body other than a form is ignored, not an error.
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('*', discardingParser(MAX_FORM_BYTES));
  await app.register(formbody, { bodyLimit: MAX_FORM_BYTES, parser: parseStrict });
  // One byte past the text limit marks a field as truncated, which the params reader reports as 40003.
  await app.register(multipart, { limits: { fieldSize: MAX_TEXT_BYTES + 1, fields: 32, parts: 64 } });
  limitBodyTime(app, { timeoutMs: deps.bodyTimeoutMs ?? BODY_TIMEOUT_MS, uploadRoute: PUBLISH_ROUTE, uploadFloor: deps.uploadFloor });

  // Callback hooks cost no promise per answer (see observeHttp).
  app.addHook('onRequest', (req, _reply, done) => {
    // The metrics label an APK answer by its status_code: 0 unless the error handler marks the failure.
    if (req.url.startsWith('/douyin/')) markOutcome(req, APK_SUCCESS);
    done();
  });
  app.addHook('onSend', (req, reply, payload, done) => {
    reply.header('x-request-id', req.id);
    done(null, payload);
  });
  scopeRequests(app, deps.requestBudgetMs);
  app.setErrorHandler(apkErrorHandler);
  if (deps.limiter) registerRateLimits(app, deps.limiter, deps.auth);
  app.setNotFoundHandler(async (req, reply) => notFound(req, reply));

  await app.register(userRoutes(deps));
  await app.register(relationRoutes(deps));
  await app.register(messageRoutes(deps));
  await app.register(feedRoutes(deps));
  await app.register(publishRoutes(deps));
  await app.register(mediaRoutes(deps));
  await app.register(profileImageRoutes);
  await app.register(favoriteRoutes(deps));
  await app.register(commentRoutes(deps));
  return app;
}

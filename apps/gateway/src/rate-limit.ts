import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RouteLimiter } from '@douyin/ratelimit';
import type { Authenticator } from './auth.js';
import { discardRest, REFUSED_UPLOAD_READ_BYTES } from './body-limits.js';
import { clientOf } from './client-network.js';
import { addAll, multipartFields, tokenOf } from './params.js';
import { ApkCode, ApkError } from './status.js';

/** The route classes limits are configured by (contract §8.3). */
export type RouteClass = 'read' | 'write' | 'upload' | 'register' | 'login';

/** A route's class from its method and template; routes added later fall into read or write by method. */
export function routeClassOf(method: string, route: string): RouteClass {
  if (route.startsWith('/douyin/user/register')) return 'register';
  if (route.startsWith('/douyin/user/login')) return 'login';
  if (route.startsWith('/douyin/publish/action')) return 'upload';
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write';
}

/** The user the hook below already charged for a request. */
const userCharged = new WeakMap<FastifyRequest, number>();

const refuse = (reply: FastifyReply, retryAfterMs: number): never => {
  reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  throw new ApkError(ApkCode.rateLimited, 'too many requests, please retry in a moment');
};

/**
 * Token buckets in front of every /douyin route: a refused request gets HTTP 200 with status_code 42901 and
 * Retry-After (contract §8.2). It runs once the body is parsed, so a token in a form body counts per user, and reads
 * a multipart body's fields itself (they are small: files are drained); an upload's body is the route's to stream,
 * which charges its user with `limitUserOnceKnown` once the token is read.
 */
export function registerRateLimits(app: FastifyInstance, limiter: RouteLimiter, auth: Pick<Authenticator, 'signedUser'>): void {
  app.addHook('preHandler', async (req, reply) => {
    const route = req.routeOptions.url ?? req.url;
    if (!route.startsWith('/douyin/')) return;
    const params = new Map<string, string>();
    addAll(params, req.query);
    // A url-encoded body is parsed by now; a multipart one is still a stream (its body is undefined here).
    const routeClass = routeClassOf(req.method, route);
    if (req.isMultipart()) {
      // A body that cannot be read is the handler's to refuse; the IP is charged for it all the same.
      const fields = routeClass === 'upload' ? undefined : await multipartFields(req).catch(() => undefined);
      for (const [name, value] of fields ?? []) if (!params.has(name)) params.set(name, value);
    } else {
      addAll(params, req.body);
    }
    // Only a signed token names a user: a forged one must not drain somebody else's bucket.
    const userId = await auth.signedUser(tokenOf(params, req));
    const verdict = await limiter.check(routeClass, { ip: clientOf(req), userId });
    if (userId !== undefined) userCharged.set(req, userId);
    if (verdict.allowed) return;
    // An upload refused here is still unread: Node would drain the whole of it after the answer, bounded by nothing
    // (the upload limits apply to the route, which never runs). Read as much of it as a refused upload's, no more.
    if (routeClass === 'upload' && req.isMultipart()) discardRest(req.raw, REFUSED_UPLOAD_READ_BYTES);
    refuse(reply, verdict.retryAfterMs);
  });
}

/**
 * Charges the user's buckets of a request whose user became known only in its body, unless the hook already charged
 * that user: a body's token wins over a header's, and the hook saw only the header's, which may name someone else (a
 * throwaway account's token in the header would otherwise spare the uploader's own bucket).
 */
export async function limitUserOnceKnown(limiter: RouteLimiter, req: FastifyRequest, reply: FastifyReply, userId: number): Promise<void> {
  if (userCharged.get(req) === userId) return;
  userCharged.set(req, userId);
  const verdict = await limiter.checkUser(routeClassOf(req.method, req.routeOptions.url ?? req.url), userId);
  if (!verdict.allowed) refuse(reply, verdict.retryAfterMs);
}

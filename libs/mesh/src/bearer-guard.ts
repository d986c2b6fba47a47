import { createHash, timingSafeEqual } from 'node:crypto';
import type { onRequestHookHandler } from 'fastify';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * A route hook that answers 401 unless the request carries `Authorization: Bearer <token>`. Compared as digests in
 * constant time: neither the token's length nor its prefix shows in how long a refusal takes.
 */
export function bearerGuard(token: string): onRequestHookHandler {
  const expected = digest(`Bearer ${token}`);
  return (req, reply, done) => {
    if (timingSafeEqual(digest(req.headers.authorization ?? ''), expected)) return done();
    void reply.code(401).header('www-authenticate', 'Bearer').send({ error: 'unauthorized' });
  };
}

import type { ServiceMetrics } from '@douyin/metrics';
import type { BucketSpec, BucketStore } from './token-bucket.js';

/** The buckets of one route class; `null` = no bucket of that kind. */
export interface ClassLimits {
  ip: BucketSpec | null;
  user: BucketSpec | null;
}

export interface RouteLimits {
  /** Applies to every route: per client IP, and per user once the user is known. */
  all: ClassLimits;
  /** Extra buckets per route class (reads, writes, uploads, register…). */
  classes: Readonly<Record<string, ClassLimits>>;
}

export interface Requester {
  ip: string;
  /** Known when the request carried a valid token before its body. */
  userId?: number;
}

export type Verdict = { allowed: true } | { allowed: false; retryAfterMs: number; routeClass: string; subject: 'ip' | 'user' };

export interface RouteLimiter {
  /** Takes a token from every bucket that applies; refused if any of them is empty. */
  check(routeClass: string, who: Requester): Promise<Verdict>;
  /**
   * Takes a token from the user's buckets alone, for a request whose user became known only once its body was read
   * (an upload's token is a multipart field): `check` has already charged its IP.
   */
  checkUser(routeClass: string, userId: number): Promise<Verdict>;
}

interface Check {
  routeClass: string;
  subject: 'ip' | 'user';
  key: string;
  spec: BucketSpec;
}

/** Token buckets per IP and per user, general and per route class, counted in `metrics` when refused. */
export function createRouteLimiter(store: BucketStore, limits: RouteLimits, metrics?: ServiceMetrics): RouteLimiter {
  /** The buckets of `routeClass` that apply to `who`: without `who.ip`, the user's alone. */
  function checksOf(routeClass: string, { ip, userId }: Partial<Requester>): Check[] {
    const checks: Check[] = [];
    const add = (cls: string, { ip: perIp, user: perUser }: ClassLimits, userFallsBackToIp: boolean) => {
      if (perIp && ip !== undefined) checks.push({ routeClass: cls, subject: 'ip', key: `${cls}:ip:${ip}`, spec: perIp });
      if (perUser && userId !== undefined) checks.push({ routeClass: cls, subject: 'user', key: `${cls}:user:${userId}`, spec: perUser });
      // A class bucket whose user is not known before the body (an upload's token is a multipart field)
      // still holds per client IP until the user is known, rather than not at all.
      else if (perUser && userFallsBackToIp && ip !== undefined) checks.push({ routeClass: cls, subject: 'ip', key: `${cls}:user-ip:${ip}`, spec: perUser });
    };
    add('all', limits.all, false);
    const perClass = limits.classes[routeClass];
    if (perClass) add(routeClass, perClass, true);
    return checks;
  }

  async function take(checks: Check[]): Promise<Verdict> {
    // All at once: one round trip to Redis in the common case; a refusal still spends the others' tokens,
    // which errs on the strict side.
    const results = await Promise.all(checks.map((c) => store.take(c.key, c.spec)));
    let refused: Verdict | undefined;
    results.forEach((result, i) => {
      const check = checks[i];
      if (result.allowed || !check) return;
      if (!refused || (!refused.allowed && result.retryAfterMs > refused.retryAfterMs)) {
        refused = { allowed: false, retryAfterMs: result.retryAfterMs, routeClass: check.routeClass, subject: check.subject };
      }
    });
    if (!refused) return { allowed: true };
    if (!refused.allowed) metrics?.rateLimited.inc({ class: refused.routeClass, subject: refused.subject });
    return refused;
  }

  return {
    check: (routeClass, who) => take(checksOf(routeClass, who)),
    checkUser: (routeClass, userId) => take(checksOf(routeClass, { userId })),
  };
}

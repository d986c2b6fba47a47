import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { ServiceMetrics } from '@douyin/metrics';

export interface LoginGuardLimits {
  /** Failed logins in a row for one username from one IP before that pair is blocked; a success starts over. */
  failuresPerUserAndIp: number;
  /** How long a blocked username+IP pair waits, in seconds. */
  blockSeconds: number;
  /** Failed logins from one IP per day, whatever the usernames (password spraying), before the IP is blocked for the day. */
  failuresPerIpPerDay: number;
}

export interface LoginGuard {
  /** How long a login for `username` from `ip` must wait, in ms; 0 when it may be tried now. */
  retryAfterMs(username: string, ip: string): Promise<number>;
  /** Counts a wrong username or password. */
  failed(username: string, ip: string): Promise<void>;
  /** A correct password clears the failures in a row of this username from this IP. */
  succeeded(username: string, ip: string): Promise<void>;
}

const DAY_SECONDS = 24 * 60 * 60;
// Failures in a row count within a day of the first one, so an old typo never counts forever.
const STREAK_SECONDS = DAY_SECONDS;

/** An IP never contains '|', so the pair key cannot be forged by a username that does. */
const pairKey = (username: string, ip: string) => `${ip}|${username}`;

type LimiterOptions = ConstructorParameters<typeof RateLimiterMemory>[0];

/**
 * Brute-force protection of the login route: counts of failures in fixed windows, blocked once reached, which is
 * exactly what rate-limiter-flexible does (request rates are token buckets instead, see route-limiter.ts). With
 * Redis the counts are shared by every gateway replica, and an in-memory limiter stands in while Redis is down.
 */
export function createLoginGuard(limits: LoginGuardLimits, redis?: Redis, metrics?: ServiceMetrics): LoginGuard {
  const limiter = (options: LimiterOptions): RateLimiterAbstract =>
    redis
      ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: new RateLimiterMemory(options) })
      : new RateLimiterMemory(options);
  const byPair = limiter({ keyPrefix: 'login-fail-pair', points: limits.failuresPerUserAndIp, duration: STREAK_SECONDS });
  const byIp = limiter({ keyPrefix: 'login-fail-ip', points: limits.failuresPerIpPerDay, duration: DAY_SECONDS });

  const waitOf = async (rl: RateLimiterAbstract, key: string): Promise<number> => {
    const res = await rl.get(key);
    return res && res.consumedPoints >= rl.points ? Math.max(1, res.msBeforeNext) : 0;
  };
  // Consumes one failure; the one that reaches the limit starts the block.
  const count = async (rl: RateLimiterAbstract, key: string, blockSeconds: number) => {
    const res = await rl.penalty(key, 1);
    if (res.consumedPoints >= rl.points) await rl.block(key, blockSeconds);
  };

  return {
    async retryAfterMs(username, ip) {
      const [pair, perIp] = await Promise.all([waitOf(byPair, pairKey(username, ip)), waitOf(byIp, ip)]);
      if (pair > 0 || perIp > 0) metrics?.rateLimited.inc({ class: 'login', subject: perIp >= pair ? 'ip' : 'user' });
      return Math.max(pair, perIp);
    },
    async failed(username, ip) {
      await Promise.all([count(byPair, pairKey(username, ip), limits.blockSeconds), count(byIp, ip, DAY_SECONDS)]);
    },
    async succeeded(username, ip) {
      await byPair.delete(pairKey(username, ip));
    },
  };
}

import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { ServiceMetrics } from '@douyin/metrics';

export interface LoginGuardLimits {
  /** Failed logins in a row for one username from one IP before that pair is blocked; a success starts over. */
  failuresPerUserAndIp: number;
  /** How long a blocked username+IP pair waits, in seconds. */
  blockSeconds: number;
  /**
   * Failed logins from one IP per day, whatever the usernames (password spraying), before the IP is blocked for the
   * day; a username that logged in from the IP within KNOWN_PAIR_SECONDS is not.
   */
  failuresPerIpPerDay: number;
  /**
   * Failed logins of one username per hour from networks it never logged in from, whatever they are, before it is
   * refused from any such network for the rest of the hour: guesses spread over a botnet, or over the /64s of an IPv6
   * prefix, each stay under the per-IP limits. Networks it logged in from (KNOWN_PAIR_SECONDS) neither count nor are
   * refused, so its owner goes on logging in where they did before.
   */
  failuresPerUserPerHour: number;
}

export interface LoginGuard {
  /**
   * Reserves one login attempt of `username` from `ip`, counted as a failure unless `succeeded` or `abandoned`
   * follows: 0 when it may go ahead, else how long to wait in ms. Counting before the password is checked, not after,
   * keeps a burst of concurrent guesses from all passing the check before the first failure is counted.
   */
  begin(username: string, ip: string): Promise<number>;
  /** The password was right: this username's failures in a row from this IP start over, and this attempt is not one. */
  succeeded(username: string, ip: string): Promise<void>;
  /** The attempt ended without a verdict on the password (a service was down, the input was invalid): it counts for nothing. */
  abandoned(username: string, ip: string): Promise<void>;
}

const HOUR_SECONDS = 60 * 60;
const DAY_SECONDS = 24 * HOUR_SECONDS;
// Failures in a row count within a day of the first one, so an old typo never counts forever.
const STREAK_SECONDS = DAY_SECONDS;
/**
 * How long a username that logged in from an IP stays known there: its attempts from it neither count against the IP
 * nor stop at the IP's day-long block (its own failures in a row still do). Each login leaves this mark, in Redis or,
 * without it, this process's memory. Fourteen days, within the 24.8 days a timer of the in-memory store holds.
 */
export const KNOWN_PAIR_SECONDS = 14 * DAY_SECONDS;

/** An IP never contains '|', so the pair key cannot be forged by a username that does. */
const pairKey = (username: string, ip: string) => `${ip}|${username}`;

type LimiterOptions = ConstructorParameters<typeof RateLimiterMemory>[0];

/**
 * Brute-force protection of the login route: counts of failed attempts in fixed windows, blocked once past, which is
 * exactly what rate-limiter-flexible does (request rates are token buckets instead, see route-limiter.ts). With
 * Redis the counts are shared by every gateway replica, and an in-memory limiter stands in while Redis is down.
 */
export function createLoginGuard(limits: LoginGuardLimits, redis?: Redis, metrics?: ServiceMetrics): LoginGuard {
  const limiter = (options: LimiterOptions): RateLimiterAbstract =>
    redis
      ? new RateLimiterRedis({ ...options, storeClient: redis, insuranceLimiter: new RateLimiterMemory(options) })
      : new RateLimiterMemory(options);
  // The attempt past the limit starts the block (blockDuration), and every attempt during it is refused.
  const byPair = limiter({ keyPrefix: 'login-fail-pair', points: limits.failuresPerUserAndIp, duration: STREAK_SECONDS, blockDuration: limits.blockSeconds });
  const byIp = limiter({ keyPrefix: 'login-fail-ip', points: limits.failuresPerIpPerDay, duration: DAY_SECONDS, blockDuration: DAY_SECONDS });
  const byUser = limiter({ keyPrefix: 'login-fail-user', points: limits.failuresPerUserPerHour, duration: HOUR_SECONDS, blockDuration: HOUR_SECONDS });
  const knownPairs = limiter({ keyPrefix: 'login-known', points: 1, duration: KNOWN_PAIR_SECONDS });

  /** 0 when `key` had an attempt left (now taken), else the ms until it has one. */
  const take = async (rl: RateLimiterAbstract, key: string): Promise<number> => {
    try {
      await rl.consume(key, 1);
      return 0;
    } catch (refusal) {
      if (refusal instanceof RateLimiterRes) return Math.max(1, refusal.msBeforeNext);
      throw refusal;
    }
  };

  /**
   * Gives an attempt's point back, and forgets a count left at zero: kept, it would stay a day for every client that
   * ever logged in, in Redis or this process's memory. (An attempt counted between the two is forgotten with it.)
   */
  const giveBack = async (rl: RateLimiterAbstract, key: string): Promise<void> => {
    const left = await rl.reward(key, 1);
    if (left.consumedPoints <= 0) await rl.delete(key);
  };

  return {
    async begin(username, ip) {
      const key = pairKey(username, ip);
      // Many people share an address behind a NAT (a campus, a carrier): one of them spraying passwords must not lock
      // the others out for the day, so a username that logged in from it before is limited by its own failures in a
      // row alone, and neither counts against its IP nor is stopped by the IP's block.
      const [known, ipCount, userCount] = await Promise.all([knownPairs.get(key), byIp.get(ip), byUser.get(username)]);
      // An IP blocked for the day, or a username blocked for the hour, is refused before anything is counted: every
      // name a blocked IP went on trying would otherwise leave a count behind for a day (in Redis, or this process's
      // memory), and every network a blocked name was tried from one for its pair.
      if (!known && ipCount !== null && ipCount.consumedPoints > limits.failuresPerIpPerDay) {
        metrics?.rateLimited.inc({ class: 'login', subject: 'ip' });
        return Math.max(1, ipCount.msBeforeNext);
      }
      if (!known && userCount !== null && userCount.consumedPoints > limits.failuresPerUserPerHour) {
        metrics?.rateLimited.inc({ class: 'login', subject: 'username' });
        return Math.max(1, userCount.msBeforeNext);
      }
      // One count after the other: an attempt its username's count refuses tries no password, so it must not take
      // from (nor, in a burst, block) its IP's count for the day.
      const pair = await take(byPair, key);
      if (pair > 0) {
        metrics?.rateLimited.inc({ class: 'login', subject: 'user' });
        return pair;
      }
      if (known) return 0;
      const perIp = await take(byIp, ip);
      if (perIp > 0) {
        await giveBack(byPair, key);
        metrics?.rateLimited.inc({ class: 'login', subject: 'ip' });
        return perIp;
      }
      const perUser = await take(byUser, username);
      if (perUser === 0) return 0;
      await Promise.all([giveBack(byPair, key), giveBack(byIp, ip)]);
      metrics?.rateLimited.inc({ class: 'login', subject: 'username' });
      return perUser;
    },
    async succeeded(username, ip) {
      const key = pairKey(username, ip);
      // Known when it began, the attempt took nothing from its IP or username (a pair that became known meanwhile
      // keeps its points).
      const known = await knownPairs.get(key);
      await Promise.all([byPair.delete(key), knownPairs.set(key, 1, KNOWN_PAIR_SECONDS), ...(known ? [] : [giveBack(byIp, ip), giveBack(byUser, username)])]);
    },
    async abandoned(username, ip) {
      const key = pairKey(username, ip);
      const known = await knownPairs.get(key);
      await Promise.all([giveBack(byPair, key), ...(known ? [] : [giveBack(byIp, ip), giveBack(byUser, username)])]);
    },
  };
}

import { Redis } from 'ioredis';
import type { ReadCounters } from './counter-tally.js';

const COMMAND_STAT = /^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm;
const KEYSPACE_STAT = /^keyspace_(hits|misses):(\d+)\r?$/gm;

/**
 * Calls and µs spent of every command an INFO commandstats reply counts, as counters named `<command>\tcalls` and
 * `<command>\tusec` (INFO itself left out, being what reads them), and the keys read that were there or not, from
 * INFO stats, as `keys read\thits` and `keys read\tmisses`.
 */
export function commandCountersOf(info: string): Record<string, number> {
  const counters: Record<string, number> = {};
  for (const [, kind, count] of info.matchAll(KEYSPACE_STAT)) counters[`keys read\t${kind}`] = Number(count);
  for (const [, command, calls, usec] of info.matchAll(COMMAND_STAT)) {
    if (command === 'info') continue;
    counters[`${command}\tcalls`] = Number(calls);
    counters[`${command}\tusec`] = Number(usec);
  }
  return counters;
}

/**
 * A counter reader of the commands and keys the Redis at `url` has served, over one connection of its own kept until
 * `hooks` run: what tells a list's Redis cost by command count from its cost per command.
 */
export function redisCommandCounters(hooks: { after(fn: () => unknown): void }, url: string): ReadCounters {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  hooks.after(() => redis.quit());
  return async () => commandCountersOf(await redis.info('stats', 'commandstats'));
}

import { outsideRequests } from '@douyin/telemetry';
import type { Cache, CacheEntry } from './cache.js';

/**
 * How long after a failed write its statements may still commit: one whose connection was lost runs on in the
 * server until it ends, each statement waiting for a row lock at most 5 s (the pools' session setting, libs/db),
 * and a procedure runs up to four.
 */
const LATE_COMMIT_MS = 60_000;

/**
 * Runs a database write, then deletes `entries` from the cache unless the write answered `false` (it changed
 * nothing), and also when the write failed: a failed write may still have committed (its answer lost with the
 * connection), and a needless delete costs one miss, where a kept entry would serve the old value until its TTL.
 * A failed write's entries are deleted once more when it must have ended: one still running on the server may
 * commit after readers have filled them again with what it changes.
 */
export async function invalidatingWrite<T>(
  cache: Pick<Cache, 'invalidate'>,
  entries: readonly CacheEntry[],
  write: () => Promise<T>,
  { lateCommitMs = LATE_COMMIT_MS }: { lateCommitMs?: number } = {},
): Promise<T> {
  let result: T;
  try {
    result = await write();
  } catch (err) {
    // Outside the request: a minute later its trace has ended, and the timer must not keep its context alive.
    outsideRequests(() => setTimeout(() => void cache.invalidate(entries).catch(() => undefined), lateCommitMs)).unref();
    await cache.invalidate(entries);
    throw err;
  }
  if (result !== false) await cache.invalidate(entries);
  return result;
}

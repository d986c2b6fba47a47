import type { Cache, CacheEntry } from './cache.js';

/**
 * Runs a database write, then deletes `entries` from the cache unless the write answered `false` (it changed
 * nothing), and also when the write failed: a failed write may still have committed (its answer lost with the
 * connection), and a needless delete costs one miss, where a kept entry would serve the old value until its TTL.
 */
export async function invalidatingWrite<T>(cache: Pick<Cache, 'invalidate'>, entries: readonly CacheEntry[], write: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await write();
  } catch (err) {
    await cache.invalidate(entries);
    throw err;
  }
  if (result !== false) await cache.invalidate(entries);
  return result;
}

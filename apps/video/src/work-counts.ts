import type { Kysely } from 'kysely';
import type { CacheEntry, CacheKey } from '@douyin/cache';
import * as repo from './repository.js';
import type { VideoTables } from './tables.js';
import type { VideoCache } from './video-cache.js';

// An author's number of videos, shown on every feed page next to each author: counting them with GROUP BY was the
// costliest query of a page. Cached per author, zero included, and deleted after each publish commits.
const WORK_COUNT = 'work-count';

/** How many videos each author has published; authors without any are left out. */
export async function workCounts(db: Kysely<VideoTables>, cache: VideoCache, authorIds: readonly number[]) {
  const counts = await cache.many<number>(WORK_COUNT, authorIds, async (missing) => {
    const rows = await repo.countVideosByAuthors(db, missing as number[]);
    const found = new Map(rows.map(({ authorId, count }) => [authorId, count]));
    return new Map<CacheKey, number>(missing.map((id) => [id, found.get(id as number) ?? 0]));
  });
  return [...counts].filter(([, count]) => count > 0).map(([authorId, count]) => ({ userId: Number(authorId), count }));
}

/** The entry to invalidate once a new video of `authorId` is committed. */
export const workCountEntry = (authorId: number): CacheEntry => [WORK_COUNT, authorId];

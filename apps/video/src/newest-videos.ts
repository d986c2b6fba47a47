import type { Kysely } from 'kysely';
import type { CacheEntry } from '@douyin/cache';
import { FEED_MAX, type Video } from '@douyin/contracts';
import * as repo from './repository.js';
import type { VideoTables } from './tables.js';
import type { VideoCache } from './video-cache.js';

// Every APK start asks for the newest page (latest_time absent or the current time), so it was a database query
// per start. The newest FEED_MAX videos are cached as one entry and answer any page they hold entirely; publish
// times only grow (insertVideo), so a publish is the one thing that changes them, and it forgets the entry.
const NEWEST = 'newest-videos';
// Keyed by its length: a build with another FEED_MAX never reads a list of the old length.
const ENTRY_ID = FEED_MAX;

/** Newest first, strictly before `before` when given, at most `limit`. */
export async function feedPage(db: Kysely<VideoTables>, cache: VideoCache, before: number | undefined, limit: number): Promise<Video[]> {
  const cached = await cache.many<Video[]>(NEWEST, [ENTRY_ID], async () => {
    const rows = await repo.listFeed(db, undefined, FEED_MAX);
    return new Map([[ENTRY_ID, rows.map(repo.toVideo)]]);
  });
  const newest = cached.get(ENTRY_ID) ?? [];
  const page = before === undefined ? newest : newest.filter((v) => v.publishedAt < before);
  // The page is complete when it is full, or when the entry holds every video there is (fewer than it could).
  if (page.length >= limit || newest.length < FEED_MAX) return page.slice(0, limit);
  return (await repo.listFeed(db, before, limit)).map(repo.toVideo);
}

/** The entry to invalidate once a new video is committed. */
export const newestVideosEntry: CacheEntry = [NEWEST, ENTRY_ID];

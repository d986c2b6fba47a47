import type { Kysely } from 'kysely';
import type { CacheKey } from '@douyin/cache';
import type { Video } from '@douyin/contracts';
import * as repo from './repository.js';
import type { VideoTables } from './tables.js';
import type { VideoCache } from './video-cache.js';

// Every favorite list reads its hundred videos by id, at random among all of them: reading them from the database
// was the costliest statement of a list, and three times dearer a row among 1M videos than among 10k. A video is
// never edited or deleted once published, so its entry never needs forgetting; an id not found is not cached.
const VIDEO = 'video';

/** The videos of `ids` that exist, in the order of `ids` (each once). */
export async function videosById(db: Kysely<VideoTables>, cache: VideoCache, ids: readonly number[]): Promise<Video[]> {
  const found = await cache.many<Video>(VIDEO, ids, async (missing) => {
    const rows = await repo.listVideosByIds(db, missing as number[]);
    return new Map<CacheKey, Video>(rows.map((row) => [row.id, repo.toVideo(row)]));
  });
  return [...new Set(ids)].flatMap((id) => found.get(id) ?? []);
}

import type { Kysely } from 'kysely';
import type { Cache, CacheKey } from '@douyin/cache';
import type { UserFavoriteFacts, VideoFavoriteFacts } from '@douyin/contracts';
import * as repo from './repository.js';
import type { FavoriteTables } from './tables.js';

// Cache spaces: a video's favorite_count, a user's two counts, and whether a user likes a video ("user:video").
const VIDEO_COUNT = 'video-count';
const USER_COUNTS = 'user-counts';
const LIKED = 'liked';

type UserCounts = Omit<UserFavoriteFacts, 'userId'>;

const pairKey = (userId: number, videoId: number) => `${userId}:${videoId}`;

/** The cache entries a committed like or unlike made stale. */
export function invalidationsOf(like: repo.Like): Array<[string, CacheKey]> {
  return [
    [VIDEO_COUNT, like.videoId],
    [LIKED, pairKey(like.userId, like.videoId)],
    [USER_COUNTS, like.userId],
    [USER_COUNTS, like.authorId],
  ];
}

/** The hot reads, cache-aside: every id gets an answer (zeros when the database has no counter row yet). */
export function favoriteFacts(db: Kysely<FavoriteTables>, cache: Cache) {
  const videoCounts = (videoIds: number[]) =>
    cache.many<number>(VIDEO_COUNT, videoIds, async (missing) => {
      const rows = await repo.listVideoCounts(db, missing as number[]);
      const found = new Map(rows.map((row) => [row.video_id, row.favorite_count]));
      return new Map(missing.map((id) => [id, found.get(id as number) ?? 0]));
    });

  const likedAmong = async (viewerId: number | undefined, videoIds: number[]) => {
    if (viewerId === undefined) return new Set<number>();
    const keyed = new Map(videoIds.map((id) => [pairKey(viewerId, id), id]));
    const liked = await cache.many<boolean>(LIKED, [...keyed.keys()], async (missing) => {
      const ids = missing.map((key) => keyed.get(key as string) as number);
      const found = new Set(await repo.listLikedAmong(db, viewerId, ids));
      return new Map(missing.map((key) => [key, found.has(keyed.get(key as string) as number)]));
    });
    return new Set(videoIds.filter((id) => liked.get(pairKey(viewerId, id))));
  };

  return {
    async videos(videoIds: readonly number[], viewerId: number | undefined): Promise<VideoFavoriteFacts[]> {
      const ids = [...new Set(videoIds)];
      const [counts, liked] = await Promise.all([videoCounts(ids), likedAmong(viewerId, ids)]);
      return ids.map((videoId) => ({ videoId, favoriteCount: counts.get(videoId) ?? 0, isFavorite: liked.has(videoId) }));
    },

    async users(userIds: readonly number[]): Promise<UserFavoriteFacts[]> {
      const ids = [...new Set(userIds)];
      const counts = await cache.many<UserCounts>(USER_COUNTS, ids, async (missing) => {
        const rows = await repo.listUserCounts(db, missing as number[]);
        const found = new Map(rows.map((row) => [row.user_id, { favoriteCount: row.favorite_count, totalFavorited: row.total_favorited }]));
        return new Map(missing.map((id) => [id, found.get(id as number) ?? { favoriteCount: 0, totalFavorited: 0 }]));
      });
      return ids.map((userId) => ({ userId, ...(counts.get(userId) ?? { favoriteCount: 0, totalFavorited: 0 }) }));
    },
  };
}

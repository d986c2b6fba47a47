import type { Kysely } from 'kysely';
import type { Cache, CacheKey } from '@douyin/cache';
import { answerOf, questionsOf, type PairsInput, type UserFavoriteFacts, type UserItems, type VideoFavoriteFacts } from '@douyin/contracts';
import * as repo from './repository.js';
import type { FavoriteTables } from './tables.js';

// Cache spaces: a video's favorite_count and a user's two counts.
const VIDEO_COUNT = 'video-count';
const USER_COUNTS = 'user-counts';

type UserCounts = Omit<UserFavoriteFacts, 'userId'>;

/** The cache entries a committed like or unlike made stale. */
export function invalidationsOf(like: repo.Like): Array<[string, CacheKey]> {
  return [
    [VIDEO_COUNT, like.videoId],
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

  // Whether a viewer likes each video comes from the pair's unique index, one statement for a whole page (or the
  // pages of many viewers). Pairs are not cached: a viewer rarely sees one video twice within the TTL (on favorite
  // lists three reads in four missed), so a pair cache would add Redis work to most pages on top of this same query.
  const likedAmong = async (input: PairsInput): Promise<UserItems[]> => {
    const questions = questionsOf(input);
    return answerOf(questions, await repo.listLikedPairs(db, questions));
  };

  return {
    async videos(videoIds: readonly number[]): Promise<VideoFavoriteFacts[]> {
      const ids = [...new Set(videoIds)];
      const counts = await videoCounts(ids);
      return ids.map((videoId) => ({ videoId, favoriteCount: counts.get(videoId) ?? 0 }));
    },

    likedAmong,

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

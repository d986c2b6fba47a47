import type { Kysely } from 'kysely';
import { favoriteRouter, requireUsers, requireVideo, type FavoriteHandlers, type UserLookup, type VideoLookup } from '@douyin/contracts';
import type { Cache } from '@douyin/cache';
import { transactionWithRetry } from '@douyin/db';
import * as repo from './repository.js';
import { favoriteFacts, invalidationsOf } from './service.js';
import type { FavoriteTables } from './tables.js';

export interface FavoriteDeps {
  db: Kysely<FavoriteTables>;
  cache: Cache;
  /** The video service's contract: a video's existence and author are its business. */
  video: VideoLookup;
  user: UserLookup;
  now?: () => number;
}

export function createRouter({ db, cache, video, user, now = Date.now }: FavoriteDeps) {
  const facts = favoriteFacts(db, cache);

  // Counts move in the transaction that inserts or deletes the row, and only if it really did; the cache entries
  // are deleted after the commit, so no reader can cache the old value afterwards. The video's count moves first
  // (its row lock orders the likes of one video) and is rolled back with the rest when the like was already there
  // (or already gone). Five round trips with BEGIN and COMMIT; the lock is held for the last three.
  async function change(actorId: number, videoId: number, delta: 1 | -1) {
    const { authorId } = await requireVideo(video, videoId);
    const like = { userId: actorId, videoId, authorId };
    const changed = await transactionWithRetry(db, async (trx, rollback) => {
      await repo.addToVideoCount(trx, videoId, delta);
      const done = delta === 1 ? await repo.insertLike(trx, like, now()) : await repo.deleteLike(trx, like);
      if (!done) return rollback(false);
      await repo.addToUserCounts(trx, like, delta);
      return true;
    });
    if (changed) await cache.invalidate(invalidationsOf(like));
  }

  const handlers: FavoriteHandlers = {
    like: ({ actorId, videoId }) => change(actorId, videoId, 1),
    unlike: ({ actorId, videoId }) => change(actorId, videoId, -1),

    async likedVideos({ userId }) {
      await requireUsers(user, [userId]);
      return repo.listLikedVideoIds(db, userId);
    },

    videoFacts: ({ videoIds }) => facts.videos(videoIds),
    likedAmong: (input) => facts.likedAmong(input),
    userFacts: ({ userIds }) => facts.users(userIds),
  };
  return favoriteRouter(handlers);
}

import type { Kysely } from 'kysely';
import { favoriteRouter, requireActorAndVideo, requireUsers, type FavoriteHandlers, type UserLookup, type VideoLookup } from '@douyin/contracts';
import { invalidatingWrite, type Cache } from '@douyin/cache';
import { ensureTimeToWrite } from '@douyin/mesh';
import * as repo from './repository.js';
import { favoriteFacts, invalidationsOf } from './service.js';
import type { FavoriteTables } from './tables.js';

export interface FavoriteDeps {
  db: Kysely<FavoriteTables>;
  cache: Cache;
  /** The video service's contract: a video's existence and author are its business. */
  video: VideoLookup;
  /** The user service's contract: whether the actor and a list's owner exist. */
  user: UserLookup;
  now?: () => number;
}

export function createRouter({ db, cache, video, user, now = Date.now }: FavoriteDeps) {
  const facts = favoriteFacts(db, cache);

  // The cache entries are deleted after the commit (or after a failure that may have committed), so no reader can
  // cache the old counts afterwards.
  async function change(actorId: number, videoId: number, delta: 1 | -1) {
    const { authorId } = await requireActorAndVideo(user, video, actorId, videoId);
    const like = { userId: actorId, videoId, authorId };
    ensureTimeToWrite();
    await invalidatingWrite(cache, invalidationsOf(like), () => repo.changeLike(db, like, delta, now()));
  }

  const handlers: FavoriteHandlers = {
    like: ({ actorId, videoId }) => change(actorId, videoId, 1),
    unlike: ({ actorId, videoId }) => change(actorId, videoId, -1),

    async likedVideos({ userId, limit }) {
      await requireUsers(user, [userId]);
      return repo.listLikedVideoIds(db, userId, limit);
    },

    videoFacts: ({ videoIds }) => facts.videos(videoIds),
    likedAmong: (input) => facts.likedAmong(input),
    userFacts: ({ userIds }) => facts.users(userIds),
  };
  return favoriteRouter(handlers);
}

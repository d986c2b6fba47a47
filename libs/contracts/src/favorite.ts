import { z } from 'zod';
import { Id, IdBatch } from './ids.js';
import { ListLimit } from './lists.js';
import { PairsInput, type UserItems } from './pairs.js';
import { procedure, router } from './trpc.js';

export const LikeInput = z.object({ actorId: Id, videoId: Id });
export type LikeInput = z.infer<typeof LikeInput>;

export const LikedVideosInput = z.object({ userId: Id, limit: ListLimit });
export type LikedVideosInput = z.infer<typeof LikedVideosInput>;

export const VideoFavoriteFactsInput = z.object({ videoIds: IdBatch });
export type VideoFavoriteFactsInput = z.infer<typeof VideoFavoriteFactsInput>;

export const UserFavoriteFactsInput = z.object({ userIds: IdBatch });
export type UserFavoriteFactsInput = z.infer<typeof UserFavoriteFactsInput>;

/** What the favorite service knows about one video (whether a viewer likes it: likedAmong). */
export interface VideoFavoriteFacts {
  videoId: number;
  favoriteCount: number;
}

/** What the favorite service knows about one user. */
export interface UserFavoriteFacts {
  userId: number;
  /** Videos this user likes now. */
  favoriteCount: number;
  /** Likes this user's videos have received. */
  totalFavorited: number;
}

export interface FavoriteHandlers {
  /** Idempotent: a second like changes nothing. NOT_FOUND/video_not_found for an unknown video. */
  like(input: LikeInput): Promise<void>;
  /** Idempotent: unliking what is not liked changes nothing. NOT_FOUND/video_not_found for an unknown video. */
  unlike(input: LikeInput): Promise<void>;
  /** Ids of the `limit` videos `userId` liked last, most recently liked first; NOT_FOUND/user_not_found for an unknown user. */
  likedVideos(input: LikedVideosInput): Promise<number[]>;
  /** favorite_count for a page of videos in one call; every requested id gets an entry. */
  videoFacts(input: VideoFavoriteFactsInput): Promise<VideoFavoriteFacts[]>;
  /** For each user asked, which of its own video ids it likes (is_favorite for the pages of many viewers at once). */
  likedAmong(input: PairsInput): Promise<UserItems[]>;
  /** favorite_count and total_favorited for a page of users in one call; every requested id gets an entry. */
  userFacts(input: UserFavoriteFactsInput): Promise<UserFavoriteFacts[]>;
}

export const favoriteRouter = (h: FavoriteHandlers) =>
  router({
    like: procedure.input(LikeInput).mutation(({ input }) => h.like(input)),
    unlike: procedure.input(LikeInput).mutation(({ input }) => h.unlike(input)),
    likedVideos: procedure.input(LikedVideosInput).query(({ input }) => h.likedVideos(input)),
    videoFacts: procedure.input(VideoFavoriteFactsInput).query(({ input }) => h.videoFacts(input)),
    likedAmong: procedure.input(PairsInput).query(({ input }) => h.likedAmong(input)),
    userFacts: procedure.input(UserFavoriteFactsInput).query(({ input }) => h.userFacts(input)),
  });
export type FavoriteRouter = ReturnType<typeof favoriteRouter>;

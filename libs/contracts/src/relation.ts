import { z } from 'zod';
import { Id, IdBatch } from './ids.js';
import { ListLimit } from './lists.js';
import { PairsInput, type UserItems } from './pairs.js';
import { procedure, router } from './trpc.js';

export const FollowInput = z.object({ actorId: Id, targetId: Id });
export type FollowInput = z.infer<typeof FollowInput>;

export const RelationUserInput = z.object({ userId: Id, limit: ListLimit });
export type RelationUserInput = z.infer<typeof RelationUserInput>;

export const RelationFactsInput = z.object({ userIds: IdBatch });
export type RelationFactsInput = z.infer<typeof RelationFactsInput>;

/** What the relation service counts for one user (whether a viewer follows them: followedAmong). */
export interface RelationFacts {
  userId: number;
  followCount: number;
  followerCount: number;
}

export interface RelationHandlers {
  /** Idempotent. NOT_FOUND/user_not_found for an unknown target; BAD_REQUEST/self_action for oneself. */
  follow(input: FollowInput): Promise<void>;
  /** Idempotent, with the same checks as follow. */
  unfollow(input: FollowInput): Promise<void>;
  /** Ids of the `limit` users `userId` followed last, most recent first; NOT_FOUND/user_not_found for an unknown user. */
  following(input: RelationUserInput): Promise<number[]>;
  /** Ids of the `limit` users who followed `userId` last, most recent first; NOT_FOUND/user_not_found for an unknown user. */
  followers(input: RelationUserInput): Promise<number[]>;
  /** Ids of the `limit` users `userId` followed last among those who follow back, most recent first. */
  friends(input: RelationUserInput): Promise<number[]>;
  /** Follow counts for a page of users in one call; every requested id gets an entry (zeros if unknown). */
  facts(input: RelationFactsInput): Promise<RelationFacts[]>;
  /** For each user asked, which of its own user ids it follows (is_follow for the pages of many viewers at once). */
  followedAmong(input: PairsInput): Promise<UserItems[]>;
}

export const relationRouter = (h: RelationHandlers) =>
  router({
    follow: procedure.input(FollowInput).mutation(({ input }) => h.follow(input)),
    unfollow: procedure.input(FollowInput).mutation(({ input }) => h.unfollow(input)),
    following: procedure.input(RelationUserInput).query(({ input }) => h.following(input)),
    followers: procedure.input(RelationUserInput).query(({ input }) => h.followers(input)),
    friends: procedure.input(RelationUserInput).query(({ input }) => h.friends(input)),
    facts: procedure.input(RelationFactsInput).query(({ input }) => h.facts(input)),
    followedAmong: procedure.input(PairsInput).query(({ input }) => h.followedAmong(input)),
  });
export type RelationRouter = ReturnType<typeof relationRouter>;

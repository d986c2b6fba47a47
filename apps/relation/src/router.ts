import type { Kysely } from 'kysely';
import { invalidatingWrite } from '@douyin/cache';
import { ensureTimeToWrite } from '@douyin/mesh';
import { Reason, answerOf, domainError, questionsOf, relationRouter, requireUsers, type PairsInput, type RelationHandlers, type UserItems, type UserLookup } from '@douyin/contracts';
import { followCountEntries, followCounts, type FollowCountCache } from './follow-counts.js';
import * as repo from './repository.js';
import type { RelationTables } from './tables.js';

export interface RelationDeps {
  db: Kysely<RelationTables>;
  /** The user service's contract: existence of ids is its business, never a read of its table. */
  user: UserLookup;
  /** Follow and follower counts, forgotten after each follow or unfollow that changed them. */
  cache: FollowCountCache;
  now?: () => number;
}

export function createRouter({ db, user, cache, now = Date.now }: RelationDeps) {
  // Whether a viewer follows each user comes from the pair's unique index, one statement for a whole page (or the
  // pages of many viewers); like is_favorite, pairs are not cached.
  async function followedAmong(input: PairsInput): Promise<UserItems[]> {
    const questions = questionsOf(input);
    return answerOf(questions, await repo.listFollowedPairs(db, questions));
  }

  // Contract check order: an unknown target (40401) is reported before following oneself (40007). The actor is asked
  // in the same call: the gateway vouches for its token's user, but a call from elsewhere in the mesh for an id nobody
  // has would otherwise be stored and counted, a follower no list can show.
  async function checkTarget(actorId: number, targetId: number) {
    await requireUsers(user, [actorId, targetId]);
    if (actorId === targetId) throw domainError('BAD_REQUEST', Reason.selfAction, 'cannot follow yourself');
  }

  // Both users' cached counts are deleted after the commit, or after a failure that may have committed.
  async function change(actorId: number, targetId: number, delta: 1 | -1) {
    await checkTarget(actorId, targetId);
    const write = () => repo.changeFollow(db, actorId, targetId, delta, now());
    ensureTimeToWrite();
    await invalidatingWrite(cache, followCountEntries(actorId, targetId), write);
  }

  const handlers: RelationHandlers = {
    follow: ({ actorId, targetId }) => change(actorId, targetId, 1),
    unfollow: ({ actorId, targetId }) => change(actorId, targetId, -1),

    async following({ userId, limit }) {
      await requireUsers(user, [userId]);
      return repo.listFollowees(db, userId, limit);
    },

    async followers({ userId, limit }) {
      await requireUsers(user, [userId]);
      return repo.listFollowers(db, userId, limit);
    },

    friends: ({ userId, limit }) => repo.listFriends(db, userId, limit),

    async facts({ userIds }) {
      const ids = [...new Set(userIds)];
      const counts = await followCounts(db, cache, ids);
      return ids.map((userId) => ({
        userId,
        followCount: counts.get(userId)?.followCount ?? 0,
        followerCount: counts.get(userId)?.followerCount ?? 0,
      }));
    },

    followedAmong,
  };
  return relationRouter(handlers);
}

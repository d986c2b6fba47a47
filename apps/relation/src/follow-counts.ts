import type { Kysely } from 'kysely';
import type { Cache, CacheEntry, CacheKey } from '@douyin/cache';
import * as repo from './repository.js';
import type { RelationTables } from './tables.js';

// Every feed page shows each author's follow and follower counts: cached per user, zeros included, and deleted
// for both users after each follow or unfollow commits.
const COUNTS = 'counts';

export type FollowCountCache = Pick<Cache, 'many' | 'invalidate'>;
export interface FollowCounts {
  followCount: number;
  followerCount: number;
}

/** The counts of each of `userIds` (zeros for users nobody follows and who follow nobody). */
export function followCounts(db: Kysely<RelationTables>, cache: FollowCountCache, userIds: readonly number[]): Promise<Map<CacheKey, FollowCounts>> {
  return cache.many<FollowCounts>(COUNTS, userIds, async (missing) => {
    const rows = new Map((await repo.listCounts(db, missing as number[])).map((row) => [row.user_id, row]));
    return new Map(
      missing.map((id) => {
        const row = rows.get(id as number);
        return [id, { followCount: row?.follow_count ?? 0, followerCount: row?.follower_count ?? 0 }];
      }),
    );
  });
}

/** The entries a follow or unfollow between the two users changes: both users' counts. */
export const followCountEntries = (actorId: number, targetId: number): CacheEntry[] => [
  [COUNTS, actorId],
  [COUNTS, targetId],
];

import type { Kysely, Selectable } from 'kysely';
import { addToCounters, changedByProcedure, dialectOf, existingPairs, transactionWithRetry, type CounterTable } from '@douyin/db';
import type { FollowCountsTable, RelationTables } from './tables.js';

export type CountsRow = Selectable<FollowCountsTable>;

/** The MySQL/MariaDB procedure of a follow or unfollow (its migration says why this version). */
export const FOLLOW_PROCEDURE = 'change_follow_v2';

/**
 * Follows (delta 1) or unfollows (-1), moving the follower's follow_count and the followee's follower_count in the
 * same transaction, and only if the follow row really was inserted or deleted; false when it already existed (or was
 * already gone). A deadlock victim runs again. On MySQL/MariaDB the transaction is one call of the procedure the
 * migrations create (one round trip instead of four); the embedded SQLite runs the same statements itself.
 */
export async function changeFollow(db: Kysely<RelationTables>, followerId: number, followeeId: number, delta: 1 | -1, now: number): Promise<boolean> {
  if (dialectOf(db) === 'mysql') {
    return changedByProcedure(db, FOLLOW_PROCEDURE, [followerId, followeeId, delta, now]);
  }
  return transactionWithRetry(db, async (trx) => {
    const changed = delta === 1 ? await insertFollow(trx, followerId, followeeId, now) : await deleteFollow(trx, followerId, followeeId);
    if (changed) {
      await addToCounters(trx, COUNTS, [
        { key: followerId, add: { follow_count: delta } },
        { key: followeeId, add: { follower_count: delta } },
      ]);
    }
    return changed;
  });
}

/** Inserts the follow row; false when it already existed (INSERT IGNORE on the pair's unique key). */
async function insertFollow(db: Kysely<RelationTables>, followerId: number, followeeId: number, now: number): Promise<boolean> {
  const result = await db
    .insertInto('follows')
    .ignore()
    .values({ follower_id: followerId, followee_id: followeeId, created_at: now })
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Deletes the follow row; false when there was none. */
async function deleteFollow(db: Kysely<RelationTables>, followerId: number, followeeId: number): Promise<boolean> {
  const result = await db.deleteFrom('follows').where('follower_id', '=', followerId).where('followee_id', '=', followeeId).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

const COUNTS: CounterTable<'follow_count' | 'follower_count'> = { table: 'follow_counts', key: 'user_id', counters: ['follow_count', 'follower_count'] };

/** Ids `userId` follows, most recent relation first. */
export async function listFollowees(db: Kysely<RelationTables>, userId: number, limit: number): Promise<number[]> {
  const rows = await db.selectFrom('follows').select('followee_id').where('follower_id', '=', userId).orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => r.followee_id);
}

/** Ids following `userId`, most recent relation first. */
export async function listFollowers(db: Kysely<RelationTables>, userId: number, limit: number): Promise<number[]> {
  const rows = await db.selectFrom('follows').select('follower_id').where('followee_id', '=', userId).orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => r.follower_id);
}

/** Ids `userId` follows who follow `userId` back, most recently followed first. */
export async function listFriends(db: Kysely<RelationTables>, userId: number, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('follows as out')
    .innerJoin('follows as back', (join) =>
      join.onRef('back.follower_id', '=', 'out.followee_id').onRef('back.followee_id', '=', 'out.follower_id'),
    )
    .select('out.followee_id')
    .where('out.follower_id', '=', userId)
    .orderBy('out.id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => r.followee_id);
}

export async function listCounts(db: Kysely<RelationTables>, userIds: readonly number[]): Promise<CountsRow[]> {
  if (userIds.length === 0) return [];
  return db.selectFrom('follow_counts').selectAll().where('user_id', 'in', [...userIds]).execute();
}

/** The follows of the pairs asked about (follower → followee ids), as [follower, followee]: one statement for any number of followers. */
export const listFollowedPairs = (db: Kysely<RelationTables>, questions: ReadonlyMap<number, readonly number[]>) =>
  existingPairs(db, { table: 'follows', user: 'follower_id', item: 'followee_id' }, questions);

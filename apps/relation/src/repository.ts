import { sql, type Kysely, type Selectable } from 'kysely';
import type { FollowCountsTable, RelationTables } from './tables.js';

export type CountsRow = Selectable<FollowCountsTable>;

/**
 * Makes sure both users have a counts row. Runs on its own, before the follow transaction: on InnoDB an
 * INSERT IGNORE that meets an existing row takes a shared lock, and upgrading it to the UPDATE's exclusive lock
 * inside one transaction would deadlock two concurrent follows of the same user.
 */
export async function ensureCounts(db: Kysely<RelationTables>, userIds: readonly number[]): Promise<void> {
  await db
    .insertInto('follow_counts')
    .ignore()
    // Ascending ids: two follows in opposite directions lock the rows in the same order, never in a cycle.
    .values([...userIds].sort((a, b) => a - b).map((user_id) => ({ user_id, follow_count: 0, follower_count: 0 })))
    .execute();
}

/** Inserts the follow row; false when it already existed (INSERT IGNORE on the pair's unique key). */
export async function insertFollow(db: Kysely<RelationTables>, followerId: number, followeeId: number, now: number): Promise<boolean> {
  const result = await db
    .insertInto('follows')
    .ignore()
    .values({ follower_id: followerId, followee_id: followeeId, created_at: now })
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Deletes the follow row; false when there was none. */
export async function deleteFollow(db: Kysely<RelationTables>, followerId: number, followeeId: number): Promise<boolean> {
  const result = await db.deleteFrom('follows').where('follower_id', '=', followerId).where('followee_id', '=', followeeId).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Adds `delta` to the follower's follow_count and the followee's follower_count. */
export async function addToCounts(db: Kysely<RelationTables>, followerId: number, followeeId: number, delta: 1 | -1): Promise<void> {
  const updates = [
    { userId: followerId, column: 'follow_count' as const },
    { userId: followeeId, column: 'follower_count' as const },
  ];
  // Rows are locked in ascending user id, so follows in opposite directions cannot wait on each other in a cycle.
  updates.sort((a, b) => a.userId - b.userId);
  for (const { userId, column } of updates) {
    await db
      .updateTable('follow_counts')
      .set({ [column]: sql`${sql.ref(column)} + ${delta}` })
      .where('user_id', '=', userId)
      .execute();
  }
}

/** Ids `userId` follows, most recent relation first. */
export async function listFollowees(db: Kysely<RelationTables>, userId: number): Promise<number[]> {
  const rows = await db.selectFrom('follows').select('followee_id').where('follower_id', '=', userId).orderBy('id', 'desc').execute();
  return rows.map((r) => r.followee_id);
}

/** Ids following `userId`, most recent relation first. */
export async function listFollowers(db: Kysely<RelationTables>, userId: number): Promise<number[]> {
  const rows = await db.selectFrom('follows').select('follower_id').where('followee_id', '=', userId).orderBy('id', 'desc').execute();
  return rows.map((r) => r.follower_id);
}

/** Ids `userId` follows who follow `userId` back. */
export async function listFriends(db: Kysely<RelationTables>, userId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('follows as out')
    .innerJoin('follows as back', (join) =>
      join.onRef('back.follower_id', '=', 'out.followee_id').onRef('back.followee_id', '=', 'out.follower_id'),
    )
    .select('out.followee_id')
    .where('out.follower_id', '=', userId)
    .execute();
  return rows.map((r) => r.followee_id);
}

export async function listCounts(db: Kysely<RelationTables>, userIds: readonly number[]): Promise<CountsRow[]> {
  if (userIds.length === 0) return [];
  return db.selectFrom('follow_counts').selectAll().where('user_id', 'in', [...userIds]).execute();
}

/** Which of `userIds` the viewer follows. */
export async function listFollowedAmong(db: Kysely<RelationTables>, viewerId: number, userIds: readonly number[]): Promise<number[]> {
  if (userIds.length === 0) return [];
  const rows = await db
    .selectFrom('follows')
    .select('followee_id')
    .where('follower_id', '=', viewerId)
    .where('followee_id', 'in', [...userIds])
    .execute();
  return rows.map((r) => r.followee_id);
}

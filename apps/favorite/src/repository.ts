import type { Kysely } from 'kysely';
import { addToCounters, existingPairs, type CounterTable } from '@douyin/db';
import type { FavoriteTables } from './tables.js';

export interface Like {
  userId: number;
  videoId: number;
  authorId: number;
}

const VIDEO_COUNTS: CounterTable<'favorite_count'> = { table: 'video_favorite_counts', key: 'video_id', counters: ['favorite_count'] };
const USER_COUNTS: CounterTable<'favorite_count' | 'total_favorited'> = {
  table: 'user_favorite_counts',
  key: 'user_id',
  counters: ['favorite_count', 'total_favorited'],
};

/**
 * Adds `delta` to the video's favorite_count, creating its row if needed. Called first in a like's transaction, it
 * takes the video's counter row lock, so every like and unlike of one video runs one after the other: without it,
 * InnoDB deadlocks a delete and two INSERT IGNOREs of one (user, video) pair (each waits to upgrade the shared lock
 * of its duplicate check), and a busy pair exhausts the retries. The caller rolls back if the like did not change.
 */
export function addToVideoCount(db: Kysely<FavoriteTables>, videoId: number, delta: 1 | -1): Promise<void> {
  return addToCounters(db, VIDEO_COUNTS, [{ key: videoId, add: { favorite_count: delta } }]);
}

/** Inserts the like; false when it already existed (INSERT IGNORE on the pair's unique key). */
export async function insertLike(db: Kysely<FavoriteTables>, like: Like, now: number): Promise<boolean> {
  const result = await db
    .insertInto('favorites')
    .ignore()
    .values({ user_id: like.userId, video_id: like.videoId, author_id: like.authorId, created_at: now })
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Deletes the like; false when there was none. */
export async function deleteLike(db: Kysely<FavoriteTables>, like: Like): Promise<boolean> {
  const result = await db.deleteFrom('favorites').where('user_id', '=', like.userId).where('video_id', '=', like.videoId).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Adds `delta` to the liker's favorite_count and the author's total_favorited, in one statement. */
export function addToUserCounts(db: Kysely<FavoriteTables>, like: Like, delta: 1 | -1): Promise<void> {
  return addToCounters(db, USER_COUNTS, [
    { key: like.userId, add: { favorite_count: delta } },
    { key: like.authorId, add: { total_favorited: delta } },
  ]);
}

/** Ids of the videos `userId` likes, most recently liked first (ties by like id). */
export async function listLikedVideoIds(db: Kysely<FavoriteTables>, userId: number): Promise<number[]> {
  const rows = await db
    .selectFrom('favorites')
    .select('video_id')
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .execute();
  return rows.map((r) => r.video_id);
}

/** The likes of the pairs asked about (user → video ids), as [user, video]: one statement for any number of users. */
export const listLikedPairs = (db: Kysely<FavoriteTables>, questions: ReadonlyMap<number, readonly number[]>) =>
  existingPairs(db, { table: 'favorites', user: 'user_id', item: 'video_id' }, questions);

export function listVideoCounts(db: Kysely<FavoriteTables>, videoIds: readonly number[]) {
  return db.selectFrom('video_favorite_counts').selectAll().where('video_id', 'in', [...videoIds]).execute();
}

export function listUserCounts(db: Kysely<FavoriteTables>, userIds: readonly number[]) {
  return db.selectFrom('user_favorite_counts').selectAll().where('user_id', 'in', [...userIds]).execute();
}

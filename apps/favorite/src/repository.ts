import type { Kysely } from 'kysely';
import { addToCounters, changedByProcedure, dialectOf, existingPairs, transactionWithRetry, type CounterTable } from '@douyin/db';
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
 * Likes (delta 1) or unlikes (-1) the video, moving the video's favorite_count, the liker's favorite_count and the
 * author's total_favorited in the same transaction, and only if the like row really was inserted or deleted; false
 * when it already existed (or was already gone). A deadlock victim runs again.
 *
 * The video's counter row is written first: its lock orders every like and unlike of one video, since without it
 * InnoDB deadlocks a delete and two INSERT IGNOREs of one pair (each waits to upgrade the shared lock of its
 * duplicate check) and a busy pair exhausts the retries; the counter change is rolled back with the rest when the like
 * did not change. On MySQL/MariaDB the transaction is one call of the procedure the migrations create (one round trip
 * instead of five); the embedded SQLite runs the same statements itself.
 */
export async function changeLike(db: Kysely<FavoriteTables>, like: Like, delta: 1 | -1, now: number): Promise<boolean> {
  if (dialectOf(db) === 'mysql') {
    return changedByProcedure(db, 'change_favorite_v1', [like.userId, like.videoId, like.authorId, delta, now]);
  }
  return transactionWithRetry(db, async (trx, rollback) => {
    await addToCounters(trx, VIDEO_COUNTS, [{ key: like.videoId, add: { favorite_count: delta } }]);
    const changed = delta === 1 ? await insertLike(trx, like, now) : await deleteLike(trx, like);
    if (!changed) return rollback(false);
    await addToCounters(trx, USER_COUNTS, [
      { key: like.userId, add: { favorite_count: delta } },
      { key: like.authorId, add: { total_favorited: delta } },
    ]);
    return true;
  });
}

/** Inserts the like; false when it already existed (INSERT IGNORE on the pair's unique key). */
async function insertLike(db: Kysely<FavoriteTables>, like: Like, now: number): Promise<boolean> {
  const result = await db
    .insertInto('favorites')
    .ignore()
    .values({ user_id: like.userId, video_id: like.videoId, author_id: like.authorId, created_at: now })
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Deletes the like; false when there was none. */
async function deleteLike(db: Kysely<FavoriteTables>, like: Like): Promise<boolean> {
  const result = await db.deleteFrom('favorites').where('user_id', '=', like.userId).where('video_id', '=', like.videoId).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

/** Ids of the videos `userId` likes, most recently liked first (ties by like id). */
export async function listLikedVideoIds(db: Kysely<FavoriteTables>, userId: number, limit: number): Promise<number[]> {
  const rows = await db
    .selectFrom('favorites')
    .select('video_id')
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
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

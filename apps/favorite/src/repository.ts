import { sql, type Kysely } from 'kysely';
import { dialectOf } from '@douyin/db';
import type { FavoriteTables } from './tables.js';

export interface Like {
  userId: number;
  videoId: number;
  authorId: number;
}

/**
 * Makes sure the counter rows of a like exist, before the like's transaction. It inserts only rows a plain
 * (non-locking) read did not find: on InnoDB an INSERT IGNORE that meets an existing row takes a shared lock,
 * which deadlocks against the like transactions updating that row.
 */
export async function ensureCounts(db: Kysely<FavoriteTables>, like: Like): Promise<void> {
  const video = await db.selectFrom('video_favorite_counts').select('video_id').where('video_id', '=', like.videoId).executeTakeFirst();
  if (!video) await db.insertInto('video_favorite_counts').ignore().values({ video_id: like.videoId, favorite_count: 0 }).execute();
  const userIds = [...new Set([like.userId, like.authorId])];
  const found = new Set((await db.selectFrom('user_favorite_counts').select('user_id').where('user_id', 'in', userIds).execute()).map((r) => r.user_id));
  // Ascending ids, the order the like transactions lock them in.
  const missing = userIds.filter((id) => !found.has(id)).sort((a, b) => a - b);
  if (missing.length === 0) return;
  await db
    .insertInto('user_favorite_counts')
    .ignore()
    .values(missing.map((user_id) => ({ user_id, favorite_count: 0, total_favorited: 0 })))
    .execute();
}

/**
 * Takes the video's counter row lock first, so every like and unlike of one video runs one after the other.
 * Without it, InnoDB deadlocks a delete and two INSERT IGNOREs of one (user, video) pair (each waits to upgrade
 * the shared lock of its duplicate check), and a busy pair exhausts the retries. SQLite serialises writers anyway.
 */
export async function lockVideoCount(db: Kysely<FavoriteTables>, videoId: number): Promise<void> {
  if (dialectOf(db) !== 'mysql') return;
  await db.selectFrom('video_favorite_counts').select('video_id').where('video_id', '=', videoId).forUpdate().execute();
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

/** Adds `delta` to the video's favorite_count, the liker's favorite_count and the author's total_favorited. */
export async function addToCounts(db: Kysely<FavoriteTables>, like: Like, delta: 1 | -1): Promise<void> {
  await db
    .updateTable('video_favorite_counts')
    .set({ favorite_count: sql`favorite_count + ${delta}` })
    .where('video_id', '=', like.videoId)
    .execute();
  const updates = [
    { userId: like.userId, column: 'favorite_count' as const },
    { userId: like.authorId, column: 'total_favorited' as const },
  ];
  // Rows are locked in one order (video, then users by ascending id), so concurrent likes cannot wait in a cycle.
  updates.sort((a, b) => a.userId - b.userId);
  for (const { userId, column } of updates) {
    await db
      .updateTable('user_favorite_counts')
      .set({ [column]: sql`${sql.ref(column)} + ${delta}` })
      .where('user_id', '=', userId)
      .execute();
  }
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

/** Which of `videoIds` the user likes. */
export async function listLikedAmong(db: Kysely<FavoriteTables>, userId: number, videoIds: readonly number[]): Promise<number[]> {
  if (videoIds.length === 0) return [];
  const rows = await db
    .selectFrom('favorites')
    .select('video_id')
    .where('user_id', '=', userId)
    .where('video_id', 'in', [...videoIds])
    .execute();
  return rows.map((r) => r.video_id);
}

export function listVideoCounts(db: Kysely<FavoriteTables>, videoIds: readonly number[]) {
  return db.selectFrom('video_favorite_counts').selectAll().where('video_id', 'in', [...videoIds]).execute();
}

export function listUserCounts(db: Kysely<FavoriteTables>, userIds: readonly number[]) {
  return db.selectFrom('user_favorite_counts').selectAll().where('user_id', 'in', [...userIds]).execute();
}

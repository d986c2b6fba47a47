import { sql, type Kysely, type Selectable } from 'kysely';
import type { CommentTables, CommentsTable } from './tables.js';

export type CommentRow = Selectable<CommentsTable>;

/**
 * Makes sure the video's counter row exists. Runs on its own, before the comment's transaction: on InnoDB an
 * INSERT IGNORE that meets an existing row takes a shared lock, and upgrading it to the UPDATE's exclusive lock
 * inside one transaction would deadlock two concurrent comments on one video.
 */
export async function ensureCount(db: Kysely<CommentTables>, videoId: number): Promise<void> {
  await db.insertInto('video_comment_counts').ignore().values({ video_id: videoId, comment_count: 0 }).execute();
}

/** Inserts a comment and returns its id. */
export async function insertComment(db: Kysely<CommentTables>, comment: Omit<CommentRow, 'id'>): Promise<number> {
  const result = await db.insertInto('comments').values(comment).executeTakeFirstOrThrow();
  return Number(result.insertId);
}

export function findCommentById(db: Kysely<CommentTables>, id: number): Promise<CommentRow | undefined> {
  return db.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Deletes a comment; false when it was already gone. */
export async function deleteComment(db: Kysely<CommentTables>, id: number): Promise<boolean> {
  const result = await db.deleteFrom('comments').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) === 1;
}

export async function addToCount(db: Kysely<CommentTables>, videoId: number, delta: 1 | -1): Promise<void> {
  await db
    .updateTable('video_comment_counts')
    .set({ comment_count: sql`comment_count + ${delta}` })
    .where('video_id', '=', videoId)
    .execute();
}

/** A video's comments, newest first (ties by id descending). */
export function listCommentsByVideo(db: Kysely<CommentTables>, videoId: number): Promise<CommentRow[]> {
  return db.selectFrom('comments').selectAll().where('video_id', '=', videoId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
}

export function listCounts(db: Kysely<CommentTables>, videoIds: readonly number[]) {
  return db.selectFrom('video_comment_counts').selectAll().where('video_id', 'in', [...videoIds]).execute();
}

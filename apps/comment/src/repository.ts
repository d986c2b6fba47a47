import type { Kysely, Selectable } from 'kysely';
import { addToCounters, type CounterTable } from '@douyin/db';
import type { CommentTables, CommentsTable } from './tables.js';

export type CommentRow = Selectable<CommentsTable>;

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

const COUNTS: CounterTable<'comment_count'> = { table: 'video_comment_counts', key: 'video_id', counters: ['comment_count'] };

/** Adds `delta` to the video's comment_count, creating its row if needed. */
export function addToCount(db: Kysely<CommentTables>, videoId: number, delta: 1 | -1): Promise<void> {
  return addToCounters(db, COUNTS, [{ key: videoId, add: { comment_count: delta } }]);
}

/** A video's comments, newest first (ties by id descending). */
export function listCommentsByVideo(db: Kysely<CommentTables>, videoId: number): Promise<CommentRow[]> {
  return db.selectFrom('comments').selectAll().where('video_id', '=', videoId).orderBy('created_at', 'desc').orderBy('id', 'desc').execute();
}

export function listCounts(db: Kysely<CommentTables>, videoIds: readonly number[]) {
  return db.selectFrom('video_comment_counts').selectAll().where('video_id', 'in', [...videoIds]).execute();
}

import type { Kysely, Selectable } from 'kysely';
import { addToCounters, callTransactionProcedure, changedByProcedure, dialectOf, transactionWithRetry, type CounterTable } from '@douyin/db';
import type { CommentTables, CommentsTable } from './tables.js';

export type CommentRow = Selectable<CommentsTable>;

const COUNTS: CounterTable<'comment_count'> = { table: 'video_comment_counts', key: 'video_id', counters: ['comment_count'] };

/**
 * Inserts the comment and adds one to its video's comment_count in one transaction, and returns the comment's id. On
 * MySQL/MariaDB the transaction is one call of the procedure the migrations create (one round trip instead of four);
 * the embedded SQLite runs the same statements itself. A deadlock victim runs again.
 */
export async function addComment(db: Kysely<CommentTables>, comment: Omit<CommentRow, 'id'>): Promise<number> {
  if (dialectOf(db) === 'mysql') {
    const [result] = await callTransactionProcedure<{ id: number | string }>(db, 'add_comment_v2', [comment.video_id, comment.user_id, comment.content, comment.created_at]);
    return Number(result!.id);
  }
  return transactionWithRetry(db, async (trx) => {
    const inserted = await trx.insertInto('comments').values(comment).executeTakeFirstOrThrow();
    await addToCounters(trx, COUNTS, [{ key: comment.video_id, add: { comment_count: 1 } }]);
    return Number(inserted.insertId);
  });
}

/**
 * Deletes the video's comment and takes one from its comment_count in one transaction; false when the comment was
 * already gone, and then the count is left alone, so of two concurrent removals only one counts.
 */
export async function removeComment(db: Kysely<CommentTables>, commentId: number, videoId: number): Promise<boolean> {
  if (dialectOf(db) === 'mysql') return changedByProcedure(db, 'remove_comment_v1', [commentId, videoId]);
  return transactionWithRetry(db, async (trx) => {
    const deleted = await trx.deleteFrom('comments').where('id', '=', commentId).where('video_id', '=', videoId).executeTakeFirst();
    if (Number(deleted.numDeletedRows) !== 1) return false;
    await addToCounters(trx, COUNTS, [{ key: videoId, add: { comment_count: -1 } }]);
    return true;
  });
}

export function findCommentById(db: Kysely<CommentTables>, id: number): Promise<CommentRow | undefined> {
  return db.selectFrom('comments').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A video's comments, newest first (ties by id descending). */
export function listCommentsByVideo(db: Kysely<CommentTables>, videoId: number, limit: number): Promise<CommentRow[]> {
  return db.selectFrom('comments').selectAll().where('video_id', '=', videoId).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
}

export function listCounts(db: Kysely<CommentTables>, videoIds: readonly number[]) {
  return db.selectFrom('video_comment_counts').selectAll().where('video_id', 'in', [...videoIds]).execute();
}

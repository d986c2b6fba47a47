import type { Kysely } from 'kysely';
import { counterUpsertSql, createTransactionProcedure, dropProcedure, type TransactionProcedure } from '@douyin/db';

// Adding and removing a comment as one call each on MySQL/MariaDB: the transactions the embedded SQLite path runs
// statement by statement (repository.ts, addComment and removeComment), in one round trip instead of four, as the
// favorite and relation services' likes and follows. The comment row first, then the video's counter row; a removal
// moves the counter only when it really deleted the row, so of two concurrent removals one counts. Any error rolls the
// whole transaction back before it reaches the caller, a deadlock included, which the caller runs again.
//
// The text parameter is declared utf8mb4 whatever the database's default: a parameter without a character set takes
// the database's, and emoji would be lost on their way to the utf8mb4 column.
const ADD = 'add_comment_v1';
const REMOVE = 'remove_comment_v1';

const COUNTS = { table: 'video_comment_counts', key: 'video_id', counters: ['comment_count'] } as const;

// Exported for the migration that creates it again, under a new name, with its commit bounded by its caller's deadline.
export const ADD_COMMENT: TransactionProcedure = {
  name: ADD,
  parameters: 'IN p_video BIGINT, IN p_user BIGINT, IN p_content TEXT CHARACTER SET utf8mb4, IN p_now BIGINT',
  variables: ['new_id BIGINT'],
  transaction: `
  INSERT INTO comments (video_id, user_id, content, created_at) VALUES (p_video, p_user, p_content, p_now);
  SET new_id = LAST_INSERT_ID();
  ${counterUpsertSql(COUNTS, 'p_video', { comment_count: '1' })}`,
  answer: 'SELECT new_id AS id',
};

export async function up(db: Kysely<any>): Promise<void> {
  await createTransactionProcedure(db, ADD_COMMENT);
  await createTransactionProcedure(db, {
    name: REMOVE,
    parameters: 'IN p_comment BIGINT, IN p_video BIGINT',
    variables: ['changed INT DEFAULT 0'],
    transaction: `
  DELETE FROM comments WHERE id = p_comment AND video_id = p_video;
  SET changed = ROW_COUNT();
  IF changed = 1 THEN
    ${counterUpsertSql(COUNTS, 'p_video', { comment_count: '-1' })}
  END IF;`,
    answer: 'SELECT changed',
  });
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropProcedure(db, REMOVE);
  await dropProcedure(db, ADD);
}

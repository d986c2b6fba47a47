import { sql, type Kysely } from 'kysely';
import { counterUpsertSql, dialectOf } from '@douyin/db';

// Adding and removing a comment as one call each on MySQL/MariaDB: the transactions the embedded SQLite path runs
// statement by statement (repository.ts, addComment and removeComment), in one round trip instead of four, as the
// favorite and relation services' likes and follows. The comment row first, then the video's counter row; a removal
// moves the counter only when it really deleted the row, so of two concurrent removals one counts. Any error rolls the
// whole transaction back before it reaches the caller, a deadlock included, which the caller runs again.
//
// The text parameter is declared utf8mb4 whatever the database's default: a parameter without a character set takes
// the database's, and emoji would be lost on their way to the utf8mb4 column. The names carry a version: a procedure
// whose parameters or meaning change gets a new name in a new migration, so instances of the previous release keep
// calling the one they know during a rolling update.
const ADD = 'add_comment_v1';
const REMOVE = 'remove_comment_v1';

const COUNTS = { table: 'video_comment_counts', key: 'video_id', counters: ['comment_count'] } as const;

export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'mysql') return;
  await sql`
CREATE PROCEDURE ${sql.id(ADD)}(IN p_video BIGINT, IN p_user BIGINT, IN p_content TEXT CHARACTER SET utf8mb4, IN p_now BIGINT)
  MODIFIES SQL DATA
BEGIN
  DECLARE new_id BIGINT;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
  START TRANSACTION;
  INSERT INTO comments (video_id, user_id, content, created_at) VALUES (p_video, p_user, p_content, p_now);
  SET new_id = LAST_INSERT_ID();
  ${sql.raw(counterUpsertSql(COUNTS, 'p_video', { comment_count: '1' }))}
  COMMIT;
  SELECT new_id AS id;
END`.execute(db);
  await sql`
CREATE PROCEDURE ${sql.id(REMOVE)}(IN p_comment BIGINT, IN p_video BIGINT)
  MODIFIES SQL DATA
BEGIN
  DECLARE changed INT DEFAULT 0;
  DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
  START TRANSACTION;
  DELETE FROM comments WHERE id = p_comment AND video_id = p_video;
  SET changed = ROW_COUNT();
  IF changed = 1 THEN
    ${sql.raw(counterUpsertSql(COUNTS, 'p_video', { comment_count: '-1' }))}
  END IF;
  COMMIT;
  SELECT changed;
END`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'mysql') return;
  await sql`DROP PROCEDURE IF EXISTS ${sql.id(REMOVE)}`.execute(db);
  await sql`DROP PROCEDURE IF EXISTS ${sql.id(ADD)}`.execute(db);
}

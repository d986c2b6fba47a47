import type { Kysely } from 'kysely';
import { counterUpsertSql, createTransactionProcedure, dropProcedure, pairCounterUpsertsSql } from '@douyin/db';

// A like or unlike as one call on MySQL/MariaDB: the same transaction the embedded SQLite path runs statement by
// statement (repository.ts, changeLike), in one round trip instead of five. A process pays for each answer it waits
// for (its wake-up, the driver, the span), and the server for each statement it receives: on a warm mesh the five
// round trips were most of the favorite service's CPU per like.
//
// Order and locks as in the SQLite path: the video's counter row first (it orders the likes of one video, so a
// delete and two INSERT IGNOREs of one pair cannot deadlock), then the like, then the users' counter rows in
// ascending id order; a counter row created by an unlike starts at zero; nothing is kept when the like did not
// change. Any error rolls the whole transaction back before it reaches the caller, a deadlock included, which the
// caller runs again.
//
// The name carries a version: a procedure whose parameters or meaning change gets a new name in a new migration, so
// instances of the previous release keep calling the one they know during a rolling update.
const PROCEDURE = 'change_favorite_v1';

const VIDEO_COUNTS = { table: 'video_favorite_counts', key: 'video_id', counters: ['favorite_count'] } as const;
const USER_COUNTS = { table: 'user_favorite_counts', key: 'user_id', counters: ['favorite_count', 'total_favorited'] } as const;
// The liker's favorite_count and the author's total_favorited, on one row when they like their own video.
const userCounts = pairCounterUpsertsSql(USER_COUNTS, { key: 'p_user', add: { favorite_count: 'p_delta' } }, { key: 'p_author', add: { total_favorited: 'p_delta' } });

export async function up(db: Kysely<any>): Promise<void> {
  await createTransactionProcedure(db, {
    name: PROCEDURE,
    parameters: 'IN p_user BIGINT, IN p_video BIGINT, IN p_author BIGINT, IN p_delta INT, IN p_now BIGINT',
    variables: ['changed INT DEFAULT 0'],
    transaction: `
  ${counterUpsertSql(VIDEO_COUNTS, 'p_video', { favorite_count: 'p_delta' })}
  IF p_delta > 0 THEN
    INSERT IGNORE INTO favorites (user_id, video_id, author_id, created_at) VALUES (p_user, p_video, p_author, p_now);
  ELSE
    DELETE FROM favorites WHERE user_id = p_user AND video_id = p_video;
  END IF;
  SET changed = ROW_COUNT();
  IF changed = 1 THEN
    ${userCounts}
  ELSE
    ROLLBACK;
  END IF;`,
    answer: 'SELECT changed',
  });
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropProcedure(db, PROCEDURE);
}

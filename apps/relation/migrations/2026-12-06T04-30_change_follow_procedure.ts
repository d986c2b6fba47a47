import type { Kysely } from 'kysely';
import { createTransactionProcedure, dropProcedure, pairCounterUpsertsSql } from '@douyin/db';

// A follow or unfollow as one call on MySQL/MariaDB: the transaction the embedded SQLite path runs statement by
// statement (repository.ts, changeFollow), in one round trip instead of four, as the favorite service's likes.
// The follow row first, then, only if it really was inserted or deleted, both users' counter rows in ascending id
// order. Any error rolls the whole transaction back before it reaches the caller, a deadlock included, which the
// caller runs again. The name carries a version: a procedure whose parameters or meaning change gets a new name in a
// new migration, so instances of the previous release keep calling the one they know during a rolling update.
const PROCEDURE = 'change_follow_v1';

const COUNTS = { table: 'follow_counts', key: 'user_id', counters: ['follow_count', 'follower_count'] } as const;
const counts = pairCounterUpsertsSql(COUNTS, { key: 'p_follower', add: { follow_count: 'p_delta' } }, { key: 'p_followee', add: { follower_count: 'p_delta' } });

export async function up(db: Kysely<any>): Promise<void> {
  await createTransactionProcedure(db, {
    name: PROCEDURE,
    parameters: 'IN p_follower BIGINT, IN p_followee BIGINT, IN p_delta INT, IN p_now BIGINT',
    variables: ['changed INT DEFAULT 0'],
    transaction: `
  IF p_delta > 0 THEN
    INSERT IGNORE INTO follows (follower_id, followee_id, created_at) VALUES (p_follower, p_followee, p_now);
  ELSE
    DELETE FROM follows WHERE follower_id = p_follower AND followee_id = p_followee;
  END IF;
  SET changed = ROW_COUNT();
  IF changed = 1 THEN
    ${counts}
  END IF;`,
    answer: 'SELECT changed',
  });
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropProcedure(db, PROCEDURE);
}

import type { Kysely } from 'kysely';
import { createTransactionProcedure, dropProcedure, pairCounterUpsertsSql } from '@douyin/db';

// change_follow_v1 changed the follow row first and the counters after it: concurrent follows and unfollows of one
// pair (a double tap, a retry, two people following each other at once) deadlocked on the pair's index, 5-9 of 300
// such calls on MariaDB, each run again by the caller, and a busy pair could use up its retries. Like a like, which
// takes its video's counter row first, this one takes both users' counter rows first, in ascending id order, so every
// change touching both users runs in turn and none waits on a lock another holds while waiting for its own; it rolls
// the counters back when the follow row did not change. The SQLite path needs no order (it serialises writers).
// v1 stays for instances of the previous release during a rolling update.
const PROCEDURE = 'change_follow_v2';

const COUNTS = { table: 'follow_counts', key: 'user_id', counters: ['follow_count', 'follower_count'] } as const;
const counts = pairCounterUpsertsSql(COUNTS, { key: 'p_follower', add: { follow_count: 'p_delta' } }, { key: 'p_followee', add: { follower_count: 'p_delta' } });

export async function up(db: Kysely<any>): Promise<void> {
  await createTransactionProcedure(db, {
    name: PROCEDURE,
    parameters: 'IN p_follower BIGINT, IN p_followee BIGINT, IN p_delta INT, IN p_now BIGINT',
    variables: ['changed INT DEFAULT 0'],
    transaction: `
  ${counts}
  IF p_delta > 0 THEN
    INSERT IGNORE INTO follows (follower_id, followee_id, created_at) VALUES (p_follower, p_followee, p_now);
  ELSE
    DELETE FROM follows WHERE follower_id = p_follower AND followee_id = p_followee;
  END IF;
  SET changed = ROW_COUNT();
  IF changed <> 1 THEN
    ROLLBACK;
  END IF;`,
    answer: 'SELECT changed',
  });
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropProcedure(db, PROCEDURE);
}

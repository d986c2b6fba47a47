import type { Kysely } from 'kysely';
import { createTransactionProcedure, dialectOf, dropProcedure, type TransactionProcedure } from '@douyin/db';

// Saving a publish as one call on MySQL/MariaDB: what the embedded SQLite path runs statement by statement
// (repository.ts, saveVideo), as the other services' writes do.
//
// One call, because a transaction the client drives holds its locks until the client commits: a video service cut off
// from the database mid-publish (a partition, a lost host) left one open, holding the newest entry of the feed's index,
// and every later publish waited on it in vain until the server noticed the dead peer, hours later. A procedure's
// transaction ends on the server whatever becomes of its caller.
//
// Publishes queue on the one row of publish_lock: its holder reads the newest publish time with nothing else writing
// one, so times are max(now, newest + 1), unique, and assigned and committed in one order. Each had computed that
// time in an INSERT ... SELECT MAX(), whose shared lock on the index's last gap made any two concurrent publishes
// deadlock, one of them a victim to run again. Instances of the previous release still do so during a rolling update;
// the unique index refuses a time one of them took, and the caller runs the publish again.
//
// The intent is deleted in the same transaction (the files become the row's); when the sweep took it first, nothing is
// kept and the answer's id is 0. Text parameters are declared utf8mb4 whatever the database's default, so emoji reach
// the utf8mb4 title intact.
const PROCEDURE = 'publish_video_v1';

// Exported for the migration that creates it again, under a new name, with its commit bounded by its caller's deadline.
export const PUBLISH_VIDEO: TransactionProcedure = {
  name: PROCEDURE,
  parameters:
    'IN p_author BIGINT, IN p_title VARCHAR(400) CHARACTER SET utf8mb4, IN p_video_key VARCHAR(100), IN p_cover_key VARCHAR(100), IN p_now BIGINT, IN p_intent BIGINT',
  variables: ['turn INT', 'created BIGINT DEFAULT 0', 'new_id BIGINT DEFAULT 0'],
  // The row is made here, not by the migration alone: one deleted by hand would leave publishes unqueued (a lock on
  // no row), and made on its own it takes no lock another publish waits for.
  before: 'INSERT IGNORE INTO publish_lock (id) VALUES (1);',
  transaction: `
  SELECT id INTO turn FROM publish_lock WHERE id = 1 FOR UPDATE;
  DELETE FROM publish_intents WHERE id = p_intent;
  IF ROW_COUNT() = 1 THEN
    SELECT GREATEST(p_now, COALESCE(MAX(published_at), 0) + 1) INTO created FROM videos;
    INSERT INTO videos (author_id, title, video_key, cover_key, published_at) VALUES (p_author, p_title, p_video_key, p_cover_key, created);
    SET new_id = LAST_INSERT_ID();
  ELSE
    ROLLBACK;
  END IF;`,
  answer: 'SELECT new_id AS id, created AS published_at',
};

export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'mysql') return;
  await db.schema.createTable('publish_lock').ifNotExists().addColumn('id', 'integer', (c) => c.primaryKey().notNull()).execute();
  await createTransactionProcedure(db, PUBLISH_VIDEO);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'mysql') return;
  await dropProcedure(db, PROCEDURE);
  await db.schema.dropTable('publish_lock').execute();
}

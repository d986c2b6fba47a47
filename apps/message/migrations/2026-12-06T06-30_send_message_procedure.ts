import type { Kysely } from 'kysely';
import { createTransactionProcedure, dropProcedure, type TransactionProcedure } from '@douyin/db';

// Sending a message as one call on MySQL/MariaDB: what the embedded SQLite path runs statement by statement
// (repository.ts, sendMessage), in one round trip instead of six, as the other services' writes.
//
// The conversation row is created first in a statement of its own, committed before the transaction: an INSERT IGNORE
// meeting an existing row takes a shared lock, and two senders upgrading theirs inside one transaction would deadlock.
// The transaction then locks the conversation row and reads its clock, so every sender of the conversation, in any
// instance, queues there: create times are max(now, last + 1), assigned and committed in one order. Any error rolls
// the transaction back before it reaches the caller, a deadlock included, which the caller runs again (the conversation
// row, kept, is what the next call would create anyway).
//
// The text parameter is declared utf8mb4 whatever the database's default, so emoji reach the utf8mb4 column intact.

// Exported for the migration that creates it again, under a new name, with its commit bounded by its caller's deadline.
export const SEND_MESSAGE: TransactionProcedure = {
  name: 'send_message_v1',
  parameters: 'IN p_from BIGINT, IN p_to BIGINT, IN p_content TEXT CHARACTER SET utf8mb4, IN p_now BIGINT',
  variables: ['low BIGINT DEFAULT LEAST(p_from, p_to)', 'high BIGINT DEFAULT GREATEST(p_from, p_to)', 'last_clock BIGINT', 'created BIGINT', 'new_id BIGINT'],
  before: 'INSERT IGNORE INTO conversations (user_low, user_high, last_time, last_message_id) VALUES (low, high, 0, 0);',
  transaction: `
  SELECT last_time INTO last_clock FROM conversations WHERE user_low = low AND user_high = high FOR UPDATE;
  SET created = GREATEST(p_now, last_clock + 1);
  INSERT INTO messages (user_low, user_high, from_id, to_id, content, create_time) VALUES (low, high, p_from, p_to, p_content, created);
  SET new_id = LAST_INSERT_ID();
  UPDATE conversations SET last_time = created, last_message_id = new_id WHERE user_low = low AND user_high = high;`,
  answer: 'SELECT new_id AS id, created AS create_time',
};

export async function up(db: Kysely<any>): Promise<void> {
  await createTransactionProcedure(db, SEND_MESSAGE);
}

export async function down(db: Kysely<any>): Promise<void> {
  await dropProcedure(db, SEND_MESSAGE.name);
}

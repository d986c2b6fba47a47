import type { Kysely, Selectable } from 'kysely';
import type { MessageTables, MessagesTable } from './tables.js';

export type MessageRow = Selectable<MessagesTable>;

/** A conversation's key: the two user ids, smaller first, so both directions share one row and one clock. */
export interface Pair {
  low: number;
  high: number;
}

export const pairOf = (a: number, b: number): Pair => (a < b ? { low: a, high: b } : { low: b, high: a });

/**
 * Creates the conversation row if absent. Runs on its own, before the send transaction: on InnoDB an
 * INSERT IGNORE that meets an existing row takes a shared lock, and upgrading it inside the transaction
 * would deadlock two concurrent senders.
 */
export async function ensureConversation(db: Kysely<MessageTables>, { low, high }: Pair): Promise<void> {
  await db.insertInto('conversations').ignore().values({ user_low: low, user_high: high, last_time: 0, last_message_id: 0 }).execute();
}

/**
 * Locks the conversation row for the rest of the transaction (a no-op UPDATE takes InnoDB's row lock and
 * SQLite's write lock) and returns its clock. Concurrent senders of the conversation, in any process, queue here,
 * so create times are assigned and committed in one order.
 */
export async function lockConversation(db: Kysely<MessageTables>, { low, high }: Pair): Promise<number> {
  await db.updateTable('conversations').set((eb) => ({ last_time: eb.ref('last_time') })).where('user_low', '=', low).where('user_high', '=', high).execute();
  const row = await db
    .selectFrom('conversations')
    .select('last_time')
    .where('user_low', '=', low)
    .where('user_high', '=', high)
    .executeTakeFirstOrThrow();
  return row.last_time;
}

export async function insertMessage(db: Kysely<MessageTables>, message: Omit<MessageRow, 'id'>): Promise<number> {
  const result = await db.insertInto('messages').values(message).executeTakeFirstOrThrow();
  return Number(result.insertId);
}

export async function setLatest(db: Kysely<MessageTables>, { low, high }: Pair, messageId: number, createTime: number): Promise<void> {
  await db
    .updateTable('conversations')
    .set({ last_time: createTime, last_message_id: messageId })
    .where('user_low', '=', low)
    .where('user_high', '=', high)
    .execute();
}

/** The whole conversation, oldest first. */
export function listConversation(db: Kysely<MessageTables>, { low, high }: Pair): Promise<MessageRow[]> {
  return db.selectFrom('messages').selectAll().where('user_low', '=', low).where('user_high', '=', high).orderBy('create_time').execute();
}

/** What `fromId` sent `toId` after `after` (exclusive), oldest first. */
export function listSentAfter(db: Kysely<MessageTables>, fromId: number, toId: number, after: number): Promise<MessageRow[]> {
  const { low, high } = pairOf(fromId, toId);
  return db
    .selectFrom('messages')
    .selectAll()
    .where('user_low', '=', low)
    .where('user_high', '=', high)
    .where('from_id', '=', fromId)
    .where('create_time', '>', after)
    .orderBy('create_time')
    .execute();
}

/** The latest message of each conversation between `userId` and one of `peerIds`. */
export async function listLatest(db: Kysely<MessageTables>, userId: number, peerIds: readonly number[]): Promise<MessageRow[]> {
  if (peerIds.length === 0) return [];
  const peers = [...peerIds];
  return db
    .selectFrom('conversations')
    .innerJoin('messages', 'messages.id', 'conversations.last_message_id')
    .selectAll('messages')
    .where((eb) =>
      eb.or([
        eb.and([eb('conversations.user_low', '=', userId), eb('conversations.user_high', 'in', peers)]),
        eb.and([eb('conversations.user_high', '=', userId), eb('conversations.user_low', 'in', peers)]),
      ]),
    )
    .execute();
}

/** Messages sent or received by any of `userIds` with create_time > since, oldest first. */
export async function listInvolving(db: Kysely<MessageTables>, userIds: readonly number[], since: number, limit: number): Promise<MessageRow[]> {
  if (userIds.length === 0) return [];
  const ids = [...userIds];
  return db
    .selectFrom('messages')
    .selectAll()
    .where('create_time', '>', since)
    .where((eb) => eb.or([eb('to_id', 'in', ids), eb('from_id', 'in', ids)]))
    .orderBy('create_time')
    .orderBy('id')
    .limit(limit)
    .execute();
}

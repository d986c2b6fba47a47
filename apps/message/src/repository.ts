import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import { dialectOf, type Dialect } from '@douyin/db';
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
 * Locks the conversation row for the rest of the transaction and returns its clock. Concurrent senders of the
 * conversation, in any process, queue here, so create times are assigned and committed in one order. MySQL locks
 * and reads in one round trip (`FOR UPDATE`); SQLite has no row locks, and a no-op UPDATE takes its write lock.
 */
export async function lockConversation(db: Kysely<MessageTables>, { low, high }: Pair): Promise<number> {
  const row = db.selectFrom('conversations').select('last_time').where('user_low', '=', low).where('user_high', '=', high);
  if (dialectOf(db) === 'mysql') return (await row.forUpdate().executeTakeFirstOrThrow()).last_time;
  await db.updateTable('conversations').set((eb) => ({ last_time: eb.ref('last_time') })).where('user_low', '=', low).where('user_high', '=', high).execute();
  return (await row.executeTakeFirstOrThrow()).last_time;
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

/** How `listInvolving` reads: the messages of a recent window (by time), or each user's messages (by user). */
export type InvolvingPlan = 'by-time' | 'by-user';

/**
 * Messages sent or received by any of `userIds` with create_time > since, oldest first (ties by id).
 *
 * 'by-time' walks messages_by_time from `since` and keeps the rows whose to_id or from_id was asked, inside the index:
 * its cost is the messages of the window, the right plan for the push channel's polls a few seconds back. 'by-user'
 * reads each user's range of messages_to_time and messages_from_time: its cost is a range per user, the right plan
 * from far back. The plan is named, not left to the planner: for a window of seconds MariaDB, among 1M messages,
 * spent 4–5 ms of a poll of 500 users weighing their per-user ranges before it read by time in 0.5 ms, and SQLite
 * read the per-user ranges unless its tables had been analyzed.
 */
export async function listInvolving(
  db: Kysely<MessageTables>,
  userIds: readonly number[],
  since: number,
  limit: number,
  plan: InvolvingPlan,
): Promise<MessageRow[]> {
  if (userIds.length === 0) return [];
  const { rows } = await involvingQuery(dialectOf(db), userIds, since, limit, plan).execute(db);
  return rows;
}

/** The statement of listInvolving (non-empty `userIds`). */
export function involvingQuery(dialect: Dialect, userIds: readonly number[], since: number, limit: number, plan: InvolvingPlan): RawBuilder<MessageRow> {
  const ids = sql.join([...userIds]);
  return sql<MessageRow>`select * from ${readingBy(dialect, plan)}
    where create_time > ${since} and (to_id in (${ids}) or from_id in (${ids})) order by create_time, id limit ${limit}`;
}

/** `messages` with the plan's index hint (Kysely has none): MySQL's follows the table name, SQLite's is INDEXED BY. */
function readingBy(dialect: Dialect, plan: InvolvingPlan): RawBuilder<unknown> {
  if (dialect === 'mysql') {
    return plan === 'by-time' ? sql`messages force index (messages_by_time)` : sql`messages force index (messages_to_time, messages_from_time)`;
  }
  // SQLite's INDEXED BY names one index, so its per-user read (one index per side of the OR) is left to its planner.
  return plan === 'by-time' ? sql`messages indexed by messages_by_time` : sql`messages`;
}

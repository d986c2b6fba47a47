import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import { callTransactionProcedure, dialectOf, transactionWithRetry, type Dialect } from '@douyin/db';
import type { MessageTables, MessagesTable } from './tables.js';

export type MessageRow = Selectable<MessagesTable>;

/** A conversation's key: the two user ids, smaller first, so both directions share one row and one clock. */
export interface Pair {
  low: number;
  high: number;
}

export const pairOf = (a: number, b: number): Pair => (a < b ? { low: a, high: b } : { low: b, high: a });

/** A message to send; its create time is for sendMessage to decide. */
export type Outgoing = Pick<MessageRow, 'from_id' | 'to_id' | 'content'>;

/**
 * Stores the message with the create time max(now, the conversation's last + 1) and makes it the conversation's latest,
 * and returns the stored row. The conversation's clock is read under its lock, so concurrent senders of the
 * conversation, in any process, queue there: create times are assigned and committed in one order. On MySQL/MariaDB
 * this is one call of the procedure the migrations create (one round trip instead of six); the embedded SQLite runs
 * the same statements itself. A deadlock victim runs again.
 *
 * `now` is read once the send can run, not before it waited for that: on SQLite under the write lock, on MySQL once it
 * has its pooled connection (the conversation's row lock inside the procedure is held only by other sends' short
 * transactions). A message becomes visible when it commits, and readers that look back a few seconds from the present
 * for late commits (the gateway's push polls) would miss one stamped before a long wait for a busy pool.
 */
export async function sendMessage(db: Kysely<MessageTables>, message: Outgoing, now: () => number): Promise<MessageRow> {
  const pair = pairOf(message.from_id, message.to_id);
  const rowAt = (createTime: number) => ({ user_low: pair.low, user_high: pair.high, ...message, create_time: createTime });
  if (dialectOf(db) === 'mysql') {
    const [sent] = await db.connection().execute((connection) =>
      callTransactionProcedure<{ id: number | string; create_time: number | string }>(connection, 'send_message_v2', [
        message.from_id,
        message.to_id,
        message.content,
        now(),
      ]),
    );
    return { id: Number(sent!.id), ...rowAt(Number(sent!.create_time)) };
  }
  // Created before the transaction, as the procedure does (its comment says why).
  await db.insertInto('conversations').ignore().values({ user_low: pair.low, user_high: pair.high, last_time: 0, last_message_id: 0 }).execute();
  return transactionWithRetry(db, async (trx) => {
    const last = await lockConversation(trx, pair);
    const row = rowAt(Math.max(now(), last + 1));
    const id = Number((await trx.insertInto('messages').values(row).executeTakeFirstOrThrow()).insertId);
    await trx
      .updateTable('conversations')
      .set({ last_time: row.create_time, last_message_id: id })
      .where('user_low', '=', pair.low)
      .where('user_high', '=', pair.high)
      .execute();
    return { id, ...row };
  });
}

/** SQLite has no row locks: a no-op UPDATE takes its write lock for the rest of the transaction, then the clock is read. */
async function lockConversation(trx: Kysely<MessageTables>, { low, high }: Pair): Promise<number> {
  await trx.updateTable('conversations').set((eb) => ({ last_time: eb.ref('last_time') })).where('user_low', '=', low).where('user_high', '=', high).execute();
  const { last_time } = await trx.selectFrom('conversations').select('last_time').where('user_low', '=', low).where('user_high', '=', high).executeTakeFirstOrThrow();
  return last_time;
}

/** The conversation's newest `limit` messages, oldest first. */
export async function listConversation(db: Kysely<MessageTables>, { low, high }: Pair, limit: number): Promise<MessageRow[]> {
  const newestFirst = await db
    .selectFrom('messages')
    .selectAll()
    .where('user_low', '=', low)
    .where('user_high', '=', high)
    .orderBy('create_time', 'desc')
    .limit(limit)
    .execute();
  return newestFirst.reverse();
}

/** The first `limit` messages `fromId` sent `toId` after `after` (exclusive), oldest first. */
export function listSentAfter(db: Kysely<MessageTables>, fromId: number, toId: number, after: number, limit: number): Promise<MessageRow[]> {
  const { low, high } = pairOf(fromId, toId);
  return db
    .selectFrom('messages')
    .selectAll()
    .where('user_low', '=', low)
    .where('user_high', '=', high)
    .where('from_id', '=', fromId)
    .where('create_time', '>', after)
    .orderBy('create_time')
    .limit(limit)
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
 * Messages sent or received by any of `userIds` with create_time > since, oldest first (ties by id): the first
 * `limit`, and when there were that many, the rest of the last one's millisecond too, so that an answer never ends
 * inside a millisecond. Whoever pages on by create_time (the push hub) starts the next page after it; a millisecond
 * holding more than `limit` of the users' messages (one per conversation) would otherwise hold it there for ever.
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
  const last = rows.length >= limit ? rows.at(-1) : undefined;
  if (!last) return rows;
  const ids = sql.join([...userIds]);
  const { rows: rest } = await sql<MessageRow>`select * from ${readingBy(dialectOf(db), 'by-time')}
    where create_time = ${last.create_time} and id > ${last.id} and (to_id in (${ids}) or from_id in (${ids})) order by id`.execute(db);
  return [...rows, ...rest];
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

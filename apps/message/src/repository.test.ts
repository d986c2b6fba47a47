import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '@douyin/db';
import { databaseModes, type DatabaseMode } from '@douyin/testing';
import { freshSchema } from '../test/harness.js';
import { involvingQuery, listInvolving, pairOf, type InvolvingPlan } from './repository.js';
import type { MessageTables } from './tables.js';

const USERS = 30;
const PLANS: InvolvingPlan[] = ['by-time', 'by-user'];

/** Message i goes from user i % 30 + 1 to user (7i + 3) % 30 + 1 (or the user after it, never to itself) at 1,000 + 10i. */
function messageRows(count: number) {
  const rows = [];
  for (let i = 0; i < count; i++) {
    const from = (i % USERS) + 1;
    let to = ((7 * i + 3) % USERS) + 1;
    if (to === from) to = (to % USERS) + 1;
    const { low, high } = pairOf(from, to);
    rows.push({ user_low: low, user_high: high, from_id: from, to_id: to, content: `m${i}`, create_time: 1_000 + 10 * i });
  }
  return rows;
}

async function seeded(t: Parameters<typeof freshSchema>[0], mode: DatabaseMode, count: number): Promise<Kysely<MessageTables>> {
  const db = await freshSchema(t, mode);
  const rows = messageRows(count);
  for (let i = 0; i < rows.length; i += 1_000) await db.insertInto('messages').values(rows.slice(i, i + 1_000)).execute();
  return db;
}

/** What listInvolving must answer, computed from the rows inserted. */
function expected(count: number, userIds: number[], since: number, limit: number) {
  const asked = new Set(userIds);
  return messageRows(count)
    .filter((m) => m.create_time > since && (asked.has(m.from_id) || asked.has(m.to_id)))
    .slice(0, limit)
    .map((m) => m.content);
}

for (const mode of databaseModes()) {
  test(`${mode}: listInvolving answers the same by time and by user: after since, oldest first, up to the limit`, async (t) => {
    const db = await seeded(t, mode, 600);
    const questions: Array<[number[], number, number]> = [
      [[1], 0, 1_000],
      [[2, 2, 17], 3_000, 1_000], // a user asked twice is answered once
      [[5, 9, 30], 1_000 + 10 * 300, 1_000], // exactly at since is excluded
      [[3, 4, 5, 6, 7, 8], 0, 25], // a full answer is the oldest 25
      [Array.from({ length: USERS }, (_, i) => i + 1), 5_000, 1_000], // everyone
      [[99], 0, 1_000], // nobody's messages
      [[1, 2], 1_000 + 10 * 600, 1_000], // nothing after the last
    ];
    for (const plan of PLANS) {
      for (const [userIds, since, limit] of questions) {
        const rows = await listInvolving(db, userIds, since, limit, plan);
        assert.deepEqual(rows.map((r) => r.content), expected(600, userIds, since, limit), `${plan} ${userIds} > ${since}`);
      }
      assert.deepEqual(await listInvolving(db, [], 0, 1_000, plan), []);
    }
  });

  test(`${mode}: a full listInvolving answer completes its last millisecond, so the next page can start after it`, async (t) => {
    const db = await freshSchema(t, mode);
    // 30 conversations of user 1 with a message each in one millisecond, then one a millisecond later.
    const row = (peer: number, time: number) => ({ user_low: 1, user_high: peer, from_id: peer, to_id: 1, content: `${peer}@${time}`, create_time: time });
    await db.insertInto('messages').values([row(2, 999), ...Array.from({ length: 30 }, (_, i) => row(i + 3, 1_000)), row(2, 1_001)]).execute();
    for (const plan of PLANS) {
      const page = await listInvolving(db, [1], 0, 10, plan);
      assert.equal(page.length, 31, `${plan}: the ten asked for, and the rest of their last millisecond`);
      assert.deepEqual([page[0]!.create_time, page.at(-1)!.create_time], [999, 1_000]);
      assert.deepEqual(page.slice(1).map((r) => r.id), [...page.slice(1).map((r) => r.id)].sort((a, b) => a - b), 'ties by id');
      assert.deepEqual((await listInvolving(db, [1], 1_000, 10, plan)).map((r) => r.content), ['2@1001']);
      assert.equal((await listInvolving(db, [1], 0, 40, plan)).length, 32, 'not full: nothing added');
    }
  });

  test(`${mode}: listInvolving reads by time through messages_by_time and by user through the per-user indexes`, async (t) => {
    const db = await seeded(t, mode, 3_000);
    const explain = mode === 'mysql' ? sql`explain` : sql`explain query plan`;
    const planOf = async (plan: InvolvingPlan) =>
      JSON.stringify((await sql`${explain} ${involvingQuery(dialectOf(db), [1, 2, 3], 20_000, 1_000, plan)}`.execute(db)).rows);
    const byTime = await planOf('by-time');
    const byUser = await planOf('by-user');
    if (mode === 'mysql') {
      // The time index filters on to_id and from_id before fetching rows ("Using index condition").
      assert.match(byTime, /"key":"messages_by_time".*Using index condition/, byTime);
      assert.match(byUser, /"type":"index_merge".*messages_to_time,messages_from_time/, byUser);
    } else {
      assert.match(byTime, /SEARCH messages USING INDEX messages_by_time \(create_time>\?\)/, byTime);
      assert.match(byUser, /MULTI-INDEX OR.*messages_to_time \(to_id=\? AND create_time>\?\).*messages_from_time \(from_id=\? AND create_time>\?\)/, byUser);
    }
  });
}

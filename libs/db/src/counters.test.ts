import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { addToCounters, counterUpsertSql, migrateToLatest, pairCounterUpsertsSql, transactionWithRetry, type CounterTable } from '@douyin/db';
import { databaseModes } from '@douyin/testing';
import { freshDb, migrationFolder } from '../test/harness.js';

interface Tables {
  tally: { user_id: number; likes: number; liked: number };
}

const TALLY: CounterTable<'likes' | 'liked'> = { table: 'tally', key: 'user_id', counters: ['likes', 'liked'] };

const createTally = `
export async function up(db) {
  await db.schema.createTable('tally')
    .addColumn('user_id', 'bigint', (c) => c.primaryKey())
    .addColumn('likes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('liked', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
}
`;

async function tallies(db: Kysely<Tables>): Promise<number[][]> {
  const rows = await db.selectFrom('tally').selectAll().orderBy('user_id').execute();
  return rows.map((r) => [Number(r.user_id), Number(r.likes), Number(r.liked)]);
}

for (const mode of databaseModes()) {
  test(`${mode}: addToCounters creates missing rows, adds to existing ones, and never starts a row below zero`, async (t) => {
    const db = await freshDb<Tables>(t, mode);
    await migrateToLatest(db, { folder: await migrationFolder(t, { '2025-01-01T00-00_tally.ts': createTally }), service: 'test' });
    const rows = () => tallies(db);

    await addToCounters(db, TALLY, [{ key: 2, add: { likes: 1 } }, { key: 1, add: { liked: 1 } }]);
    assert.deepEqual(await rows(), [[1, 0, 1], [2, 1, 0]]);
    // One user on both sides (liking their own video) gets both changes; a new row taken below zero stays at zero.
    await addToCounters(db, TALLY, [{ key: 2, add: { likes: 1 } }, { key: 2, add: { liked: 1 } }, { key: 3, add: { likes: -1 } }]);
    assert.deepEqual(await rows(), [[1, 0, 1], [2, 2, 1], [3, 0, 0]]);
    await addToCounters(db, TALLY, [{ key: 1, add: { liked: -1 } }, { key: 2, add: { likes: -2, liked: 3 } }]);
    assert.deepEqual(await rows(), [[1, 0, 0], [2, 0, 4], [3, 0, 0]]);
    await addToCounters(db, TALLY, []);
    assert.equal((await rows()).length, 3);
  });

  test(`${mode}: concurrent transactions adding to the same rows in any order lose no change`, async (t) => {
    const db = await freshDb<Tables>(t, mode);
    await migrateToLatest(db, { folder: await migrationFolder(t, { '2025-01-01T00-00_tally.ts': createTally }), service: 'test' });
    // Half of them name the rows in the opposite order: the helper sorts them, so InnoDB never sees a lock cycle.
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const changes = [{ key: 1, add: { likes: 1 } }, { key: 2, add: { liked: 1 } }];
        return transactionWithRetry(db, (trx) => addToCounters(trx, TALLY, i % 2 ? changes : changes.reverse()), 1);
      }),
    );
    assert.deepEqual(await tallies(db), [[1, 40, 0], [2, 0, 40]]);
  });
}

if (databaseModes().includes('mysql')) {
  test('mysql: counterUpsertSql in a procedure adds to counters as addToCounters does', async (t) => {
    const db = await freshDb<Tables>(t, 'mysql');
    await migrateToLatest(db, { folder: await migrationFolder(t, { '2025-01-01T00-00_tally.ts': createTally }), service: 'test' });
    await sql.raw(`CREATE PROCEDURE add_likes(IN p_user BIGINT, IN p_delta INT)
BEGIN
  ${counterUpsertSql(TALLY, 'p_user', { likes: 'p_delta' })}
  ${counterUpsertSql(TALLY, 'p_user + 1', { likes: 'p_delta', liked: '2 * p_delta' })}
END`).execute(db);
    const add = (user: number, delta: number) => sql`CALL add_likes(${user}, ${delta})`.execute(db);
    await add(1, 1);
    assert.deepEqual(await tallies(db), [[1, 1, 0], [2, 1, 2]]);
    // Existing rows move by the delta, a counter not named is left alone, and a new row taken below zero starts at zero.
    await add(2, -1);
    assert.deepEqual(await tallies(db), [[1, 1, 0], [2, 0, 2], [3, 0, 0]]);

    // Two rows in either order, or one when both sides are the same key.
    const sides = pairCounterUpsertsSql(TALLY, { key: 'p_liker', add: { likes: '1' } }, { key: 'p_author', add: { liked: '1' } });
    await sql.raw(`CREATE PROCEDURE like_once(IN p_liker BIGINT, IN p_author BIGINT) BEGIN ${sides} END`).execute(db);
    const like = (liker: number, author: number) => sql`CALL like_once(${liker}, ${author})`.execute(db);
    await like(5, 4);
    await like(4, 5);
    await like(6, 6);
    assert.deepEqual((await tallies(db)).slice(3), [[4, 1, 1], [5, 1, 1], [6, 1, 1]]);
  });
}

test('a transaction that calls rollback keeps none of its writes and resolves with the given value', async (t) => {
  for (const mode of databaseModes()) {
    const db = await freshDb<Tables>(t, mode, `rollback_${mode}`);
    await migrateToLatest(db, { folder: await migrationFolder(t, { '2025-01-01T00-00_tally.ts': createTally }), service: 'test' });
    const result = await transactionWithRetry(db, async (trx, rollback) => {
      await addToCounters(trx, TALLY, [{ key: 1, add: { likes: 1 } }]);
      return rollback('undone');
    });
    assert.equal(result, 'undone');
    assert.deepEqual(await db.selectFrom('tally').selectAll().execute(), []);
  }
});

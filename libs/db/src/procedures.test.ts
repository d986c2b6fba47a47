import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { callTransactionProcedure, changedByProcedure, createTransactionProcedure, dropProcedure, type TransactionProcedure } from '@douyin/db';
import { databaseModes } from '@douyin/testing';
import { freshDb } from '../test/harness.js';

interface Tables {
  notes: { id: number; body: string };
  calls: { id: number };
}

// Logs the call, then writes two notes (p_id and p_id + 1) in one transaction, kept only when p_keep is 1: the second
// write fails on a duplicate key when note p_id + 1 already exists, after the first has been written.
const PUT_NOTES: TransactionProcedure = {
  name: 'put_notes_v1',
  parameters: 'IN p_id BIGINT, IN p_body TEXT CHARACTER SET utf8mb4, IN p_keep INT',
  variables: ['changed INT DEFAULT 1'],
  before: 'INSERT INTO calls (id) VALUES (p_id);',
  transaction: `
  INSERT INTO notes (id, body) VALUES (p_id, p_body);
  INSERT INTO notes (id, body) VALUES (p_id + 1, p_body);
  IF p_keep = 0 THEN
    ROLLBACK;
    SET changed = 0;
  END IF;`,
  answer: 'SELECT changed',
};

async function notesSchema(db: Kysely<Tables>): Promise<void> {
  await sql`CREATE TABLE notes (id BIGINT PRIMARY KEY, body TEXT CHARACTER SET utf8mb4 NOT NULL)`.execute(db);
  await sql`CREATE TABLE calls (id BIGINT NOT NULL)`.execute(db);
}

const noteIds = async (db: Kysely<Tables>) => (await db.selectFrom('notes').select('id').orderBy('id').execute()).map((r) => Number(r.id));
const callIds = async (db: Kysely<Tables>) => (await db.selectFrom('calls').select('id').orderBy('id').execute()).map((r) => Number(r.id));

if (databaseModes().includes('mysql')) {
  test('mysql: a transaction procedure keeps its writes, or none of them when it rolls back or fails, and never a lock', async (t) => {
    const db = await freshDb<Tables>(t, 'mysql');
    await notesSchema(db);
    await createTransactionProcedure(db, PUT_NOTES);

    assert.equal(await changedByProcedure(db, PUT_NOTES.name, [1, 'kept 😀', 1]), true);
    assert.deepEqual(await db.selectFrom('notes').selectAll().orderBy('id').execute(), [
      { id: 1, body: 'kept 😀' },
      { id: 2, body: 'kept 😀' },
    ]);
    // A transaction that rolls itself back keeps nothing; the COMMIT after it has nothing to do.
    assert.equal(await changedByProcedure(db, PUT_NOTES.name, [5, 'dropped', 0]), false);
    assert.deepEqual(await noteIds(db), [1, 2]);

    // Fails on its second write: the first is rolled back, what ran before the transaction stays.
    await db.insertInto('notes').values({ id: 11, body: 'in the way' }).execute();
    await assert.rejects(callTransactionProcedure(db, PUT_NOTES.name, [10, 'lost', 1]), /Duplicate entry/);
    assert.deepEqual(await noteIds(db), [1, 2, 11]);
    assert.deepEqual(await callIds(db), [1, 5, 10]);
    // A transaction left open would hold note 10's insert lock on one pooled connection: of two, one would be refused.
    await db.connection().execute((one) =>
      db.connection().execute(async (other) => {
        for (const connection of [one, other]) await sql`SELECT id FROM notes WHERE id = 10 FOR UPDATE NOWAIT`.execute(connection);
      }),
    );

    await dropProcedure(db, PUT_NOTES.name);
    await assert.rejects(callTransactionProcedure(db, PUT_NOTES.name, [20, 'gone', 1]), /does not exist/);
    await dropProcedure(db, PUT_NOTES.name);
  });
}

if (databaseModes().includes('sqlite')) {
  test('sqlite: creating and dropping a transaction procedure does nothing (the SQLite path runs its statements itself)', async (t) => {
    const db = await freshDb<Tables>(t, 'sqlite');
    await createTransactionProcedure(db, PUT_NOTES);
    await dropProcedure(db, PUT_NOTES.name);
    const { rows } = await sql<{ name: string }>`SELECT name FROM sqlite_master`.execute(db);
    assert.deepEqual(rows, []);
  });
}

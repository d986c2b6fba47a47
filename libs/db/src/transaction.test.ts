import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { isConnectionLost, isDatabaseUnavailable, isDeadlock, migrateToLatest, retryDeadlocks, transactionWithRetry } from '@douyin/db';
import { databaseModes } from '@douyin/testing';
import { createAccount, freshDb, migrationFolder } from '../test/harness.js';

interface Tables {
  account: { id: number; name: string; balance: number };
}

test('a deadlock victim is retried; other failures and exhausted attempts are thrown', async (t) => {
  const db = await freshDb<Tables>(t, 'sqlite');
  let calls = 0;
  const deadlock = Object.assign(new Error('Deadlock found'), { code: 'ER_LOCK_DEADLOCK' });
  const result = await transactionWithRetry(db, async () => {
    calls += 1;
    if (calls < 3) throw deadlock;
    return 'done';
  });
  assert.deepEqual([result, calls], ['done', 3]);
  await assert.rejects(transactionWithRetry(db, async () => Promise.reject(deadlock), 2), (err) => isDeadlock(err));
  calls = 0;
  await assert.rejects(
    transactionWithRetry(db, async () => {
      calls += 1;
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.equal(calls, 1);
});

test('retryDeadlocks runs a whole transaction again only for a deadlock, and at most `attempts` times', async () => {
  const deadlock = Object.assign(new Error('Deadlock found'), { code: 'ER_LOCK_DEADLOCK' });
  const timeout = Object.assign(new Error('Lock wait timeout exceeded'), { code: 'ER_LOCK_WAIT_TIMEOUT' });
  let calls = 0;
  const failing = (err: Error, times: number) => async () => {
    calls += 1;
    if (calls <= times) throw err;
    return calls;
  };
  assert.equal(await retryDeadlocks(failing(deadlock, 4)), 5);
  calls = 0;
  await assert.rejects(retryDeadlocks(failing(deadlock, 3), 3), (err) => isDeadlock(err));
  assert.equal(calls, 3);
  calls = 0;
  await assert.rejects(retryDeadlocks(failing(timeout, 1)), /Lock wait timeout/);
  assert.equal(calls, 1);
});

if (databaseModes().includes('mysql')) {
  test('mysql: two transactions locking rows in opposite order both commit', async (t) => {
    const db = await freshDb<Tables>(t, 'mysql');
    await migrateToLatest(db, { folder: await migrationFolder(t, { '2025-01-01T00-00_account.ts': createAccount('mysql') }), service: 'test' });
    await db.insertInto('account').values([{ id: 1, name: 'a', balance: 0 }, { id: 2, name: 'b', balance: 0 }]).execute();
    let attempts = 0;
    // Each holds one row and then wants the other's: InnoDB must abort one, which then runs again.
    const crossed = (first: number, second: number, bothLocked: Promise<unknown>, locked: () => void) =>
      transactionWithRetry(db, async (trx) => {
        attempts += 1;
        await sql`update account set balance = balance + 1 where id = ${first}`.execute(trx);
        locked();
        await bothLocked;
        await sql`update account set balance = balance + 1 where id = ${second}`.execute(trx);
      });
    let release!: () => void;
    let count = 0;
    const bothLocked = new Promise<void>((resolve) => (release = resolve));
    const locked = () => {
      count += 1;
      if (count === 2) release();
    };
    await Promise.all([crossed(1, 2, bothLocked, locked), crossed(2, 1, bothLocked, locked)]);
    const rows = await db.selectFrom('account').select(['id', 'balance']).orderBy('id').execute();
    assert.deepEqual(rows, [{ id: 1, balance: 2 }, { id: 2, balance: 2 }]);
    assert.equal(attempts, 3);
  });

  test('mysql: a transaction whose connection was lost fails with the loss, not with the ROLLBACK that could not be sent', async (t) => {
    const db = await freshDb<Tables>(t, 'mysql');
    await migrateToLatest(db, { folder: await migrationFolder(t, { '2025-01-01T00-00_account.ts': createAccount('mysql') }), service: 'test' });
    const failure = await db
      .transaction()
      .execute(async (trx) => {
        await trx.insertInto('account').values({ id: 1, name: 'a', balance: 5 }).execute();
        const { rows } = await sql<{ id: number }>`SELECT CONNECTION_ID() AS id`.execute(trx);
        // The server closes the transaction's connection from its side, as a failover or a crash would.
        await sql`KILL CONNECTION ${sql.lit(Number(rows[0]?.id))}`.execute(db);
      })
      .then(() => assert.fail('the COMMIT of a killed connection succeeded'), (err: unknown) => err);
    // Kysely answers a failed statement with a ROLLBACK, which a dead connection refuses with an error of no code:
    // thrown instead of the loss, it hid that the outcome is unknown and that the database is what failed.
    assert.ok(isConnectionLost(failure) && isDatabaseUnavailable(failure), String(failure));
    assert.deepEqual(await db.selectFrom('account').selectAll().execute(), []);
  });
}

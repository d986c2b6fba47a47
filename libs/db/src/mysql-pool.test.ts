import { AsyncLocalStorage } from 'node:async_hooks';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { Kysely, MysqlDialect, sql } from 'kysely';
import { createConnection, createPool } from 'mysql2';
import { callTransactionProcedure, createTransactionProcedure, isConnectionLost, isDatabaseUnavailable, migrateToLatest } from '@douyin/db';
import { databaseModes, freshDatabase, startPartitionProxy, until } from '@douyin/testing';
import { createAccount, migrationFolder } from '../test/harness.js';
import { guardedPool, lockWaitFor } from './mysql-pool.js';

interface Tables {
  account: { id: number; name: string; balance: number };
}

const GRACE_MS = 300;

/**
 * A pool of `size` connections to a fresh database behind a proxy the test can cut. `within(deadline, fn)` runs `fn`
 * as a call with that deadline, kept in async context as the services keep theirs.
 */
async function partitionable(t: TestContext, size = 2) {
  const proxy = await startPartitionProxy(t, (await freshDatabase(t, 'mysql')).url!, 3306);
  const calls = new AsyncLocalStorage<number>();
  const pool = guardedPool(createPool({ uri: proxy.url, connectionLimit: size, connectTimeout: 5_000 }), size, GRACE_MS, { deadline: () => calls.getStore() });
  const db = new Kysely<Tables>({ dialect: new MysqlDialect({ pool }) });
  t.after(() => db.destroy());
  await migrateToLatest(db, { folder: await migrationFolder(t, { '2025-01-01T00-00_account.ts': createAccount('mysql') }), service: 'test' });
  const within = <T>(deadline: number, fn: () => Promise<T>): Promise<T> => calls.run(deadline, fn);
  return { proxy, db, pool, within };
}

const account = (id: number) => ({ id, name: `n${id}`, balance: id });
const ids = async (db: Kysely<Tables>) => (await db.selectFrom('account').select('id').orderBy('id').execute()).map((row) => row.id);

if (databaseModes().includes('mysql')) {
  test('mysql: a silent server fails a call\'s statements soon after its deadline, never runs them later, and is used again once it answers', { timeout: 30_000 }, async (t) => {
    const { proxy, db, within } = await partitionable(t);
    await db.insertInto('account').values(account(1)).execute();
    // Both connections open, so two statements are sent during the cut.
    await Promise.all([sql`SELECT SLEEP(0.05)`.execute(db), sql`SELECT SLEEP(0.05)`.execute(db)]);
    proxy.cut();
    // Two statements take the pool's two connections; the rest wait for one until the deadline.
    const deadline = Date.now() + 500;
    const outcomes = await Promise.allSettled([2, 3, 4, 5].map((id) => within(deadline, () => db.insertInto('account').values(account(id)).execute())));
    const errors = outcomes.map((outcome) => (outcome.status === 'rejected' ? outcome.reason : assert.fail('a statement succeeded during the cut')));
    assert.ok(errors.every(isDatabaseUnavailable), errors.join('; '));
    // The two that were sent may have run (their answers never came); the waiting ones were never sent.
    assert.deepEqual(errors.map((err) => isConnectionLost(err)).sort(), [false, false, true, true], errors.join('; '));
    // Each abandoned statement's connection is reset, so its kernel drops what it could not deliver.
    await until('both connections reset', () => proxy.resets() >= 2, 1_000, 10);
    assert.equal(proxy.resets(), 2);

    proxy.heal();
    await within(Date.now() + 5_000, () => db.insertInto('account').values(account(6)).execute());
    assert.deepEqual(await ids(db), [1, 6]);
  });

  test('mysql: callers that gave up waiting for a connection leave the queue at once', { timeout: 30_000 }, async (t) => {
    const { db, pool, within } = await partitionable(t, 1);
    const busy = sql`SELECT SLEEP(1)`.execute(db);
    const deadline = Date.now() + 200;
    const waiters = [1, 2, 3].map((id) => within(deadline, () => db.insertInto('account').values(account(id)).execute()));
    const refused = Promise.all(waiters.map((waiter) => assert.rejects(waiter, (err) => isDatabaseUnavailable(err) && !isConnectionLost(err))));
    await sleep(50);
    assert.equal(pool.waiting(), 3);
    await refused;
    assert.equal(pool.waiting(), 0);
    await busy;
    await db.insertInto('account').values(account(4)).execute();
    assert.deepEqual(await ids(db), [4]);
  });

  test('mysql: callers still waiting for a connection when the pool closes are told so', { timeout: 30_000 }, async (t) => {
    const { db } = await partitionable(t, 1);
    const busy = sql`SELECT SLEEP(0.5)`.execute(db).catch(() => undefined);
    await sleep(50);
    const waiter = assert.rejects(db.insertInto('account').values(account(1)).execute(), /closed/i);
    await sleep(50);
    await db.destroy();
    await waiter;
    await busy;
  });

  test('mysql: a statement asked for after its call\'s deadline is not sent; without a deadline nothing is bounded', { timeout: 30_000 }, async (t) => {
    const { db, within } = await partitionable(t);
    const passed = Date.now() - 1;
    await assert.rejects(within(passed, () => db.insertInto('account').values(account(1)).execute()), (err) => isDatabaseUnavailable(err) && !isConnectionLost(err));
    await assert.rejects(
      within(passed, () => db.transaction().execute(async (trx) => trx.insertInto('account').values(account(2)).execute())),
      (err) => isDatabaseUnavailable(err) && !isConnectionLost(err),
    );
    await db.insertInto('account').values(account(3)).execute();
    assert.deepEqual(await ids(db), [3]);
  });

  test('mysql: a transaction whose deadline passed midway is rolled back before its connection is used again', { timeout: 30_000 }, async (t) => {
    const { db, within } = await partitionable(t);
    const failed = within(Date.now() + 300, () =>
      db.transaction().execute(async (trx) => {
        await trx.insertInto('account').values(account(1)).execute();
        await sleep(400);
        await trx.insertInto('account').values(account(2)).execute();
      }),
    );
    await assert.rejects(failed, (err) => isDatabaseUnavailable(err) && !isConnectionLost(err));
    // Both connections of the pool: neither may still hold the first insert in an open transaction.
    const [first, second] = await Promise.all([0, 1].map(() => sql<{ open: number; rows: number }>`SELECT @@in_transaction AS open, (SELECT COUNT(*) FROM account) AS \`rows\``.execute(db)));
    assert.deepEqual([first?.rows[0], second?.rows[0]].map((row) => [Number(row?.open), Number(row?.rows)]), [[0, 0], [0, 0]]);
  });

  test('mysql: a procedure that gets its lock too late for its call\'s deadline keeps nothing; in time, or with no deadline, it commits', { timeout: 30_000 }, async (t) => {
    const { proxy, db, within } = await partitionable(t, 1);
    await createTransactionProcedure(db, {
      name: 'add_account_after_lock_v1',
      parameters: 'IN p_id BIGINT',
      variables: ['held BIGINT'],
      transaction: `
  SELECT id INTO held FROM account WHERE id = 1 FOR UPDATE;
  INSERT INTO account (id, name, balance) VALUES (p_id, CONCAT('n', p_id), p_id);`,
      answer: 'SELECT 1 AS done',
    });
    await db.insertInto('account').values(account(1)).execute();
    const add = (id: number) => callTransactionProcedure(db, 'add_account_after_lock_v1', [id]);
    // Another client holds account 1 for 650 ms: a call due in 500 ms waits for it (a lock wait is a second at least)
    // and reaches its commit after its deadline.
    const other = await createConnection({ uri: proxy.url }).promise();
    await other.query('START TRANSACTION');
    await other.query('SELECT id FROM account WHERE id = 1 FOR UPDATE');
    const released = sleep(650).then(() => other.query('COMMIT'));
    await assert.rejects(within(Date.now() + 500, () => add(2)), (err) => isDatabaseUnavailable(err) && !isConnectionLost(err));
    await released;
    await other.end();
    assert.deepEqual(await ids(db), [1]);
    // On the same connection: a call in time commits, and a call without a deadline is not held to the last one's.
    await within(Date.now() + 300, () => add(3));
    await sleep(400);
    await add(4);
    assert.deepEqual(await ids(db), [1, 3, 4]);
  });

  test('mysql: a ROLLBACK a silent server never answers is abandoned without hiding why the transaction failed', { timeout: 30_000 }, async (t) => {
    const { proxy, db, within } = await partitionable(t);
    const failed = within(Date.now() + 300, () =>
      db.transaction().execute(async (trx) => {
        await trx.insertInto('account').values(account(1)).execute();
        proxy.cut();
        await sleep(400);
        await trx.insertInto('account').values(account(2)).execute();
      }),
    );
    // The second insert was never sent, so nothing is in doubt: the failure is the deadline, not a lost connection.
    await assert.rejects(failed, (err) => isDatabaseUnavailable(err) && !isConnectionLost(err));
    proxy.heal();
    assert.deepEqual(await ids(db), []);
  });
}

test('a call\'s lock wait is the whole seconds that end a margin before its deadline, from one up to the connections\' own', () => {
  assert.equal(lockWaitFor(Infinity, 5), 5);
  assert.equal(lockWaitFor(60_000, 5), 5);
  assert.equal(lockWaitFor(2_850, 5), 2);
  assert.equal(lockWaitFor(2_250, 5), 2);
  assert.equal(lockWaitFor(2_249, 5), 1);
  assert.equal(lockWaitFor(1_000, 5), 1);
  assert.equal(lockWaitFor(-10, 5), 1);
});

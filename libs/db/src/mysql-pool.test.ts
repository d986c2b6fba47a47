import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { sql } from 'kysely';
import { createDb, isConnectionLost, isDatabaseUnavailable, migrateToLatest } from '@douyin/db';
import { databaseModes, freshDatabase, startPartitionProxy } from '@douyin/testing';
import { createAccount, migrationFolder } from '../test/harness.js';

interface Tables {
  account: { id: number; name: string; balance: number };
}

/** A pool of two connections to a fresh database behind a proxy the test can cut; `deadline` is what each call sets. */
async function partitionable(t: TestContext) {
  const proxy = await startPartitionProxy(t, (await freshDatabase(t, 'mysql')).url!, 3306);
  const call: { deadline?: number } = {};
  const db = createDb<Tables>({ url: proxy.url, dataDir: '', name: 'test', poolSize: 2 }, { deadline: () => call.deadline });
  t.after(() => db.destroy());
  await migrateToLatest(db, { folder: await migrationFolder(t, { '2025-01-01T00-00_account.ts': createAccount('mysql') }), service: 'test' });
  return { proxy, db, call };
}

const account = (id: number) => ({ id, name: `n${id}`, balance: id });

if (databaseModes().includes('mysql')) {
  test('mysql: a silent server fails a call\'s statements soon after its deadline, never runs them later, and is used again once it answers', { timeout: 30_000 }, async (t) => {
    const { proxy, db, call } = await partitionable(t);
    await db.insertInto('account').values(account(1)).execute();
    // Both connections open, so two statements are sent during the cut.
    await Promise.all([sql`SELECT SLEEP(0.05)`.execute(db), sql`SELECT SLEEP(0.05)`.execute(db)]);
    proxy.cut();
    call.deadline = Date.now() + 200;
    // Two statements take the pool's two connections; the rest wait for one until the deadline.
    const outcomes = await Promise.allSettled([2, 3, 4, 5].map((id) => db.insertInto('account').values(account(id)).execute()));
    const errors = outcomes.map((outcome) => (outcome.status === 'rejected' ? outcome.reason : assert.fail('a statement succeeded during the cut')));
    assert.ok(errors.every(isDatabaseUnavailable), errors.join('; '));
    // The two that were sent may have run (their answers never came); the waiting ones were never sent.
    assert.deepEqual(errors.map((err) => isConnectionLost(err)).sort(), [false, false, true, true], errors.join('; '));
    // Each abandoned statement's connection is reset, so its kernel drops what it could not deliver.
    for (let waits = 0; proxy.resets() < 2 && waits < 100; waits += 1) await sleep(10);
    assert.equal(proxy.resets(), 2);

    proxy.heal();
    call.deadline = Date.now() + 5_000;
    await db.insertInto('account').values(account(6)).execute();
    assert.deepEqual((await db.selectFrom('account').select('id').orderBy('id').execute()).map((row) => row.id), [1, 6]);
  });

  test('mysql: a statement asked for after its call\'s deadline is not sent; without a deadline nothing is bounded', { timeout: 30_000 }, async (t) => {
    const { db, call } = await partitionable(t);
    call.deadline = Date.now() - 1;
    await assert.rejects(db.insertInto('account').values(account(1)).execute(), (err) => isDatabaseUnavailable(err) && !isConnectionLost(err));
    await assert.rejects(
      db.transaction().execute(async (trx) => trx.insertInto('account').values(account(2)).execute()),
      (err) => isDatabaseUnavailable(err) && !isConnectionLost(err),
    );
    call.deadline = undefined;
    await db.insertInto('account').values(account(3)).execute();
    assert.deepEqual((await db.selectFrom('account').select('id').execute()).map((row) => row.id), [3]);
  });

  test('mysql: a transaction whose deadline passed midway is rolled back before its connection is used again', { timeout: 30_000 }, async (t) => {
    const { db, call } = await partitionable(t);
    call.deadline = Date.now() + 5_000;
    const failed = db.transaction().execute(async (trx) => {
      await trx.insertInto('account').values(account(1)).execute();
      call.deadline = Date.now() - 1;
      await trx.insertInto('account').values(account(2)).execute();
    });
    await assert.rejects(failed, (err) => isDatabaseUnavailable(err) && !isConnectionLost(err));
    call.deadline = undefined;
    // Both connections of the pool: neither may still hold the first insert in an open transaction.
    const [first, second] = await Promise.all([0, 1].map(() => sql<{ open: number; rows: number }>`SELECT @@in_transaction AS open, (SELECT COUNT(*) FROM account) AS \`rows\``.execute(db)));
    assert.deepEqual([first?.rows[0], second?.rows[0]].map((row) => [Number(row?.open), Number(row?.rows)]), [[0, 0], [0, 0]]);
  });
}

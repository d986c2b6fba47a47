import { AsyncLocalStorage } from 'node:async_hooks';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { sql, type Generated } from 'kysely';
import { createDb, dialectOf, isUniqueViolation, migrateToLatest } from '@douyin/db';
import { setTimeout as sleep } from 'node:timers/promises';
import { databaseModes, freshDatabase, tcpTimers } from '@douyin/testing';
import { createAccount, freshDb, migrationFolder } from '../test/harness.js';

interface Tables {
  account: { id: Generated<number | string>; name: string; balance: number };
}

for (const mode of databaseModes()) {
  const accounts = async (t: Parameters<typeof freshDb>[0]) => {
    const db = await freshDb<Tables>(t, mode);
    await migrateToLatest(db, { folder: await migrationFolder(t, { '2025-01-01T00-00_account.ts': createAccount(mode) }), service: 'test' });
    return db;
  };

  test(`${mode}: reads back what it wrote, and knows its dialect`, async (t) => {
    const db = await accounts(t);
    await db.insertInto('account').values([{ id: 1, name: 'a', balance: 5 }, { id: 2, name: 'b', balance: 7 }]).execute();
    assert.deepEqual(await db.selectFrom('account').selectAll().orderBy('id').execute(), [
      { id: 1, name: 'a', balance: 5 },
      { id: 2, name: 'b', balance: 7 },
    ]);
    assert.equal(dialectOf(db), mode);
    await db.transaction().execute(async (trx) => assert.equal(dialectOf(trx), mode));
  });

  if (mode === 'mysql') {
    test('mysql: a statement waits for a row lock 5 s at most, not InnoDB\'s 50', async (t) => {
      const db = await freshDb<Tables>(t, mode);
      const { rows } = await sql<{ wait: number }>`SELECT @@SESSION.innodb_lock_wait_timeout AS wait`.execute(db);
      assert.equal(Number(rows[0]?.wait), 5);
    });
  }

  if (mode === 'mysql') {
    test('mysql: a call\'s statement waits for a row lock only until shortly before its deadline', { timeout: 30_000 }, async (t) => {
      const calls = new AsyncLocalStorage<number>();
      const database = await freshDatabase(t, mode);
      // One connection, so every statement here is asked of the same session.
      const db = createDb<Tables>({ ...database, name: 'test', poolSize: 1 }, { deadline: () => calls.getStore() });
      t.after(() => db.destroy());
      await migrateToLatest(db, { folder: await migrationFolder(t, { '2025-01-01T00-00_account.ts': createAccount(mode) }), service: 'test' });
      await db.insertInto('account').values({ id: 1, name: 'a', balance: 5 }).execute();
      const holder = createDb<Tables>({ ...database, name: 'holder', poolSize: 1 });
      t.after(() => holder.destroy());
      let release = () => {};
      const released = new Promise<void>((resolve) => (release = resolve));
      const locked = new Promise<void>((resolve) => {
        void holder.transaction().execute(async (trx) => {
          await trx.selectFrom('account').selectAll().where('id', '=', 1).forUpdate().execute();
          resolve();
          await released;
        });
      });
      await locked;
      const deadline = Date.now() + 2_600;
      const outcome = await calls.run(deadline, () => db.updateTable('account').set({ balance: 6 }).where('id', '=', 1).execute()).then(
        () => 'updated',
        (err: { code?: string }) => err.code,
      );
      const answeredAt = Date.now();
      release();
      // Waiting the connections' 5 s, the update would have been done 2.4 s after its caller gave up.
      assert.equal(outcome, 'ER_LOCK_WAIT_TIMEOUT');
      assert.ok(answeredAt < deadline, `answered ${answeredAt - deadline} ms after the deadline`);
      // A write outside any call waits as long as every connection does.
      await db.updateTable('account').set({ balance: 7 }).where('id', '=', 1).execute();
      const { rows } = await sql<{ wait: number }>`SELECT @@SESSION.innodb_lock_wait_timeout AS wait`.execute(db);
      assert.equal(Number(rows[0]?.wait), 5);
    });
  }

  if (mode === 'mysql' && process.platform === 'linux') {
    test('mysql: an idle pool connection runs TCP keepalive, so a server host that vanished is noticed in minutes, not hours', async (t) => {
      const db = await freshDb<Tables>(t, mode);
      // The server sees this connection from the client's port: "127.0.0.1:54321" or "localhost:54321".
      const { rows } = await sql<{ host: string }>`SELECT host FROM information_schema.processlist WHERE id = CONNECTION_ID()`.execute(db);
      const clientPort = Number(rows[0]?.host.split(':').pop());
      assert.ok(clientPort > 0, JSON.stringify(rows));
      await sleep(300); // idle: the answer acknowledged, no retransmission timer left running
      const [timer, ...others] = await tcpTimers({ localPort: clientPort });
      assert.ok(timer && others.length === 0 && timer.kind === 'keepalive' && timer.inSeconds <= 10, JSON.stringify(timer));
    });
  }

  test(`${mode}: COUNT and SUM come back as numbers`, async (t) => {
    const db = await accounts(t);
    await db.insertInto('account').values([{ id: 1, name: 'a', balance: 5 }, { id: 2, name: 'b', balance: 7 }]).execute();
    const row = await db.selectFrom('account').select((eb) => [eb.fn.countAll().as('n'), eb.fn.sum('balance').as('total')]).executeTakeFirst();
    assert.deepEqual(row, { n: 2, total: 12 });
  });

  test(`${mode}: a duplicate key is recognised by isUniqueViolation`, async (t) => {
    const db = await accounts(t);
    await db.insertInto('account').values({ id: 1, name: 'same', balance: 0 }).execute();
    await assert.rejects(db.insertInto('account').values({ id: 2, name: 'same', balance: 0 }).execute(), (err) => isUniqueViolation(err));
    await assert.rejects(db.insertInto('account').values({ id: 1, name: 'other', balance: 0 }).execute(), (err) => isUniqueViolation(err));
  });

  test(`${mode}: auto-increment ids come back through insertId`, async (t) => {
    const db = await accounts(t);
    const first = await db.insertInto('account').values({ name: 'a', balance: 0 }).executeTakeFirstOrThrow();
    const second = await db.insertInto('account').values({ name: 'b', balance: 0 }).executeTakeFirstOrThrow();
    assert.ok(Number(second.insertId) > Number(first.insertId));
    const row = await db.selectFrom('account').select('id').where('name', '=', 'b').executeTakeFirst();
    assert.equal(row?.id, Number(second.insertId));
  });

  test(`${mode}: ids up to 2^53-1 are numbers, larger BIGINTs are exact strings`, async (t) => {
    const db = await accounts(t);
    const { insertId } = await db.insertInto('account').values({ id: Number.MAX_SAFE_INTEGER, name: 'max', balance: 0 }).executeTakeFirstOrThrow();
    // Past 2^53 a JS number cannot carry the value, so it goes in as text.
    await db.insertInto('account').values({ id: '9007199254740993', name: 'over', balance: 0 }).execute();
    const rows = await db.selectFrom('account').select(['id', 'name']).orderBy('id').execute();
    assert.deepEqual(rows, [{ id: Number.MAX_SAFE_INTEGER, name: 'max' }, { id: '9007199254740993', name: 'over' }]);
    assert.equal(Number(insertId), Number.MAX_SAFE_INTEGER);
  });

  test(`${mode}: emoji and SQL metacharacters round-trip verbatim`, async (t) => {
    const db = await accounts(t);
    const name = `Bobby'); DROP TABLE account;-- "\\" % _ \` 😀👩‍👩‍👧 é e\u0301 中文`;
    await db.insertInto('account').values({ id: 1, name, balance: 0 }).execute();
    const found = await db.selectFrom('account').select('name').where('name', '=', name).executeTakeFirst();
    assert.equal(found?.name, name);
    const raw = await sql<{ name: string }>`select name from account where id = ${1}`.execute(db);
    assert.equal(raw.rows[0]?.name, name);
  });
}

test('sqlite: creates the data dir and names the file after the service', async (t) => {
  const { dataDir } = await freshDatabase(t, 'sqlite');
  const nested = join(dataDir, 'missing', 'dir');
  const db = createDb({ dataDir: nested, name: 'video' });
  t.after(() => db.destroy());
  await sql`select 1`.execute(db);
  assert.ok(existsSync(join(nested, 'video.sqlite')));
  const pragma = async (name: string) => (await sql<Record<string, unknown>>`select * from ${sql.raw(`pragma_${name}`)}`.execute(db)).rows;
  assert.deepEqual(await pragma('journal_mode'), [{ journal_mode: 'wal' }]);
  assert.deepEqual(await pragma('busy_timeout'), [{ timeout: 5000 }]);
  assert.deepEqual(await pragma('foreign_keys'), [{ foreign_keys: 1 }]);
});

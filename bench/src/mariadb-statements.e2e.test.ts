import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection } from 'mysql2/promise';
import { startPrivateMariadb } from '@douyin/testing';
import { bySubject, CounterTally } from './counter-tally.js';
import { mariadbStatementCounters } from './mariadb-statements.js';

test('a statement tally counts each statement shape a run sent to its database, per request', { timeout: 60_000 }, async (t) => {
  const server = await startPrivateMariadb(t, { performanceSchema: true });
  const connection = await createConnection({ uri: server.url });
  t.after(() => connection.end());
  await connection.query(`CREATE TABLE likes (user_id BIGINT NOT NULL, video_id BIGINT NOT NULL, PRIMARY KEY (user_id, video_id))`);
  await connection.query(`INSERT INTO likes VALUES (1, 1), (1, 2), (1, 3), (2, 1)`);
  // MariaDB answers a statement before it adds it to the digest summary; the connection's next statement waits for
  // that, so the set-up INSERT is counted before the tally's first read, not inside the run.
  await connection.query(`DO 0`);
  const tally = new CounterTally(mariadbStatementCounters(t, server.url));
  await CounterTally.measure([tally], async () => {
    for (let user = 1; user <= 4; user++) await connection.query(`SELECT video_id FROM likes WHERE user_id = ?`, [user]);
    await connection.query(`INSERT INTO likes VALUES (3, 1)`);
    // The same wait at the end: the run's INSERT is counted before the tally reads.
    await connection.query(`DO 0`);
    return { requests: 2 };
  });
  const statements = bySubject(tally.perRequest());
  const select = Object.entries(statements).find(([text]) => text.startsWith('SELECT `video_id` FROM `likes`'));
  assert.ok(select, `a SELECT digest among ${Object.keys(statements).join(' | ')}`);
  // Four lookups over two requests, each reading its user's rows through the primary key.
  assert.equal(select[1].calls, 2);
  assert.equal(select[1]['rows examined'], 2);
  assert.ok(select[1].us! > 0);
  // The run's one-row insert; the four-row one before the run may share its digest or have its own, which grew by nothing.
  const inserts = Object.entries(statements).filter(([text]) => text.startsWith('INSERT'));
  assert.equal(inserts.reduce((sum, [, measures]) => sum + measures.calls!, 0), 0.5);
  assert.ok(statements['buffer pool']!['page reads']! > 0);
  assert.equal(Object.keys(statements).filter((text) => /performance_schema|^SHOW/.test(text)).length, 0, 'the tally leaves its own reads out');
});

test('without performance_schema a statement tally still counts the buffer pool', { timeout: 60_000 }, async (t) => {
  const server = await startPrivateMariadb(t);
  const connection = await createConnection({ uri: server.url });
  t.after(() => connection.end());
  await connection.query(`CREATE TABLE likes (user_id BIGINT PRIMARY KEY)`);
  const tally = new CounterTally(mariadbStatementCounters(t, server.url));
  await CounterTally.measure([tally], async () => (await connection.query(`SELECT * FROM likes`), { requests: 1 }));
  assert.deepEqual(Object.keys(bySubject(tally.perRequest())), ['buffer pool']);
});

test("a user that may not read performance_schema (DATABASE_URL's may not) still counts the buffer pool", { timeout: 60_000 }, async (t) => {
  const server = await startPrivateMariadb(t, { performanceSchema: true });
  const root = await createConnection({ uri: server.url });
  t.after(() => root.end());
  await root.query(`CREATE TABLE likes (user_id BIGINT PRIMARY KEY)`);
  // The private server grants everything (--skip-grant-tables): its refusal is the one MariaDB sends such a user.
  const denied = Object.assign(new Error('SELECT command denied to user'), { code: 'ER_TABLEACCESS_DENIED_ERROR', errno: 1142 });
  const withoutRights = async (uri: string) => {
    const connection = await createConnection({ uri });
    const query = connection.query.bind(connection) as (sql: string, values?: unknown) => Promise<unknown>;
    const guarded = (sql: string, values?: unknown) => (sql.includes('performance_schema') ? Promise.reject(denied) : query(sql, values));
    return Object.assign(connection, { query: guarded });
  };
  const tally = new CounterTally(mariadbStatementCounters(t, server.url, withoutRights as never));
  await CounterTally.measure([tally], async () => (await root.query(`SELECT * FROM likes`), { requests: 1 }));
  assert.deepEqual(Object.keys(bySubject(tally.perRequest())), ['buffer pool']);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { createDb, isConnectionLost, isDatabaseUnavailable, isUniqueViolation } from '@douyin/db';

test('a pool pointed at a closed port reports the database unavailable', async (t) => {
  const db = createDb({ url: 'mysql://nobody:nothing@127.0.0.1:1/none', dataDir: 'unused', name: 'test' });
  t.after(() => db.destroy());
  await assert.rejects(sql`select 1`.execute(db), (err) => isDatabaseUnavailable(err) && !isUniqueViolation(err));
});

test('recognises driver codes, also when wrapped as a cause', () => {
  const wrapped = new Error('insert user failed', { cause: Object.assign(new Error('dup'), { code: 'ER_DUP_ENTRY' }) });
  assert.ok(isUniqueViolation(wrapped));
  assert.ok(isUniqueViolation({ code: 'SQLITE_CONSTRAINT_PRIMARYKEY' }));
  assert.ok(isDatabaseUnavailable({ code: 'SQLITE_BUSY_SNAPSHOT' }));
  assert.ok(isDatabaseUnavailable(new AggregateError([{ code: 'ECONNREFUSED' }])));
});

test('a lost connection leaves a statement\'s outcome unknown; a refusal or a connection never made does not', () => {
  for (const code of ['PROTOCOL_CONNECTION_LOST', 'ECONNRESET', 'EPIPE']) assert.ok(isConnectionLost(new Error('x', { cause: { code } })), code);
  for (const code of ['ER_LOCK_WAIT_TIMEOUT', 'ER_LOCK_DEADLOCK', 'ER_AUTOINC_READ_FAILED', 'ER_CON_COUNT_ERROR', 'ECONNREFUSED', 'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR', 'SQLITE_BUSY']) {
    assert.ok(!isConnectionLost({ code }) && isDatabaseUnavailable({ code }), code);
  }
});

test('statement errors are neither unique violations nor unavailability', () => {
  for (const err of [{ code: 'ER_PARSE_ERROR' }, { code: 'SQLITE_CONSTRAINT_NOTNULL' }, new Error('x'), 'text', null]) {
    assert.ok(!isUniqueViolation(err) && !isDatabaseUnavailable(err), String(err));
  }
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createConnection } from 'mysql2/promise';
import { databaseModes, freshDatabase, sharedRedisUrl, type TestDatabase } from '@douyin/testing';

test('databaseModes: sqlite only without DATABASE_URL, both with it', () => {
  assert.deepEqual(databaseModes({}), ['sqlite']);
  assert.deepEqual(databaseModes({ DATABASE_URL: 'mysql://u:p@127.0.0.1:3306/x' }), ['sqlite', 'mysql']);
});

test('databaseModes: REQUIRE_DATABASES=mysql without DATABASE_URL fails instead of skipping', () => {
  assert.throws(() => databaseModes({ REQUIRE_DATABASES: 'sqlite, mysql' }), /DATABASE_URL/);
  assert.deepEqual(databaseModes({ REQUIRE_DATABASES: 'sqlite' }), ['sqlite']);
  assert.throws(() => databaseModes({ REQUIRE_DATABASES: 'mariadb' }), /unknown mode/);
});

test('sharedRedisUrl: undefined without REDIS_URL, a failure when REQUIRE_DATABASES names redis', () => {
  assert.equal(sharedRedisUrl({}), undefined);
  assert.equal(sharedRedisUrl({ REDIS_URL: 'redis://127.0.0.1:6379' }), 'redis://127.0.0.1:6379');
  assert.throws(() => sharedRedisUrl({ REQUIRE_DATABASES: 'mysql,redis', DATABASE_URL: 'mysql://x' }), /REDIS_URL/);
  assert.deepEqual(databaseModes({ REQUIRE_DATABASES: 'redis', REDIS_URL: 'redis://x' }), ['sqlite']);
});

test('sqlite: a fresh temp dir per call, removed after the test', async (t) => {
  let first: TestDatabase | undefined;
  await t.test('inner', async (inner) => {
    first = await freshDatabase(inner, 'sqlite');
    const second = await freshDatabase(inner, 'sqlite');
    assert.notEqual(first.dataDir, second.dataDir);
    assert.equal(first.url, undefined);
    assert.ok(existsSync(first.dataDir));
  });
  assert.ok(first && !existsSync(first.dataDir));
});

test('mysql: a fresh database per call, dropped after the test', { skip: !databaseModes().includes('mysql') }, async (t) => {
  let url: string | undefined;
  await t.test('inner', async (inner) => {
    const db = await freshDatabase(inner, 'mysql');
    url = db.url;
    assert.match(url ?? '', /\/t_[0-9a-f]{12}$/);
    const connection = await createConnection({ uri: url });
    const [rows] = await connection.query('SELECT DATABASE() AS name, @@character_set_database AS charset');
    await connection.end();
    assert.deepEqual(rows, [{ name: new URL(url ?? '').pathname.slice(1), charset: 'utf8mb4' }]);
  });
  await assert.rejects(createConnection({ uri: url }), { code: 'ER_BAD_DB_ERROR' });
});

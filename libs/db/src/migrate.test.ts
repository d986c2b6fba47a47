import { test } from 'node:test';
import assert from 'node:assert/strict';
import { migrateToLatest } from '@douyin/db';
import { databaseModes } from '@douyin/testing';
import { createAccount, createTable, freshDb, migrationFolder } from '../test/harness.js';

interface MigrationTables {
  video_migration: { name: string; timestamp: string };
}

for (const mode of databaseModes()) {
  test(`${mode}: applies pending migrations in name order and is a no-op when re-run`, async (t) => {
    const db = await freshDb(t, mode);
    const folder = await migrationFolder(t, {
      '2025-01-02T00-00_create_b.ts': createTable('b'),
      '2025-01-01T00-00_create_a.ts': createTable('a'),
    });
    assert.deepEqual(await migrateToLatest(db, { folder, service: 'user' }), ['2025-01-01T00-00_create_a', '2025-01-02T00-00_create_b']);
    assert.deepEqual(await migrateToLatest(db, { folder, service: 'user' }), []);
    const tables = (await db.introspection.getTables()).map((table) => table.name).sort();
    assert.deepEqual(tables, ['a', 'b', 'user_migration', 'user_migration_lock']);
  });

  test(`${mode}: a release whose migrations the database is ahead of still starts; a diverged history does not`, async (t) => {
    const db = await freshDb(t, mode);
    const a = { '2025-01-01T00-00_create_a.ts': createTable('a') };
    const newer = await migrationFolder(t, { ...a, '2025-01-02T00-00_create_b.ts': createTable('b') });
    assert.equal((await migrateToLatest(db, { folder: newer, service: 'user' })).length, 2);
    // The previous release, restarted during the rolling update or rolled back to.
    assert.deepEqual(await migrateToLatest(db, { folder: await migrationFolder(t, a), service: 'user' }), []);
    // A release with a migration of its own where the newer one ran: not safe to guess.
    const diverged = await migrationFolder(t, { ...a, '2025-01-03T00-00_create_c.ts': createTable('c') });
    await assert.rejects(migrateToLatest(db, { folder: diverged, service: 'user' }), /2025-01-02T00-00_create_b/);
    const older = await migrationFolder(t, { '2025-01-01T12-00_create_x.ts': createTable('x'), '2025-01-05T00-00_create_y.ts': createTable('y') });
    await assert.rejects(migrateToLatest(db, { folder: older, service: 'user' }), /corrupted migrations/);
    assert.deepEqual((await db.introspection.getTables()).map((table) => table.name).sort(), ['a', 'b', 'user_migration', 'user_migration_lock']);
  });

  test(`${mode}: two services' migrations share one database without colliding`, async (t) => {
    const db = await freshDb<MigrationTables>(t, mode);
    // The same file name in both services: each service's history is kept apart by its own table.
    const user = await migrationFolder(t, { '2025-01-01T00-00_init.ts': createTable('user') });
    const video = await migrationFolder(t, { '2025-01-01T00-00_init.ts': createTable('video') });
    assert.deepEqual(await migrateToLatest(db, { folder: user, service: 'user' }), ['2025-01-01T00-00_init']);
    assert.deepEqual(await migrateToLatest(db, { folder: video, service: 'video' }), ['2025-01-01T00-00_init']);
    const rows = await db.selectFrom('video_migration').select('name').execute();
    assert.deepEqual(rows, [{ name: '2025-01-01T00-00_init' }]);
  });

  test(`${mode}: ignores declaration and source-map files next to built migrations`, async (t) => {
    const db = await freshDb(t, mode);
    const poison = 'throw new Error("must not be imported");';
    const folder = await migrationFolder(t, {
      '2025-01-01T00-00_create_account.js': createAccount(mode),
      '2025-01-01T00-00_create_account.d.ts': poison,
      '2025-01-01T00-00_create_account.js.map': poison,
    });
    assert.deepEqual(await migrateToLatest(db, { folder, service: 'user' }), ['2025-01-01T00-00_create_account']);
  });

  test(`${mode}: a failing migration is named in the error`, async (t) => {
    const db = await freshDb(t, mode);
    const folder = await migrationFolder(t, {
      '2025-01-01T00-00_ok.ts': createTable('a'),
      '2025-01-02T00-00_broken.ts': createTable('a'),
    });
    await assert.rejects(migrateToLatest(db, { folder, service: 'user' }), /user: migration 2025-01-02T00-00_broken failed/);
  });
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sql } from 'kysely';
import { dropIndex, migrateToLatest, replaceIndex } from '@douyin/db';
import { databaseModes } from '@douyin/testing';
import { freshDb, indexNames, migrationFolder } from '../test/harness.js';

interface Tables {
  likes: { id: number; user_id: number; video_id: number };
}

const createLikes = `
export async function up(db) {
  await db.schema.createTable('likes')
    .addColumn('id', 'bigint', (c) => c.primaryKey())
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('video_id', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('likes_by_user').on('likes').columns(['user_id', 'id']).execute();
}
`;

for (const mode of databaseModes()) {
  test(`${mode}: replaceIndex builds the new index and drops the old one, the query reads the index alone; dropIndex drops it`, async (t) => {
    const db = await freshDb<Tables>(t, mode);
    await migrateToLatest(db, { folder: await migrationFolder(t, { '2025-01-01T00-00_likes.ts': createLikes }), service: 'test' });
    await db.insertInto('likes').values([{ id: 1, user_id: 7, video_id: 70 }, { id: 2, user_id: 7, video_id: 71 }, { id: 3, user_id: 8, video_id: 70 }]).execute();

    await replaceIndex(db, 'likes', 'likes_by_user', { name: 'likes_by_user_video', columns: ['user_id', 'id', 'video_id'] });
    const names = await indexNames(db, 'likes');
    assert.ok(names.includes('likes_by_user_video'), names.join());
    assert.ok(!names.includes('likes_by_user'), names.join());

    const list = db.selectFrom('likes').select('video_id').where('user_id', '=', 7).orderBy('id', 'desc');
    assert.deepEqual(await list.execute(), [{ video_id: 71 }, { video_id: 70 }]);
    const plan = JSON.stringify((await sql.raw(`${mode === 'mysql' ? 'explain' : 'explain query plan'} ${list.compile().sql.replace('?', '7')}`).execute(db)).rows);
    assert.match(plan, mode === 'mysql' ? /Using index/ : /COVERING INDEX likes_by_user_video/, plan);

    await dropIndex(db, 'likes', 'likes_by_user_video');
    assert.ok(!(await indexNames(db, 'likes')).includes('likes_by_user_video'));
  });
}

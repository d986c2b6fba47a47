import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompiledQuery, type Kysely } from 'kysely';
import { dialectOf, existingPairs, existingPairsQuery, migrateToLatest, type PairTable } from '@douyin/db';
import { databaseModes, type DatabaseMode } from '@douyin/testing';
import { freshDb, migrationFolder } from '../test/harness.js';

interface Tables {
  likes: { id?: number; user_id: number; video_id: number; created_at: number };
}

const LIKES: PairTable = { table: 'likes', user: 'user_id', item: 'video_id' };

// Shaped like the services' pair tables: a surrogate key, the unique pair, and other indexes a planner could pick.
const createLikes = (mode: DatabaseMode) => `
export async function up(db) {
  await db.schema.createTable('likes')
    .addColumn('id', '${mode === 'sqlite' ? 'integer' : 'bigint'}', (c) => c.primaryKey().autoIncrement())
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('video_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('likes_pair').on('likes').columns(['user_id', 'video_id']).unique().execute();
  await db.schema.createIndex('likes_by_user').on('likes').columns(['user_id', 'created_at', 'video_id']).execute();
  await db.schema.createIndex('likes_by_video').on('likes').columns(['video_id', 'user_id']).execute();
}
`;

/** User u likes video v when (u + v) is a multiple of 3: 200 users × 300 videos, 20,000 rows. */
const likes = (u: number, v: number) => (u + v) % 3 === 0;
const USERS = 200;
const VIDEOS = 300;

async function seeded(t: Parameters<typeof freshDb>[0], mode: DatabaseMode): Promise<Kysely<Tables>> {
  const db = await freshDb<Tables>(t, mode);
  await migrateToLatest(db, { folder: await migrationFolder(t, { '2025-01-01T00-00_likes.ts': createLikes(mode) }), service: 'test' });
  const rows = [];
  for (let u = 1; u <= USERS; u++) for (let v = 1; v <= VIDEOS; v++) if (likes(u, v)) rows.push({ user_id: u, video_id: v, created_at: u * v });
  for (let i = 0; i < rows.length; i += 1_000) await db.insertInto('likes').values(rows.slice(i, i + 1_000)).execute();
  return db;
}

const sorted = (pairs: Array<[number, number]>) => [...pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

for (const mode of databaseModes()) {
  test(`${mode}: existingPairs answers the pairs asked that have a row, each once`, async (t) => {
    const db = await seeded(t, mode);
    const questions = new Map<number, number[]>([
      [1, [2, 3, 5, 8, 2, 2]],
      [2, [1, 4, 6]],
      [3, []],
      [USERS + 1, [1, 2, 3]],
    ]);
    assert.deepEqual(sorted(await existingPairs(db, LIKES, questions)), [
      [1, 2],
      [1, 5],
      [1, 8],
      [2, 1],
      [2, 4],
    ]);
    assert.deepEqual(await existingPairs(db, LIKES, new Map()), []);
    assert.deepEqual(await existingPairs(db, LIKES, new Map([[1, []]])), []);
  });

  test(`${mode}: existingPairs answers the contract's largest question, 100 users × 100 items, in one statement`, async (t) => {
    const seededDb = await seeded(t, mode);
    let statements = 0;
    const db = seededDb.withPlugin({
      transformQuery: ({ node }) => (statements++, node),
      transformResult: async ({ result }) => result,
    });
    const questions = new Map(range(1, 100).map((u) => [u, range(u, u + 99)]));
    const expected = [...questions].flatMap(([u, items]) => items.filter((v) => likes(u, v)).map((v): [number, number] => [u, v]));
    assert.ok(expected.length > 3_000, `${expected.length} pairs exist`);
    assert.deepEqual(sorted(await existingPairs(db, LIKES, questions)), sorted(expected));
    assert.equal(statements, 1);
  });

  test(`${mode}: existingPairs looks each pair up in the unique pair index, whatever the question's size`, async (t) => {
    const db = await seeded(t, mode);
    const sizes: Array<[users: number, items: number]> = [
      [1, 3],
      [50, 100],
    ];
    for (const [users, items] of sizes) {
      const questions = new Map(range(1, users).map((u) => [u, range(1, items)]));
      const { sql, parameters } = existingPairsQuery(dialectOf(db), LIKES, questions)!.compile(db);
      if (mode === 'mysql') {
        const plan = (await db.executeQuery<{ table: string; type: string; key: string | null }>(CompiledQuery.raw(`explain ${sql}`, [...parameters]))).rows;
        // The asked pairs first, then one lookup of each in the pair index.
        assert.deepEqual(plan.map((row) => [row.table, row.type, row.key]), [['asked', 'ALL', null], ['likes', 'eq_ref', 'likes_pair']], JSON.stringify(plan));
      } else {
        const plan = (await db.executeQuery<{ detail: string }>(CompiledQuery.raw(`explain query plan ${sql}`, [...parameters]))).rows;
        const steps = plan.map((row) => row.detail);
        assert.equal(steps.length, 2, JSON.stringify(plan));
        assert.match(steps[0]!, /^SCAN json_each VIRTUAL TABLE/);
        assert.match(steps[1]!, /^SEARCH likes USING (COVERING )?INDEX likes_pair \(user_id=\? AND video_id=\?\)$/);
      }
    }
  });
}

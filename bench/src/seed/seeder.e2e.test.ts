import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createConnection, type Connection } from 'mysql2/promise';
import { databaseModes, freshDatabase } from '@douyin/testing';
import { scaleFor } from './scale.js';
import { SeedMismatchError, seed } from './seeder.js';

const count = async (connection: Connection, query: string): Promise<number> =>
  Number(((await connection.query(query)) as unknown as [[{ n: number | string }]])[0][0].n);

/** Counter rows that disagree with the rows they count, for every counter the seed builds. */
const wrongCounters = (connection: Connection) =>
  count(
    connection,
    `SELECT
       (SELECT COUNT(*) FROM videos v
          LEFT JOIN video_favorite_counts c ON c.video_id = v.id
          LEFT JOIN (SELECT video_id, COUNT(*) AS n FROM favorites GROUP BY video_id) f ON f.video_id = v.id
        WHERE COALESCE(c.favorite_count, 0) <> COALESCE(f.n, 0))
     + (SELECT COUNT(*) FROM videos v
          LEFT JOIN video_comment_counts c ON c.video_id = v.id
          LEFT JOIN (SELECT video_id, COUNT(*) AS n FROM comments GROUP BY video_id) f ON f.video_id = v.id
        WHERE COALESCE(c.comment_count, 0) <> COALESCE(f.n, 0))
     + (SELECT COUNT(*) FROM users u
          LEFT JOIN follow_counts c ON c.user_id = u.id
          LEFT JOIN (SELECT follower_id, COUNT(*) AS n FROM follows GROUP BY follower_id) f ON f.follower_id = u.id
        WHERE COALESCE(c.follow_count, 0) <> COALESCE(f.n, 0)) AS n`,
  );

test('the seeder resumes past a chunk an interrupted run left out, rebuilds counters it left stale, and never mixes two seeds (mysql)', { skip: !databaseModes().includes('mysql') }, async (t) => {
  const db = await freshDatabase(t, 'mysql');
  const url = db.url ?? '';
  const connection = await createConnection({ uri: url });
  t.after(() => connection.end());
  const scale = scaleFor(1_000);
  await seed(url, scale);
  const rows = () => count(connection, 'SELECT COUNT(*) AS n FROM favorites');
  assert.equal(await rows(), scale.favorites);
  assert.equal(await wrongCounters(connection), 0);

  // A run stopped while one worker's chunk was in flight and the other had finished every later one: the highest id
  // is there, the chunk below it is not, and the table is not recorded as filled.
  await connection.query('DELETE FROM favorites WHERE id BETWEEN 2001 AND 4000');
  await connection.query("DELETE FROM bench_seed_state WHERE name IN ('filled:favorites', 'counted')");
  await seed(url, scale);
  assert.equal(await rows(), scale.favorites, 'the gap is filled');
  assert.equal(await wrongCounters(connection), 0, 'and counted');

  // Stopped after its last table, before the counters were rebuilt: the next run rebuilds them, though it adds nothing.
  await connection.query('UPDATE video_favorite_counts SET favorite_count = favorite_count + 5 WHERE video_id <= 3');
  await connection.query("DELETE FROM bench_seed_state WHERE name = 'counted'");
  await seed(url, scale);
  assert.equal(await wrongCounters(connection), 0);

  // Another scale is refused, not mixed in (authors and pairs depend on the user count); replaced when allowed.
  const larger = scaleFor(2_000);
  await assert.rejects(seed(url, larger), SeedMismatchError);
  assert.equal(await rows(), scale.favorites, 'nothing added by the refused seed');
  let replaced = 0;
  const name = new URL(url).pathname.slice(1);
  // As the bench's own databases are replaced (recreateDatabase): dropped with their procedures, and created empty.
  const recreate = async () => {
    replaced++;
    await connection.query(`DROP DATABASE \`${name}\``);
    await connection.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    await connection.query(`USE \`${name}\``);
  };
  await seed(url, larger, undefined, recreate);
  assert.equal(replaced, 1);
  assert.equal(await rows(), larger.favorites);
  assert.equal(await wrongCounters(connection), 0);
});

import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { CompiledQuery, sql, type Kysely } from 'kysely';
import { hashPassword } from '@douyin/auth';
import { createDb, migrateToLatest } from '@douyin/db';
import { REPO_ROOT } from '../processes.js';
import { progressBar } from './progress.js';
import { checkScale, commentRow, favoriteRow, followRow, messageRow, userRow, videoRow } from './rows.js';
import type { Scale } from './scale.js';

/** The services whose tables the seeder fills, each migrated by its own migrations folder. */
const SERVICES = ['user', 'video', 'favorite', 'comment', 'relation', 'message'] as const;
const CHUNK = 2_000;
const PARALLEL = 2;
/** Every seeded user's password, so a bench or a person can log in as any of them. */
export const SEED_PASSWORD = 'bench-pass-1';

type Db = Kysely<any>;

type Row = Record<string, unknown>;

/**
 * An INSERT IGNORE of `table`'s rows, compiled once per chunk length: every chunk of a length is the same statement
 * with other values, and building each one's syntax tree (12,000 value nodes) cost the seeder half its CPU.
 */
function chunkInserter(db: Db, table: string): (rows: Row[]) => Promise<unknown> {
  const statements = new Map<number, string>();
  return (rows) => {
    const columns = Object.keys(rows[0] ?? {});
    const parameters = rows.flatMap((row) => columns.map((column) => row[column]));
    let statement = statements.get(rows.length);
    if (statement === undefined) {
      const compiled = db.insertInto(table).ignore().values(rows).compile();
      // The values must bind row by row, each in its first row's column order, as Kysely compiled them.
      if (!isDeepStrictEqual(compiled.parameters, parameters)) throw new Error(`${table}: the chunk's values do not bind in row order`);
      statement = compiled.sql;
      statements.set(rows.length, statement);
    }
    return db.executeQuery(CompiledQuery.raw(statement, parameters));
  };
}

/** Inserts ordinals [from, total) of a table in chunks of multi-row INSERT IGNOREs; returns how many it added. */
async function fill(db: Db, table: string, total: number, row: (k: number) => Row): Promise<number> {
  const { rows } = await sql<{ n: number | string | null }>`select max(id) as n from ${sql.table(table)}`.execute(db);
  // Chunks run in parallel, so the highest id may sit above a gap: step back and let INSERT IGNORE skip repeats.
  const from = Math.max(0, Number(rows[0]?.n ?? 0) - CHUNK * PARALLEL);
  if (Number(rows[0]?.n ?? 0) >= total) return 0;
  const bar = progressBar(table, total, from);
  let next = from;
  const insert = chunkInserter(db, table);
  const worker = async () => {
    while (next < total) {
      const start = next;
      next = Math.min(total, next + CHUNK);
      const values = Array.from({ length: next - start }, (_, i) => row(start + i));
      await insert(values);
      bar.update(next);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  bar.finish();
  return total - from;
}

/** Counter tables rebuilt from their rows in one statement each: equal to the rows by construction. */
async function rebuildCounters(db: Db): Promise<void> {
  const statements = [
    sql`delete from video_favorite_counts`,
    sql`insert into video_favorite_counts (video_id, favorite_count) select video_id, count(*) from favorites group by video_id`,
    sql`delete from user_favorite_counts`,
    sql`insert into user_favorite_counts (user_id, favorite_count, total_favorited)
        select id, sum(f), sum(t) from (
          select user_id as id, count(*) as f, 0 as t from favorites group by user_id
          union all select author_id, 0, count(*) from favorites group by author_id) x group by id`,
    sql`delete from video_comment_counts`,
    sql`insert into video_comment_counts (video_id, comment_count) select video_id, count(*) from comments group by video_id`,
    sql`delete from follow_counts`,
    sql`insert into follow_counts (user_id, follow_count, follower_count)
        select id, sum(a), sum(b) from (
          select follower_id as id, count(*) as a, 0 as b from follows group by follower_id
          union all select followee_id, 0, count(*) from follows group by followee_id) x group by id`,
    sql`delete from conversations`,
    sql`insert into conversations (user_low, user_high, last_time, last_message_id)
        select user_low, user_high, max(create_time), max(id) from messages group by user_low, user_high`,
  ];
  for (const statement of statements) await statement.execute(db);
}

/**
 * Fills one database at `scale` through the services' own migrations: users, videos, favorites, follows,
 * comments and messages with every counter equal to its rows. Re-runnable: it resumes an interrupted seed and adds
 * nothing to a complete one. Rows written by the services since (a benchmark's likes) are kept.
 */
export async function seed(url: string, scale: Scale, log: (line: string) => void = () => undefined): Promise<void> {
  checkScale(scale);
  const db = createDb<any>({ url, dataDir: join(REPO_ROOT, 'data'), name: 'seed', poolSize: PARALLEL + 1 });
  try {
    for (const service of SERVICES) {
      await migrateToLatest(db, { folder: join(REPO_ROOT, 'apps', service, 'migrations'), service });
    }
    const passwordHash = await hashPassword(SEED_PASSWORD);
    const added =
      (await fill(db, 'users', scale.users, (k) => userRow(k + 1, passwordHash))) +
      (await fill(db, 'videos', scale.videos, (k) => videoRow(scale, k + 1))) +
      (await fill(db, 'favorites', scale.favorites, (k) => favoriteRow(scale, k))) +
      (await fill(db, 'follows', scale.follows, (k) => followRow(scale, k))) +
      (await fill(db, 'comments', scale.comments, (k) => commentRow(scale, k))) +
      (await fill(db, 'messages', scale.messages, (k) => messageRow(scale, k)));
    const { rows } = await sql<{ n: number | string }>`select count(*) as n from video_favorite_counts`.execute(db);
    if (added > 0 || Number(rows[0]?.n ?? 0) === 0) {
      log('  rebuilding counters from the rows');
      await rebuildCounters(db);
    }
  } finally {
    await db.destroy();
  }
}

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

/** Bumped whenever the rows the generators write change: a seed of other rows is neither resumed nor mixed in. */
const GENERATOR = 2;

/** A database holding another seed (another scale or generator, or rows of unknown origin) than the one asked for. */
export class SeedMismatchError extends Error {}

const STATE = 'bench_seed_state';

/**
 * What the seeder has recorded of this database's seed: generator, scale, the tables filled and whether counted;
 * nothing for a database it never seeded.
 */
async function readState(db: Db): Promise<Map<string, string>> {
  if (!(await tableExists(db, STATE))) return new Map();
  const { rows } = await sql<{ name: string; value: string }>`select name, value from ${sql.table(STATE)}`.execute(db);
  return new Map(rows.map((row) => [row.name, row.value]));
}

async function tableExists(db: Db, table: string): Promise<boolean> {
  return (await db.introspection.getTables()).some((t) => t.name === table);
}

async function anyRow(db: Db, table: string): Promise<boolean> {
  const { rows } = await sql`select 1 from ${sql.table(table)} limit 1`.execute(db);
  return rows.length > 0;
}

// One statement each: a run killed between two would leave the state half-written.
const record = (db: Db, name: string, value: string) =>
  sql`insert into ${sql.table(STATE)} (name, value) values (${name}, ${value}) on duplicate key update value = ${value}`.execute(db);

const forget = (db: Db, name: string) => sql`delete from ${sql.table(STATE)} where name = ${name}`.execute(db);

/** How many of ids 1..`id` a table holds. */
async function heldUpTo(db: Db, table: string, id: number): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)} where id <= ${id}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}

/**
 * The ordinal of the first id of 1..`total` a table is missing (`total` when none is). A fill inserts its chunks two
 * at a time, so one interrupted may have left a chunk out below others it finished; bisected on "ids 1..x are all
 * there", which holds up to the first gap and not past it.
 */
async function firstMissing(db: Db, table: string, total: number): Promise<number> {
  const held = await heldUpTo(db, table, total);
  if (held === total) return total;
  if (held === 0) return 0;
  let [whole, broken] = [0, total];
  while (broken - whole > 1) {
    const middle = Math.floor((whole + broken) / 2);
    if ((await heldUpTo(db, table, middle)) === middle) whole = middle;
    else broken = middle;
  }
  return whole;
}

/** Inserts ordinals [from, total) of a table in chunks of multi-row INSERT IGNOREs. */
async function fill(db: Db, table: string, total: number, row: (k: number) => Row): Promise<void> {
  const from = await firstMissing(db, table, total);
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
}

/** Counter tables rebuilt from their rows in one statement each (the caller's one transaction): equal to the rows. */
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
 * comments and messages with every counter equal to its rows. Re-runnable: it resumes an interrupted seed (a table
 * is done once wholly inserted, the counters once rebuilt after the last table) and adds nothing to a complete one.
 * Rows written by the services since (a benchmark's likes) are kept. A database holding another seed fails with
 * SeedMismatchError, unless `replace` drops it first (given only for the bench's own databases).
 */
export async function seed(url: string, scale: Scale, log: (line: string) => void = () => undefined, replace?: () => Promise<void>): Promise<void> {
  checkScale(scale);
  try {
    await seedOnce(url, scale, log);
  } catch (err) {
    if (!(err instanceof SeedMismatchError) || !replace) throw err;
    log(`  ${err.message}: dropping it and seeding afresh`);
    await replace();
    await seedOnce(url, scale, log);
  }
}

async function seedOnce(url: string, scale: Scale, log: (line: string) => void): Promise<void> {
  const db = createDb<any>({ url, dataDir: join(REPO_ROOT, 'data'), name: 'seed', poolSize: PARALLEL + 1 });
  try {
    // Checked before anything is written: a database refused is left as it was found.
    const state = await readState(db);
    const wanted = JSON.stringify(scale);
    const seeded = state.get('generator');
    if (seeded === undefined && (await tableExists(db, 'users')) && (await anyRow(db, 'users'))) {
      throw new SeedMismatchError('the database holds users no seed of this seeder wrote');
    }
    if (seeded !== undefined && (seeded !== String(GENERATOR) || state.get('scale') !== wanted)) {
      throw new SeedMismatchError(`the database holds the seed of generator ${seeded} at ${state.get('scale')}, not ${GENERATOR} at ${wanted}`);
    }
    for (const service of SERVICES) {
      await migrateToLatest(db, { folder: join(REPO_ROOT, 'apps', service, 'migrations'), service });
    }
    if (seeded === undefined) {
      await sql`create table if not exists ${sql.table(STATE)} (name varchar(64) primary key, value varchar(255) not null)`.execute(db);
      // The scale first: a run killed between the two leaves no generator, and the next finds an empty database.
      await record(db, 'scale', wanted);
      await record(db, 'generator', String(GENERATOR));
    }

    const passwordHash = await hashPassword(SEED_PASSWORD);
    const tables: Array<[string, number, (k: number) => Row]> = [
      ['users', scale.users, (k) => userRow(k + 1, passwordHash)],
      ['videos', scale.videos, (k) => videoRow(scale, k + 1)],
      ['favorites', scale.favorites, (k) => favoriteRow(scale, k)],
      ['follows', scale.follows, (k) => followRow(scale, k)],
      ['comments', scale.comments, (k) => commentRow(scale, k)],
      ['messages', scale.messages, (k) => messageRow(scale, k)],
    ];
    const unfilled = tables.filter(([table]) => !state.has(`filled:${table}`));
    if (unfilled.length === 0 && state.has('counted')) return;
    // Rows added from here on leave the counters behind until they are rebuilt, however this run ends.
    await forget(db, 'counted');
    for (const [table, total, row] of unfilled) {
      await fill(db, table, total, row);
      await record(db, `filled:${table}`, '1');
    }
    log('  rebuilding counters from the rows');
    await db.transaction().execute(async (trx) => {
      await rebuildCounters(trx);
      await record(trx, 'counted', '1');
    });
  } finally {
    await db.destroy();
  }
}

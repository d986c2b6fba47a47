import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { createDb, dialectOf } from '@douyin/db';
import { freshDatabase, type DatabaseMode } from '@douyin/testing';

/** A migration that creates `account`, written as a file the way services write theirs. */
export const createAccount = (mode: DatabaseMode) => `
export async function up(db) {
  await db.schema.createTable('account')
    .addColumn('id', '${autoIncrementType(mode)}', (c) => c.primaryKey().autoIncrement())
    .addColumn('name', 'varchar(191)', (c) => c.notNull().unique())
    .addColumn('balance', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
}
export async function down(db) {
  await db.schema.dropTable('account').execute();
}
`;

// SQLite auto-increments only an INTEGER PRIMARY KEY (the 64-bit rowid); MySQL's INTEGER is 32-bit.
// Service migrations make the same choice with dialectOf(db).
const autoIncrementType = (mode: DatabaseMode) => (mode === 'sqlite' ? 'integer' : 'bigint');

export const createTable = (table: string) => `
export async function up(db) {
  await db.schema.createTable('${table}').addColumn('id', 'bigint', (c) => c.primaryKey()).execute();
}
`;

/** A temp folder holding the given files (name -> source), removed after the test. */
export async function migrationFolder(t: TestContext, files: Record<string, string>): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'douyin-migrations-'));
  t.after(() => rm(folder, { recursive: true, force: true }));
  for (const [name, source] of Object.entries(files)) await writeFile(join(folder, name), source);
  return folder;
}

/** createDb on a fresh database of the given mode, destroyed after the test. */
export async function freshDb<T>(t: TestContext, mode: DatabaseMode, name = 'test'): Promise<Kysely<T>> {
  const db = createDb<T>({ ...(await freshDatabase(t, mode)), name });
  t.after(() => db.destroy());
  return db;
}

/** The names of `table`'s indexes (primary key and unique constraints included), sorted. */
export async function indexNames(db: Kysely<any>, table: string): Promise<string[]> {
  if (dialectOf(db) === 'mysql') {
    const { rows } = await sql<{ Key_name: string }>`show index from ${sql.table(table)}`.execute(db);
    return [...new Set(rows.map((r) => r.Key_name))].sort();
  }
  const { rows } = await sql<{ name: string }>`select name from pragma_index_list(${table})`.execute(db);
  return rows.map((r) => r.name).sort();
}

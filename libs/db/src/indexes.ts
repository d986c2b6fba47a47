import { sql, type Kysely } from 'kysely';
import { dialectOf } from './dialect.js';

export interface IndexSpec {
  name: string;
  columns: string[];
}

// Kysely<any>, as in migrations: it runs before (and independently of) the service's table types.
/**
 * Builds `create` on `table`, then drops the index `drop`: a migration that widens an index (to cover a query, say)
 * without a moment when the table has neither, so queries keep their plan while it runs.
 */
export async function replaceIndex(db: Kysely<any>, table: string, drop: string, create: IndexSpec): Promise<void> {
  await db.schema.createIndex(create.name).on(table).columns(create.columns).execute();
  // MySQL names an index within its table (DROP INDEX ... ON t); SQLite within the schema, and refuses ON.
  await (dialectOf(db) === 'mysql' ? db.schema.dropIndex(drop).on(table) : db.schema.dropIndex(drop)).execute();
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

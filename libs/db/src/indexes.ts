import type { Kysely } from 'kysely';
import { dialectOf } from './dialect.js';

export interface IndexSpec {
  name: string;
  columns: string[];
}

/**
 * Builds `create` on `table`, then drops the index `drop`: a migration that widens an index (to cover a query, say)
 * without a moment when the table has neither, so queries keep their plan while it runs. Takes Kysely<any>, as
 * migrations do: they run before (and independently of) the service's table types.
 */
export async function replaceIndex(db: Kysely<any>, table: string, drop: string, create: IndexSpec): Promise<void> {
  await db.schema.createIndex(create.name).on(table).columns(create.columns).execute();
  await dropIndex(db, table, drop);
}

/** Drops the index `name` of `table` on either dialect. */
export async function dropIndex(db: Kysely<any>, table: string, name: string): Promise<void> {
  // MySQL names an index within its table (DROP INDEX ... ON t); SQLite within the schema, and refuses ON.
  await (dialectOf(db) === 'mysql' ? db.schema.dropIndex(name).on(table) : db.schema.dropIndex(name)).execute();
}

import { sql, type Kysely, type RawBuilder } from 'kysely';
import { dialectOf } from './dialect.js';

/** What to add to the counter columns of the row whose key is `key`. */
export interface CounterChange<C extends string> {
  key: number;
  add: Partial<Record<C, number>>;
}

export interface CounterTable<C extends string> {
  table: string;
  /** The primary key column. */
  key: string;
  /** Every counter column; a new row starts them at zero. */
  counters: readonly C[];
}

/**
 * Adds to counters in one statement (an upsert), creating a missing row first: no separate "make sure the row
 * exists" round trip, and on InnoDB each row gets its exclusive lock directly (an INSERT IGNORE meeting an existing
 * row would take a shared lock first, and two transactions upgrading theirs deadlock). Rows are written, and so
 * locked, in ascending key order, so two transactions changing the same rows can never wait on each other in a
 * cycle. A new row never starts below zero: there was nothing to take away.
 */
export async function addToCounters<C extends string>(db: Kysely<any>, target: CounterTable<C>, changes: ReadonlyArray<CounterChange<C>>): Promise<void> {
  const byKey = new Map<number, Map<C, number>>();
  for (const { key, add } of changes) {
    const sums = byKey.get(key) ?? byKey.set(key, new Map()).get(key)!;
    for (const column of target.counters) sums.set(column, (sums.get(column) ?? 0) + (add[column] ?? 0));
  }
  if (byKey.size === 0) return;
  const keys = [...byKey.keys()].sort((a, b) => a - b);
  const rows = keys.map((key) => ({
    [target.key]: key,
    ...Object.fromEntries(target.counters.map((column) => [column, Math.max(0, byKey.get(key)!.get(column)!)])),
  }));
  // The existing row's counter plus this key's delta; on a conflict, the column names refer to the existing row.
  const increment = (column: C): RawBuilder<number> => {
    const cases = keys.map((key) => sql`when ${key} then ${byKey.get(key)!.get(column)!}`);
    return sql<number>`${sql.ref(column)} + case ${sql.ref(target.key)} ${sql.join(cases, sql` `)} else 0 end`;
  };
  const updates = Object.fromEntries(target.counters.map((column) => [column, increment(column)]));
  const insert = db.insertInto(target.table).values(rows);
  await (dialectOf(db) === 'mysql'
    ? insert.onDuplicateKeyUpdate(updates)
    : insert.onConflict((conflict) => conflict.column(target.key).doUpdateSet(updates))
  ).execute();
}

/**
 * addToCounters for one row inside a MySQL/MariaDB stored procedure: the statement adding to the counters of the row
 * whose key is `key`, creating the row if needed. `key` and each of `add` are SQL expressions over the procedure's
 * parameters and variables (a counter missing from `add` is left as it is). As in addToCounters, a new row never
 * starts below zero, and a caller changing several rows writes them in ascending key order.
 */
export function counterUpsertSql<C extends string>(target: CounterTable<C>, key: string, add: Partial<Record<C, string>>): string {
  const columns = [target.key, ...target.counters].join(', ');
  const values = [key, ...target.counters.map((column) => `GREATEST(${add[column] ?? '0'}, 0)`)].join(', ');
  const updates = target.counters.filter((column) => add[column] !== undefined).map((column) => `${column} = ${column} + (${add[column]})`);
  return `INSERT INTO ${target.table} (${columns}) VALUES (${values}) ON DUPLICATE KEY UPDATE ${updates.join(', ')};`;
}

/**
 * counterUpsertSql for the rows of two keys inside a procedure, as addToCounters takes its changes: each side's `key`
 * is an SQL expression over the procedure's parameters and its `add` the SQL deltas for that row. The rows are written
 * in ascending key order, so that two calls changing the same rows never wait on each other in a cycle, and once with
 * both sides' deltas when the keys are equal (one user on both sides: liking their own video).
 */
export function pairCounterUpsertsSql<C extends string>(target: CounterTable<C>, a: CounterSide<C>, b: CounterSide<C>): string {
  const deltasOf = (key: string): Partial<Record<C, string>> => {
    const deltas: Partial<Record<C, string>> = {};
    for (const column of target.counters) {
      const parts = [a, b].filter((side) => side.add[column] !== undefined).map((side) => `IF(${key} = ${side.key}, ${side.add[column]}, 0)`);
      if (parts.length > 0) deltas[column] = parts.join(' + ');
    }
    return deltas;
  };
  const row = (key: string) => counterUpsertSql(target, key, deltasOf(key));
  return `IF ${a.key} <= ${b.key} THEN ${row(a.key)} IF ${b.key} <> ${a.key} THEN ${row(b.key)} END IF; ELSE ${row(b.key)} ${row(a.key)} END IF;`;
}

/** One side of pairCounterUpsertsSql: a row's key and what to add to its counters, as SQL expressions. */
export interface CounterSide<C extends string> {
  key: string;
  add: Partial<Record<C, string>>;
}

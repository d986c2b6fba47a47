import type { Kysely } from 'kysely';

/** A table of (user, item) pairs with a unique index on the two columns: likes, follows. */
export interface PairTable {
  table: string;
  user: string;
  item: string;
}

/**
 * The pairs among `questions` (user → the items asked about) that have a row, as [user, item]: one statement whose
 * `(user = ? AND item IN (...)) OR ...` both MariaDB (a range read) and SQLite (a multi-index OR) answer with one
 * probe of the pair's unique index per pair asked, as EXPLAIN shows; SQLite has no IN list of row values.
 */
export async function existingPairs(
  db: Kysely<any>,
  target: PairTable,
  questions: ReadonlyMap<number, readonly number[]>,
): Promise<Array<[number, number]>> {
  const asked = [...questions].filter(([, items]) => items.length > 0);
  if (asked.length === 0) return [];
  const rows: Array<{ user: number; item: number }> = await db
    .selectFrom(target.table)
    .select([`${target.user} as user`, `${target.item} as item`])
    .where((eb) => eb.or(asked.map(([user, items]) => eb.and([eb(target.user, '=', user), eb(target.item, 'in', [...items])]))))
    .execute();
  return rows.map((row) => [row.user, row.item]);
}

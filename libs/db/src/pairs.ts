import { sql, type Kysely, type RawBuilder } from 'kysely';

/** A table of (user, item) pairs with a unique index on the two columns: likes, follows. */
export interface PairTable {
  table: string;
  user: string;
  item: string;
}

/**
 * The statement behind existingPairs: the pairs asked, as a table of values, joined to `target` on its unique pair
 * index: one index lookup per pair on MariaDB (eq_ref) and SQLite alike, with nothing left for a planner to
 * estimate. It replaced `(user = ? AND item IN (...)) OR ...`, whose cost MariaDB estimated by diving into every
 * index per value listed: 70–80 ms for the 5,000 pairs of 50 viewers (the CTE: 6 ms), and now and then it
 * gave up on the ranges and read the whole pair index instead.
 */
export function existingPairsQuery(
  target: PairTable,
  questions: ReadonlyMap<number, readonly number[]>,
): RawBuilder<{ user: number; item: number }> | undefined {
  // An item asked twice would be answered twice by the join.
  const asked = [...questions].flatMap(([user, items]) => [...new Set(items)].map((item) => sql`(${user}, ${item})`));
  if (asked.length === 0) return undefined;
  const [table, user, item] = [sql.table(target.table), sql.ref(`${target.table}.${target.user}`), sql.ref(`${target.table}.${target.item}`)];
  return sql`with asked (asker, item) as (values ${sql.join(asked)})
    select asked.asker as ${sql.ref('user')}, asked.item as ${sql.ref('item')}
    from asked join ${table} on ${user} = asked.asker and ${item} = asked.item`;
}

/** The pairs among `questions` (user → the items asked about) that have a row, as [user, item]: one statement. */
export async function existingPairs(
  db: Kysely<any>,
  target: PairTable,
  questions: ReadonlyMap<number, readonly number[]>,
): Promise<Array<[number, number]>> {
  const query = existingPairsQuery(target, questions);
  if (!query) return [];
  const { rows } = await query.execute(db);
  return rows.map((row) => [Number(row.user), Number(row.item)]);
}

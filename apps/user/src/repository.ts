import type { Kysely, Selectable } from 'kysely';
import type { UserTables, UsersTable } from './tables.js';

export type UserRow = Selectable<UsersTable>;

/** Inserts a user and returns its id; a taken username surfaces as the database's unique violation. */
export async function insertUser(
  db: Kysely<UserTables>,
  user: { username: string; passwordHash: string; createdAt: number },
): Promise<number> {
  const result = await db
    .insertInto('users')
    .values({ username: user.username, password_hash: user.passwordHash, signature: '', created_at: user.createdAt })
    .executeTakeFirstOrThrow();
  return Number(result.insertId);
}

export function findUserByName(db: Kysely<UserTables>, username: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
}

export async function listUsersByIds(db: Kysely<UserTables>, ids: readonly number[]): Promise<UserRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('users').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

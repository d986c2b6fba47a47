import { sql, type Kysely } from 'kysely';
import { dialectOf } from '@douyin/db';

// Usernames are unique and compared verbatim: case-sensitive and without MySQL's trailing-space padding,
// so the column needs a binary NO PAD collation there (SQLite compares TEXT bytewise already).
async function exactTextCollation(db: Kysely<any>): Promise<string> {
  const { rows } = await sql<{ name: string }>`
    SELECT COLLATION_NAME AS name FROM information_schema.COLLATIONS
    WHERE COLLATION_NAME IN ('utf8mb4_nopad_bin', 'utf8mb4_0900_bin')`.execute(db);
  return rows[0]?.name ?? 'utf8mb4_bin';
}

export async function up(db: Kysely<any>): Promise<void> {
  const mysql = dialectOf(db) === 'mysql';
  const username = mysql ? sql`varchar(32) character set utf8mb4 collate ${sql.raw(await exactTextCollation(db))}` : sql`text`;
  await db.schema
    .createTable('users')
    // SQLite allows AUTOINCREMENT only on INTEGER PRIMARY KEY (a 64-bit rowid); MySQL wants BIGINT for the same range.
    .addColumn('id', mysql ? 'bigint' : 'integer', (c) => c.primaryKey().autoIncrement().notNull())
    .addColumn('username', username, (c) => c.notNull().unique())
    .addColumn('password_hash', 'varchar(255)', (c) => c.notNull())
    .addColumn('signature', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('users').execute();
}

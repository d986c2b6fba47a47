import type { Kysely } from 'kysely';
import { dialectOf } from '@douyin/db';

export async function up(db: Kysely<any>): Promise<void> {
  const mysql = dialectOf(db) === 'mysql';
  await db.schema
    .createTable('follows')
    // SQLite allows AUTOINCREMENT only on INTEGER PRIMARY KEY (a 64-bit rowid); MySQL wants BIGINT for the same range.
    .addColumn('id', mysql ? 'bigint' : 'integer', (c) => c.primaryKey().autoIncrement().notNull())
    .addColumn('follower_id', 'bigint', (c) => c.notNull())
    .addColumn('followee_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // The database decides idempotency: of concurrent follows of one pair exactly one inserts a row.
    .addUniqueConstraint('follows_pair', ['follower_id', 'followee_id'])
    .execute();
  // Follow and follower lists, most recent first.
  await db.schema.createIndex('follows_by_follower').on('follows').columns(['follower_id', 'id']).execute();
  await db.schema.createIndex('follows_by_followee').on('follows').columns(['followee_id', 'id']).execute();

  await db.schema
    .createTable('follow_counts')
    .addColumn('user_id', 'bigint', (c) => c.primaryKey().notNull())
    .addColumn('follow_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('follower_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('follow_counts').execute();
  await db.schema.dropTable('follows').execute();
}

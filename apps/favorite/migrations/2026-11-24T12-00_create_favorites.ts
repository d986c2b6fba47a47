import type { Kysely } from 'kysely';
import { dialectOf } from '@douyin/db';

export async function up(db: Kysely<any>): Promise<void> {
  const mysql = dialectOf(db) === 'mysql';
  await db.schema
    .createTable('favorites')
    // SQLite allows AUTOINCREMENT only on INTEGER PRIMARY KEY (a 64-bit rowid); MySQL wants BIGINT for the same range.
    .addColumn('id', mysql ? 'bigint' : 'integer', (c) => c.primaryKey().autoIncrement().notNull())
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    .addColumn('video_id', 'bigint', (c) => c.notNull())
    // The video's author when it was liked (authors never change), so unlikes and audits need no video lookup.
    .addColumn('author_id', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    // The database decides idempotency: of concurrent likes of one pair exactly one inserts a row. It also
    // serves "which of these videos does the viewer like".
    .addUniqueConstraint('favorites_pair', ['user_id', 'video_id'])
    .execute();
  // A user's likes, most recent first.
  await db.schema.createIndex('favorites_by_user_time').on('favorites').columns(['user_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('video_favorite_counts')
    .addColumn('video_id', 'bigint', (c) => c.primaryKey().notNull())
    .addColumn('favorite_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('user_favorite_counts')
    .addColumn('user_id', 'bigint', (c) => c.primaryKey().notNull())
    .addColumn('favorite_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('total_favorited', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('user_favorite_counts').execute();
  await db.schema.dropTable('video_favorite_counts').execute();
  await db.schema.dropTable('favorites').execute();
}

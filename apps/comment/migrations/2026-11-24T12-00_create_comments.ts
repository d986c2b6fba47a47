import { sql, type Kysely } from 'kysely';
import { dialectOf } from '@douyin/db';

export async function up(db: Kysely<any>): Promise<void> {
  const mysql = dialectOf(db) === 'mysql';
  await db.schema
    .createTable('comments')
    // SQLite allows AUTOINCREMENT only on INTEGER PRIMARY KEY (a 64-bit rowid); MySQL wants BIGINT for the same range.
    .addColumn('id', mysql ? 'bigint' : 'integer', (c) => c.primaryKey().autoIncrement().notNull())
    .addColumn('video_id', 'bigint', (c) => c.notNull())
    .addColumn('user_id', 'bigint', (c) => c.notNull())
    // utf8mb4 whatever the database's default: emoji must round-trip verbatim.
    .addColumn('content', mysql ? sql`text character set utf8mb4` : 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  // A video's comments, newest first.
  await db.schema.createIndex('comments_by_video_time').on('comments').columns(['video_id', 'created_at', 'id']).execute();

  await db.schema
    .createTable('video_comment_counts')
    .addColumn('video_id', 'bigint', (c) => c.primaryKey().notNull())
    .addColumn('comment_count', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('video_comment_counts').execute();
  await db.schema.dropTable('comments').execute();
}

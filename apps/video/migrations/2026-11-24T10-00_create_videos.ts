import { sql, type Kysely } from 'kysely';
import { dialectOf } from '@douyin/db';

export async function up(db: Kysely<any>): Promise<void> {
  const mysql = dialectOf(db) === 'mysql';
  // Titles hold any Unicode (emoji included): utf8mb4 on MySQL; SQLite TEXT is UTF-8 already.
  const title = mysql ? sql`varchar(400) character set utf8mb4 collate utf8mb4_bin` : sql`text`;
  await db.schema
    .createTable('videos')
    .addColumn('id', mysql ? 'bigint' : 'integer', (c) => c.primaryKey().autoIncrement().notNull())
    .addColumn('author_id', 'bigint', (c) => c.notNull())
    .addColumn('title', title, (c) => c.notNull())
    .addColumn('video_key', 'varchar(100)', (c) => c.notNull())
    .addColumn('cover_key', 'varchar(100)', (c) => c.notNull())
    .addColumn('published_at', 'bigint', (c) => c.notNull())
    .execute();
  // Unique: feed paging by `published_at < t` neither skips nor repeats a video. It is also the feed's index,
  // and MAX(published_at) for the next publish time reads its last entry.
  await db.schema.createIndex('videos_published_at').on('videos').column('published_at').unique().execute();
  // A user's list, newest first, and work counts.
  await db.schema.createIndex('videos_author_published').on('videos').columns(['author_id', 'published_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('videos').execute();
}

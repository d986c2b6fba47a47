import type { Kysely } from 'kysely';
import { dialectOf } from '@douyin/db';

// The keys a publish stores before its row exists; the transaction that saves the row deletes this record of them
// (see src/abandoned.ts).
export async function up(db: Kysely<any>): Promise<void> {
  const mysql = dialectOf(db) === 'mysql';
  await db.schema
    .createTable('publish_intents')
    .addColumn('id', mysql ? 'bigint' : 'integer', (c) => c.primaryKey().autoIncrement().notNull())
    .addColumn('video_key', 'varchar(100)', (c) => c.notNull())
    .addColumn('cover_key', 'varchar(100)', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('publish_intents_created_at').on('publish_intents').column('created_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('publish_intents').execute();
}

import { sql, type Kysely } from 'kysely';
import { dialectOf } from '@douyin/db';

export async function up(db: Kysely<any>): Promise<void> {
  const mysql = dialectOf(db) === 'mysql';
  await db.schema
    .createTable('conversations')
    .addColumn('user_low', 'bigint', (c) => c.notNull())
    .addColumn('user_high', 'bigint', (c) => c.notNull())
    .addColumn('last_time', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('last_message_id', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('conversations_pk', ['user_low', 'user_high'])
    .execute();

  await db.schema
    .createTable('messages')
    // SQLite allows AUTOINCREMENT only on INTEGER PRIMARY KEY (a 64-bit rowid); MySQL wants BIGINT for the same range.
    .addColumn('id', mysql ? 'bigint' : 'integer', (c) => c.primaryKey().autoIncrement().notNull())
    .addColumn('user_low', 'bigint', (c) => c.notNull())
    .addColumn('user_high', 'bigint', (c) => c.notNull())
    .addColumn('from_id', 'bigint', (c) => c.notNull())
    .addColumn('to_id', 'bigint', (c) => c.notNull())
    // Emoji must round-trip whatever the database's default character set is.
    .addColumn('content', mysql ? sql`text character set utf8mb4 collate utf8mb4_bin` : 'text', (c) => c.notNull())
    .addColumn('create_time', 'bigint', (c) => c.notNull())
    // Backstop of the conversation clock: two messages of one conversation can never share a create time.
    .addUniqueConstraint('messages_conversation_time', ['user_low', 'user_high', 'create_time'])
    .execute();
  // The push channel's window query: everything a set of users sent or received since a time.
  await db.schema.createIndex('messages_to_time').on('messages').columns(['to_id', 'create_time']).execute();
  await db.schema.createIndex('messages_from_time').on('messages').columns(['from_id', 'create_time']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('messages').execute();
  await db.schema.dropTable('conversations').execute();
}

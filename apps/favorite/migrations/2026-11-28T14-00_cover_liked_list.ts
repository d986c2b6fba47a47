import type { Kysely } from 'kysely';
import { replaceIndex } from '@douyin/db';

// A user's liked list reads video_id in like order. The index (user_id, created_at, id) held no video_id, so every
// row listed cost a primary-key lookup into favorites: random reads once the table outgrows memory. With video_id
// in the index the list is read from the index alone.
export async function up(db: Kysely<any>): Promise<void> {
  await replaceIndex(db, 'favorites', 'favorites_by_user_time', { name: 'favorites_by_user_time_video', columns: ['user_id', 'created_at', 'id', 'video_id'] });
}

export async function down(db: Kysely<any>): Promise<void> {
  await replaceIndex(db, 'favorites', 'favorites_by_user_time_video', { name: 'favorites_by_user_time', columns: ['user_id', 'created_at', 'id'] });
}

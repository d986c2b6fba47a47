import type { Kysely } from 'kysely';
import { replaceIndex } from '@douyin/db';

// Follow and follower lists read the other side's id, newest relation first. Their indexes held only (side, id),
// so every row listed cost a primary-key lookup into follows: random reads once the table outgrows memory. With
// the other side in the index each list is read from the index alone.
export async function up(db: Kysely<any>): Promise<void> {
  await replaceIndex(db, 'follows', 'follows_by_follower', { name: 'follows_by_follower_cover', columns: ['follower_id', 'id', 'followee_id'] });
  await replaceIndex(db, 'follows', 'follows_by_followee', { name: 'follows_by_followee_cover', columns: ['followee_id', 'id', 'follower_id'] });
}

export async function down(db: Kysely<any>): Promise<void> {
  await replaceIndex(db, 'follows', 'follows_by_follower_cover', { name: 'follows_by_follower', columns: ['follower_id', 'id'] });
  await replaceIndex(db, 'follows', 'follows_by_followee_cover', { name: 'follows_by_followee', columns: ['followee_id', 'id'] });
}

import { sql, type Kysely, type Selectable } from 'kysely';
import type { Video } from '@douyin/contracts';
import { callTransactionProcedure, dialectOf, transactionWithRetry } from '@douyin/db';
import type { PublishIntentsTable, VideoTables, VideosTable } from './tables.js';

export type VideoRow = Selectable<VideosTable>;

export const toVideo = (row: VideoRow): Video => ({
  id: row.id,
  authorId: row.author_id,
  title: row.title,
  videoKey: row.video_key,
  coverKey: row.cover_key,
  publishedAt: row.published_at,
});

export interface NewVideo {
  authorId: number;
  title: string;
  videoKey: string;
  coverKey: string;
}

/**
 * Inserts a video whose publish time is max(now, latest + 1), computed by the database in the same statement,
 * so publish times are unique and increasing across every instance. Two concurrent inserts may compute the same
 * time; the unique index refuses the second, which the caller retries.
 */
export async function insertVideo(db: Kysely<VideoTables>, video: NewVideo, now: number): Promise<number> {
  const greatest = dialectOf(db) === 'mysql' ? sql.raw('GREATEST') : sql.raw('MAX');
  const result = await sql`
    INSERT INTO videos (author_id, title, video_key, cover_key, published_at)
    SELECT ${video.authorId}, ${video.title}, ${video.videoKey}, ${video.coverKey},
           ${greatest}(${now}, COALESCE(MAX(published_at), 0) + 1)
    FROM videos`.execute(db);
  return Number(result.insertId);
}

/**
 * Saves a publish in one transaction: the video's row, its publish time max(now, latest + 1) (unique, see
 * insertVideo), and the deletion of its intent, after which its files are the row's. Resolves with the row, or with
 * undefined, keeping nothing, when the intent was gone (the sweep took it and its files). On MySQL/MariaDB this is one
 * call of the procedure the migrations create, which publishes queue on; the embedded SQLite, one writer at a time,
 * runs the statements itself. `sending` is called once what remains can only fail at or after the commit, so that a
 * lost answer from then on may hide a save that took effect: before the call, once it has a connection, on MySQL;
 * before the COMMIT on SQLite.
 */
export async function saveVideo(db: Kysely<VideoTables>, video: NewVideo, intentId: number, now: number, sending: () => void): Promise<VideoRow | undefined> {
  if (dialectOf(db) === 'mysql') {
    // Once a connection is had: a failure to connect sent nothing, and leaves nothing in doubt.
    const [saved] = await db.connection().execute((connection) => {
      sending();
      return callTransactionProcedure<{ id: number | string; published_at: number | string }>(connection, 'publish_video_v2', [
        video.authorId,
        video.title,
        video.videoKey,
        video.coverKey,
        now,
        intentId,
      ]);
    });
    if (!saved || Number(saved.id) === 0) return undefined;
    const { authorId, title, videoKey, coverKey } = video;
    return { id: Number(saved.id), author_id: authorId, title, video_key: videoKey, cover_key: coverKey, published_at: Number(saved.published_at) };
  }
  return transactionWithRetry(db, async (trx, rollback) => {
    const id = await insertVideo(trx, video, now);
    const row = await findVideoById(trx, id);
    if (!row) throw new Error(`video ${id} vanished right after its insert`);
    if (!(await dropIntent(trx, intentId))) rollback(undefined);
    sending();
    return row;
  });
}

export type PublishIntent = Selectable<PublishIntentsTable>;

/** Records the keys a publish is about to store; returns the record's id, which the video's insert deletes. */
export async function recordIntent(db: Kysely<VideoTables>, keys: { videoKey: string; coverKey: string }, now: number): Promise<number> {
  const result = await db.insertInto('publish_intents').values({ video_key: keys.videoKey, cover_key: keys.coverKey, created_at: now }).executeTakeFirstOrThrow();
  return Number(result.insertId);
}

/** True when the intent was there to drop. */
export async function dropIntent(db: Kysely<VideoTables>, id: number): Promise<boolean> {
  const result = await db.deleteFrom('publish_intents').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Intents recorded before `before` whose id is above `afterId`, by id, at most `limit`. */
export function listIntentsBefore(db: Kysely<VideoTables>, before: number, afterId: number, limit: number): Promise<PublishIntent[]> {
  return db.selectFrom('publish_intents').selectAll().where('created_at', '<', before).where('id', '>', afterId).orderBy('id').limit(limit).execute();
}

export function findVideoById(db: Kysely<VideoTables>, id: number): Promise<VideoRow | undefined> {
  return db.selectFrom('videos').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The row of a video stored under `videoKey`, found through its author's index. */
export function findVideoByKey(db: Kysely<VideoTables>, authorId: number, videoKey: string): Promise<VideoRow | undefined> {
  return db.selectFrom('videos').selectAll().where('author_id', '=', authorId).where('video_key', '=', videoKey).executeTakeFirst();
}

/** Newest first, strictly before `before` when given; served by the published_at index. */
export function listFeed(db: Kysely<VideoTables>, before: number | undefined, limit: number): Promise<VideoRow[]> {
  let query = db.selectFrom('videos').selectAll();
  if (before !== undefined) query = query.where('published_at', '<', before);
  return query.orderBy('published_at', 'desc').limit(limit).execute();
}

export function listVideosByAuthor(db: Kysely<VideoTables>, authorId: number, limit: number): Promise<VideoRow[]> {
  return db.selectFrom('videos').selectAll().where('author_id', '=', authorId).orderBy('published_at', 'desc').limit(limit).execute();
}

export async function listVideosByIds(db: Kysely<VideoTables>, ids: readonly number[]): Promise<VideoRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('videos').selectAll().where('id', 'in', [...new Set(ids)]).execute();
}

export async function countVideosByAuthors(db: Kysely<VideoTables>, authorIds: readonly number[]): Promise<Array<{ authorId: number; count: number }>> {
  if (authorIds.length === 0) return [];
  const rows = await db
    .selectFrom('videos')
    .select(['author_id', (eb) => eb.fn.countAll<number>().as('count')])
    .where('author_id', 'in', [...new Set(authorIds)])
    .groupBy('author_id')
    .execute();
  return rows.map((r) => ({ authorId: Number(r.author_id), count: Number(r.count) }));
}

import { TRPCError } from '@trpc/server';
import type { Kysely } from 'kysely';
import { Reason, commentRouter, domainError, requireActorAndVideo, requireVideo, type Comment, type CommentHandlers, type UserLookup, type VideoLookup } from '@douyin/contracts';
import { invalidatingWrite, type Cache } from '@douyin/cache';
import { ensureTimeToWrite } from '@douyin/mesh';
import * as repo from './repository.js';
import type { CommentTables } from './tables.js';

export interface CommentDeps {
  db: Kysely<CommentTables>;
  cache: Cache;
  /** The video service's contract: a video's existence is its business. */
  video: VideoLookup;
  /** The user service's contract: whether a commenter exists. */
  user: UserLookup;
  now?: () => number;
}

const COMMENT_COUNT = 'comment-count';

const toComment = (row: repo.CommentRow): Comment => ({
  id: row.id,
  videoId: row.video_id,
  userId: row.user_id,
  content: row.content,
  createdAt: row.created_at,
});

const notFound = (commentId: number) => domainError('NOT_FOUND', Reason.commentNotFound, `comment ${commentId} not found on this video`);

export function createRouter({ db, cache, video, user, now = Date.now }: CommentDeps) {
  const handlers: CommentHandlers = {
    async add({ actorId, videoId, text }) {
      await requireActorAndVideo(user, video, actorId, videoId);
      const row = { video_id: videoId, user_id: actorId, content: text, created_at: now() };
      ensureTimeToWrite();
      // The count moves in the transaction that inserts the row; the cached count is deleted after the commit.
      const id = await invalidatingWrite(cache, [[COMMENT_COUNT, videoId]], () => repo.addComment(db, row));
      return toComment({ ...row, id });
    },

    async remove({ actorId, videoId, commentId }) {
      // Contract check order: unknown video (40402), then unknown comment (40403), then permission (40301).
      await requireVideo(video, videoId);
      const row = await repo.findCommentById(db, commentId);
      if (!row || row.video_id !== videoId) throw notFound(commentId);
      if (row.user_id !== actorId) throw new TRPCError({ code: 'FORBIDDEN', message: 'only the author may delete a comment' });
      // Of two concurrent deletes only the one that removed the row counts; the other finds it gone.
      ensureTimeToWrite();
      const deleted = await invalidatingWrite(cache, [[COMMENT_COUNT, videoId]], () => repo.removeComment(db, commentId, videoId));
      if (!deleted) throw notFound(commentId);
      return toComment(row);
    },

    async list({ videoId, limit }) {
      await requireVideo(video, videoId);
      return (await repo.listCommentsByVideo(db, videoId, limit)).map(toComment);
    },

    async counts({ videoIds }) {
      const ids = [...new Set(videoIds)];
      const counts = await cache.many<number>(COMMENT_COUNT, ids, async (missing) => {
        const found = new Map((await repo.listCounts(db, missing as number[])).map((row) => [row.video_id, row.comment_count]));
        return new Map(missing.map((id) => [id, found.get(id as number) ?? 0]));
      });
      return ids.map((videoId) => ({ videoId, commentCount: counts.get(videoId) ?? 0 }));
    },
  };
  return commentRouter(handlers);
}

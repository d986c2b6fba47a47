import { z } from 'zod';
import { Id, IdBatch } from './ids.js';
import { ListLimit } from './lists.js';
import { codePointLength, hasControlChars, isBlank, isWellFormedText } from './text-rules.js';
import { procedure, router } from './trpc.js';

/** Comment text: 1–500 code points, not blank, no C0 control characters except \n \r \t (contract §5.3). */
export const COMMENT_TEXT = { min: 1, max: 500 } as const;
export const CommentText = z
  .string()
  .refine((s) => codePointLength(s) >= COMMENT_TEXT.min && codePointLength(s) <= COMMENT_TEXT.max, {
    message: `comment must be ${COMMENT_TEXT.min}-${COMMENT_TEXT.max} characters`,
  })
  .refine((s) => !hasControlChars(s), { message: 'comment must not contain control characters' })
  .refine(isWellFormedText, { message: 'comment must be well-formed Unicode text' })
  .refine((s) => !isBlank(s), { message: 'comment must not be blank' });

export const AddCommentInput = z.object({ actorId: Id, videoId: Id, text: CommentText });
export type AddCommentInput = z.infer<typeof AddCommentInput>;

export const RemoveCommentInput = z.object({ actorId: Id, videoId: Id, commentId: Id });
export type RemoveCommentInput = z.infer<typeof RemoveCommentInput>;

export const CommentListInput = z.object({ videoId: Id, limit: ListLimit });
export type CommentListInput = z.infer<typeof CommentListInput>;

export const CommentCountsInput = z.object({ videoIds: IdBatch });
export type CommentCountsInput = z.infer<typeof CommentCountsInput>;

export interface Comment {
  id: number;
  videoId: number;
  userId: number;
  /** The text exactly as posted. */
  content: string;
  /** epoch ms */
  createdAt: number;
}

export interface CommentHandlers {
  /** Stores one comment and counts it. NOT_FOUND/video_not_found for an unknown video. */
  add(input: AddCommentInput): Promise<Comment>;
  /**
   * Deletes the actor's own comment and returns it. NOT_FOUND/video_not_found for an unknown video;
   * NOT_FOUND/comment_not_found when the comment is missing, already deleted or on another video;
   * FORBIDDEN when someone else wrote it.
   */
  remove(input: RemoveCommentInput): Promise<Comment>;
  /** A video's newest `limit` comments, newest first (ties by id descending); NOT_FOUND/video_not_found for an unknown video. */
  list(input: CommentListInput): Promise<Comment[]>;
  /** comment_count for a page of videos in one call; every requested id gets an entry. */
  counts(input: CommentCountsInput): Promise<Array<{ videoId: number; commentCount: number }>>;
}

export const commentRouter = (h: CommentHandlers) =>
  router({
    add: procedure.input(AddCommentInput).mutation(({ input }) => h.add(input)),
    remove: procedure.input(RemoveCommentInput).mutation(({ input }) => h.remove(input)),
    list: procedure.input(CommentListInput).query(({ input }) => h.list(input)),
    counts: procedure.input(CommentCountsInput).query(({ input }) => h.counts(input)),
  });
export type CommentRouter = ReturnType<typeof commentRouter>;

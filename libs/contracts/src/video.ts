import { z } from 'zod';
import { Id, IdBatch } from './ids.js';
import { ListLimit } from './lists.js';
import { LIMITS, codePointLength, hasControlChars, isBlank, isWellFormedText } from './text-rules.js';
import { procedure, router, type CallContext } from './trpc.js';

/** Video titles: 1–100 code points, not blank, no C0 control characters except \n \r \t (contract §4.5). */
export const Title = z
  .string()
  .refine((s) => codePointLength(s) >= LIMITS.title.min && codePointLength(s) <= LIMITS.title.max, {
    message: `title must be ${LIMITS.title.min}-${LIMITS.title.max} characters`,
  })
  .refine((s) => !hasControlChars(s), { message: 'title must not contain control characters' })
  .refine(isWellFormedText, { message: 'title must be well-formed Unicode text' })
  .refine((s) => !isBlank(s), { message: 'title must not be blank' });

/**
 * Where the gateway streamed an upload before calling publish: a server-made `staging/<uuid>` key in the shared
 * object store. The upload's bytes never travel in an RPC body.
 */
export const StagingKey = z.string().regex(/^staging\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'not a staging key');

export const PublishInput = z.object({ authorId: Id, title: Title, stagingKey: StagingKey });
export type PublishInput = z.infer<typeof PublishInput>;

/** The server's feed page size; the contract allows at most 30. */
export const FEED_MAX = 30;

export const FeedInput = z.object({
  /** Only videos published strictly before this epoch ms; absent = the newest. */
  before: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.number().int().min(1).max(FEED_MAX).default(FEED_MAX),
});
export type FeedInput = z.infer<typeof FeedInput>;

export const AuthorInput = z.object({ authorId: Id, limit: ListLimit });
export type AuthorInput = z.infer<typeof AuthorInput>;

export const VideoIdsInput = z.object({ videoIds: IdBatch });
export type VideoIdsInput = z.infer<typeof VideoIdsInput>;

export const WorkCountsInput = z.object({ userIds: IdBatch });
export type WorkCountsInput = z.infer<typeof WorkCountsInput>;

/** A published video; media are object-store keys, which the gateway turns into URLs the phone can reach. */
export interface Video {
  id: number;
  authorId: number;
  title: string;
  videoKey: string;
  coverKey: string;
  /** epoch ms, unique and strictly increasing across all videos */
  publishedAt: number;
}

export interface VideoHandlers {
  /**
   * Probes the staged upload, extracts its cover, stores both under new keys and inserts the row; all or nothing.
   * The staged object is deleted whatever happens. BAD_REQUEST/not_a_video when the upload is not a video;
   * SERVICE_UNAVAILABLE with media_unavailable / storage_unavailable / database_unavailable when a tool is down;
   * TIMEOUT, with nothing saved, when too little of the caller's deadline is left to save it.
   */
  publish(input: PublishInput, call: CallContext): Promise<Video>;
  /** Newest first, at most `limit`, published strictly before `before`. */
  feed(input: FeedInput): Promise<Video[]>;
  /** One author's newest `limit` videos, newest first. */
  byAuthor(input: AuthorInput): Promise<Video[]>;
  /** The videos that exist among the ids, in no particular order. */
  byIds(input: VideoIdsInput): Promise<Video[]>;
  /** How many videos each user published; users without videos are left out. */
  workCounts(input: WorkCountsInput): Promise<Array<{ userId: number; count: number }>>;
}

export const videoRouter = (h: VideoHandlers) =>
  router({
    publish: procedure.input(PublishInput).mutation(({ input, ctx }) => h.publish(input, ctx)),
    feed: procedure.input(FeedInput).query(({ input }) => h.feed(input)),
    byAuthor: procedure.input(AuthorInput).query(({ input }) => h.byAuthor(input)),
    byIds: procedure.input(VideoIdsInput).query(({ input }) => h.byIds(input)),
    workCounts: procedure.input(WorkCountsInput).query(({ input }) => h.workCounts(input)),
  });
export type VideoRouter = ReturnType<typeof videoRouter>;

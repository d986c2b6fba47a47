import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';
import { PairsInput, type Comment, type CommentRouter, type FavoriteRouter } from '@douyin/contracts';
import { meshError, type MeshClient } from '@douyin/mesh';
import type { GatewayDeps } from '../src/deps.js';

// In-memory favorite and comment services with the real services' observable rules (video existence first,
// idempotent likes, author-only deletes, newest first), behind the client types the gateway uses. Every call is
// recorded, so a test can assert one batched call per page.

type Videos = Pick<GatewayDeps['video'], 'byIds'>;
type Exists = (userId: number) => Promise<boolean>;

const failure = (service: string, code: TRPC_ERROR_CODE_KEY, reason?: string) =>
  meshError(service, 'fake', { code, message: 'remote failure', reason }, 500);

async function requireVideo(service: string, videos: Videos, videoId: number) {
  const [video] = await videos.byIds.query({ videoIds: [videoId] });
  if (!video) throw failure(service, 'NOT_FOUND', 'video_not_found');
  return video;
}

export type FavoriteClient = GatewayDeps['favorite'] & Pick<MeshClient<FavoriteRouter>, 'videoFacts' | 'likedAmong' | 'userFacts'>;

export function fakeFavoriteService(videos: Videos, userExists: Exists) {
  let likes: Array<{ userId: number; videoId: number; authorId: number }> = []; // insertion order = like order
  const calls: string[] = [];
  const count = (pick: (l: (typeof likes)[number]) => boolean) => likes.filter(pick).length;
  const client = {
    like: {
      mutate: async ({ actorId, videoId }: { actorId: number; videoId: number }) => {
        calls.push('like');
        const { authorId } = await requireVideo('favorite', videos, videoId);
        if (!likes.some((l) => l.userId === actorId && l.videoId === videoId)) likes.push({ userId: actorId, videoId, authorId });
      },
    },
    unlike: {
      mutate: async ({ actorId, videoId }: { actorId: number; videoId: number }) => {
        calls.push('unlike');
        await requireVideo('favorite', videos, videoId);
        likes = likes.filter((l) => !(l.userId === actorId && l.videoId === videoId));
      },
    },
    likedVideos: {
      query: async ({ userId, limit }: { userId: number; limit?: number }) => {
        calls.push('likedVideos');
        if (!(await userExists(userId))) throw failure('favorite', 'NOT_FOUND', 'user_not_found');
        return likes.filter((l) => l.userId === userId).map((l) => l.videoId).reverse().slice(0, limit);
      },
    },
    videoFacts: {
      query: async ({ videoIds }: { videoIds: number[] }) => {
        calls.push('videoFacts');
        return videoIds.map((videoId) => ({
          videoId,
          favoriteCount: count((l) => l.videoId === videoId),
        }));
      },
    },
    likedAmong: {
      query: async (input: { users: Array<{ userId: number; ids: number[] }> }) => {
        // The service's own input check: a call it would refuse fails here too.
        const { users } = PairsInput.parse(input);
        calls.push('likedAmong');
        return users.map(({ userId, ids }) => ({ userId, ids: ids.filter((id) => likes.some((l) => l.userId === userId && l.videoId === id)) }));
      },
    },
    userFacts: {
      query: async ({ userIds }: { userIds: number[] }) => {
        calls.push('userFacts');
        return userIds.map((userId) => ({
          userId,
          favoriteCount: count((l) => l.userId === userId),
          totalFavorited: count((l) => l.authorId === userId),
        }));
      },
    },
  } as unknown as FavoriteClient;
  return { client, calls, likes: () => likes };
}

export type CommentClient = GatewayDeps['comment'] & Pick<MeshClient<CommentRouter>, 'counts'>;

export function fakeCommentService(videos: Videos, now: () => number = Date.now) {
  const comments: Comment[] = [];
  const calls: string[] = [];
  const client = {
    add: {
      mutate: async ({ actorId, videoId, text }: { actorId: number; videoId: number; text: string }) => {
        calls.push('add');
        await requireVideo('comment', videos, videoId);
        const comment = { id: comments.length + 1, videoId, userId: actorId, content: text, createdAt: now() };
        comments.push(comment);
        return comment;
      },
    },
    remove: {
      mutate: async ({ actorId, videoId, commentId }: { actorId: number; videoId: number; commentId: number }) => {
        calls.push('remove');
        await requireVideo('comment', videos, videoId);
        const index = comments.findIndex((c) => c.id === commentId && c.videoId === videoId);
        const comment = comments[index];
        if (!comment) throw failure('comment', 'NOT_FOUND', 'comment_not_found');
        if (comment.userId !== actorId) throw failure('comment', 'FORBIDDEN');
        comments.splice(index, 1);
        return comment;
      },
    },
    list: {
      query: async ({ videoId, limit }: { videoId: number; limit?: number }) => {
        calls.push('list');
        await requireVideo('comment', videos, videoId);
        return comments.filter((c) => c.videoId === videoId).sort((a, b) => b.createdAt - a.createdAt || b.id - a.id).slice(0, limit);
      },
    },
    counts: {
      query: async ({ videoIds }: { videoIds: number[] }) => {
        calls.push('counts');
        return videoIds.map((videoId) => ({ videoId, commentCount: comments.filter((c) => c.videoId === videoId).length }));
      },
    },
  } as unknown as CommentClient;
  return { client, calls, comments };
}

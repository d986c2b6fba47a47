import type { FastifyInstance } from 'fastify';
import { apkQuery } from '@douyin/testing';
import { commentCountFacts } from '../src/views/comment-counts.js';
import { favoriteUserFacts, favoriteVideoCounts, likeMarks } from '../src/views/favorite.js';
import { fakeUserService, gatewayFor } from './harness.js';
import { fakeCommentService, fakeFavoriteService } from './interaction-fakes.js';
import { fakeVideoService, testMedia } from './video-fakes.js';

type After = { after(fn: () => unknown): void };

/**
 * The gateway over in-memory user, video, favorite and comment services, wired as main.ts wires the real ones
 * (favorite and comment are facts sources too), with a clock the test controls and helpers to call it.
 */
export async function interactionGateway(t: After, opts: { timeZone?: string; listLimit?: number } = {}) {
  const users = fakeUserService();
  const media = await testMedia(t);
  const videos = fakeVideoService(media.store);
  const userExists = async (userId: number) => users.users.has(userId);
  let clock = Date.UTC(2025, 4, 1, 16, 30); // 05-01 16:30 in UTC, already 05-02 00:30 in Shanghai
  const favorite = fakeFavoriteService(videos.client, userExists);
  const comment = fakeCommentService(videos.client, () => clock++);
  const app = await gatewayFor(
    t,
    users.client,
    undefined,
    { shared: [favoriteUserFacts(favorite.client)], marks: [] },
    {},
    { video: videos.client, media, videoFacts: { shared: [favoriteVideoCounts(favorite.client), commentCountFacts(comment.client)], marks: [likeMarks(favorite.client)] } },
    { favorite: favorite.client, comment: comment.client, timeZone: opts.timeZone },
    { listLimit: opts.listLimit },
  );
  const register = async (name: string) =>
    (await app.inject({ method: 'POST', url: `/douyin/user/register/?username=${name}&password=secret1` })).json() as { user_id: number; token: string };
  return { app, users, videos, favorite, comment, register, setClock: (ms: number) => (clock = ms) };
}

/** Calls a route with the parameters in the query string, as the APK does; returns the JSON body. */
export async function call(app: FastifyInstance, method: 'GET' | 'POST', path: string, params: Record<string, string | number>) {
  const res = await app.inject({ method, url: `${path}?${apkQuery(params)}` });
  if (res.statusCode !== 200) throw new Error(`${method} ${path}: HTTP ${res.statusCode}`);
  return res.json();
}

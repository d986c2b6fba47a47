import type { FastifyInstance } from 'fastify';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server';
import { createTokenIssuer } from '@douyin/auth';
import { LIST_MAX, type UserProfile } from '@douyin/contracts';
import { meshError, meshErrorData } from '@douyin/mesh';
import { silentLogger } from '@douyin/telemetry';
import { buildApp } from '../src/app.js';
import { createAuthenticator } from '../src/auth.js';
import type { GatewayDeps } from '../src/deps.js';
import { profileImageUrls } from '../src/profile-images.js';
import { NO_FACT_SOURCES } from '../src/views/facts.js';
import { fakeCommentService, fakeFavoriteService } from './interaction-fakes.js';
import { fakeMessageService, fakeRelationService } from './social-fakes.js';
import { MEDIA_BASE, fakeVideoService, testMedia } from './video-fakes.js';

/** The error a mesh call rejects with, as the gateway sees it. */
export const remoteError = (code: TRPC_ERROR_CODE_KEY, reason?: string) =>
  meshError('user', 'fake', { code, message: 'remote failure', reason }, 500);

export const SECRET = 'test-secret-that-is-long-enough-0123456789';

const profileOf = ({ password: _password, ...profile }: UserProfile & { password: string }): UserProfile => profile;

/** A user service in memory with the real service's observable rules, behind the narrow client type the gateway uses. */
export function fakeUserService() {
  const users = new Map<number, UserProfile & { password: string }>();
  let nextId = 1;
  const byName = (name: string) => [...users.values()].find((u) => u.name === name);
  const client: GatewayDeps['user'] = {
    register: {
      mutate: async ({ username, password }: { username: string; password: string }) => {
        if (byName(username)) throw remoteError('CONFLICT', 'username_taken');
        const id = nextId++;
        users.set(id, { id, name: username, signature: '', createdAt: Date.now(), password });
        return { userId: id };
      },
    },
    login: {
      query: async ({ username, password }: { username: string; password: string }) => {
        const user = byName(username);
        if (!user || user.password !== password) throw remoteError('UNAUTHORIZED', 'bad_credentials');
        return { userId: user.id };
      },
    },
    byId: {
      query: async ({ userId }: { userId: number }) => {
        const user = users.get(userId);
        if (!user) throw remoteError('NOT_FOUND', 'user_not_found');
        return profileOf(user);
      },
    },
    byIds: {
      query: async ({ userIds }: { userIds: number[] }) =>
        userIds.flatMap((id) => {
          const user = users.get(id);
          return user ? [profileOf(user)] : [];
        }),
    },
  } as unknown as GatewayDeps['user'];
  return { client, users };
}

/** The gateway app over fakes, closed after the test. */
export async function gatewayFor(
  t: { after(fn: () => unknown): void },
  user: GatewayDeps['user'] = fakeUserService().client,
  now?: () => number,
  userFacts: GatewayDeps['userFacts'] = NO_FACT_SOURCES,
  social: Partial<Pick<GatewayDeps, 'relation' | 'message' | 'pushConnectionsPerUser'>> = {},
  videos: Partial<Pick<GatewayDeps, 'video' | 'videoFacts' | 'media' | 'feedPageSize'>> = {},
  interactions: Partial<Pick<GatewayDeps, 'favorite' | 'comment' | 'timeZone'>> = {},
  guards: Partial<Pick<GatewayDeps, 'limiter' | 'loginGuard' | 'trustedProxies' | 'bodyTimeoutMs' | 'idleTimeoutMs' | 'uploadFloor' | 'listLimit'>> = {},
): Promise<FastifyInstance> {
  const tokens = createTokenIssuer({ secret: SECRET, ttlSeconds: 3600, now });
  // As the real check (user-exists.ts): an unknown user is false, a user service that cannot answer fails the request.
  const userExists = async (userId: number) =>
    user.byId.query({ userId }).then(
      () => true,
      (err: unknown) => (meshErrorData(err)?.reason === 'user_not_found' ? false : Promise.reject(err)),
    );
  const videoDeps = await videoDefaults(t, videos);
  const app = await buildApp({
    user,
    userFacts,
    relation: social.relation ?? fakeRelationService(userExists).client,
    message: social.message ?? fakeMessageService(userExists).client,
    pushConnectionsPerUser: social.pushConnectionsPerUser,
    ...videoDeps,
    favorite: interactions.favorite ?? fakeFavoriteService(videoDeps.video, userExists).client,
    comment: interactions.comment ?? fakeCommentService(videoDeps.video).client,
    timeZone: interactions.timeZone ?? 'Asia/Shanghai',
    profileImages: profileImageUrls(MEDIA_BASE),
    requestBudgetMs: 10_000,
    tokens,
    auth: createAuthenticator({ tokens, userExists }),
    logger: silentLogger(),
    ...guards,
    listLimit: guards.listLimit ?? LIST_MAX,
  });
  t.after(() => app.close());
  return app;
}

async function videoDefaults(t: { after(fn: () => unknown): void }, given: Partial<Pick<GatewayDeps, 'video' | 'videoFacts' | 'media' | 'feedPageSize'>>) {
  const media = given.media ?? (await testMedia(t));
  return {
    video: given.video ?? fakeVideoService(media.store).client,
    videoFacts: given.videoFacts ?? NO_FACT_SOURCES,
    media,
    feedPageSize: given.feedPageSize ?? 30,
  };
}

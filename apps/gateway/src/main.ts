import type { CommentRouter, FavoriteRouter, MessageRouter, RelationRouter, UserRouter, VideoRouter } from '@douyin/contracts';
import { createTokenIssuer, resolveJwtSecret } from '@douyin/auth';
import { loadConfigOrExit } from '@douyin/config';
import { createRuntime, serve } from '@douyin/mesh';
import { connectLimiterRedis, createBucketStore, createLoginGuard, createRouteLimiter } from '@douyin/ratelimit';
import { createObjectStore } from '@douyin/storage';
import { buildApp } from './app.js';
import { createAuthenticator } from './auth.js';
import { GatewayEnv } from './config.js';
import { mediaUrls } from './media-urls.js';
import { profileImageUrls } from './profile-images.js';
import { uploadSlots } from './upload-slots.js';
import { userExists } from './user-exists.js';
import { commentCountFacts } from './views/comment-counts.js';
import { favoriteUserFacts, favoriteVideoCounts, likeMarks } from './views/favorite.js';
import { followMarks, relationCounts } from './views/relation.js';
import { workCountFacts } from './views/work-counts.js';

const config = loadConfigOrExit(GatewayEnv);
const runtime = createRuntime(config.service);
const secret = resolveJwtSecret({ secret: config.auth.secret, production: config.service.production, dataDir: config.auth.dataDir });
const tokens = createTokenIssuer({ secret, ttlSeconds: config.auth.ttlSeconds });
const user = runtime.mesh.client<UserRouter>('user');
const relation = runtime.mesh.client<RelationRouter>('relation');
const video = runtime.mesh.client<VideoRouter>('video');
const favorite = runtime.mesh.client<FavoriteRouter>('favorite');
const comment = runtime.mesh.client<CommentRouter>('comment');
const store = createObjectStore(config.storage);
const limits = config.rateLimits;
const buckets = createBucketStore(limits.enabled ? limits.redisUrl : undefined, runtime.logger);
const loginRedis = limits.enabled && limits.redisUrl ? connectLimiterRedis(limits.redisUrl, runtime.logger, 'login guard') : undefined;

const app = await buildApp({
  user,
  userFacts: { shared: [relationCounts(relation), workCountFacts(video), favoriteUserFacts(favorite)], marks: [followMarks(relation)] },
  relation,
  message: runtime.mesh.client<MessageRouter>('message'),
  video,
  videoFacts: { shared: [favoriteVideoCounts(favorite), commentCountFacts(comment)], marks: [likeMarks(favorite)] },
  favorite,
  comment,
  timeZone: config.timeZone,
  media: {
    store,
    urls: mediaUrls(store, config.video.publicBaseUrl),
    maxUploadBytes: config.video.maxUploadBytes,
    slots: uploadSlots(config.video.uploadSlots),
    publishTimeoutMs: config.video.publishTimeoutMs,
  },
  feedPageSize: config.video.feedPageSize,
  listLimit: config.listLimit,
  profileImages: profileImageUrls(config.video.publicBaseUrl),
  pushConnectionsPerUser: config.pushConnectionsPerUser,
  uploadFloor: config.video.uploadFloor,
  requestBudgetMs: config.service.mesh.timeoutMs,
  tokens,
  auth: createAuthenticator({ tokens, userExists: userExists(user) }),
  logger: runtime.logger,
  trustedProxies: config.trustedProxies,
  limiter: limits.enabled ? createRouteLimiter(buckets, limits.limits, runtime.metrics) : undefined,
  loginGuard: limits.enabled ? createLoginGuard(limits.login, loginRedis?.redis, runtime.metrics) : undefined,
});
await serve({ app, config: config.service, registry: runtime.registry, logger: runtime.logger, onShutdown: [() => runtime.mesh.close(), () => buckets.close(), () => loginRedis?.close()] });

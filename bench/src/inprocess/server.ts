// The in-process baseline of mesh_vs_inprocess: the gateway's own routes and every service's own router in ONE
// process, wired with libs/mesh's localClient (procedures called directly) instead of the mesh, on the same
// database, Redis caches and libs. The feed does exactly the reads it does through the mesh; only the network hops
// (and their per-call work: breakers, spans, metrics, framing) are gone.
import { tmpdir } from 'node:os';
import type { AnyTRPCRouter } from '@trpc/server';
import { createTokenIssuer } from '@douyin/auth';
import { FEED_MAX, LIST_MAX } from '@douyin/contracts';
import { createCache } from '@douyin/cache';
import { CacheEnv, toCacheConfig } from '@douyin/config';
import { createDb } from '@douyin/db';
import { localClient, serve, type MeshClient } from '@douyin/mesh';
import { createStaticRegistry } from '@douyin/registry';
import { createObjectStore } from '@douyin/storage';
import { createLogger } from '@douyin/telemetry';
import { buildApp } from '../../../apps/gateway/src/app.js';
import { createAuthenticator } from '../../../apps/gateway/src/auth.js';
import { mediaUrls } from '../../../apps/gateway/src/media-urls.js';
import { profileImageUrls } from '../../../apps/gateway/src/profile-images.js';
import { uploadSlots } from '../../../apps/gateway/src/upload-slots.js';
import { userExists } from '../../../apps/gateway/src/user-exists.js';
import { commentCountFacts } from '../../../apps/gateway/src/views/comment-counts.js';
import { favoriteUserFacts, favoriteVideoCounts, likeMarks } from '../../../apps/gateway/src/views/favorite.js';
import { followMarks, relationCounts } from '../../../apps/gateway/src/views/relation.js';
import { workCountFacts } from '../../../apps/gateway/src/views/work-counts.js';
import { createRouter as commentRouter } from '../../../apps/comment/src/router.js';
import { createRouter as favoriteRouter } from '../../../apps/favorite/src/router.js';
import { createRouter as messageRouter } from '../../../apps/message/src/router.js';
import { createRouter as relationRouter } from '../../../apps/relation/src/router.js';
import { createRouter as userRouter } from '../../../apps/user/src/router.js';
import { createRouter as videoRouter } from '../../../apps/video/src/router.js';
import { benchServiceConfig } from '../hop/mesh-config.js';

const env = process.env;
const config = benchServiceConfig('gateway');
const logger = createLogger({ service: 'inprocess', level: config.logLevel });
const url = env.DATABASE_URL;
if (!url || !env.REDIS_URL || !env.JWT_SECRET || !env.STORAGE_DIR) throw new Error('DATABASE_URL, REDIS_URL, JWT_SECRET and STORAGE_DIR are required');
const db = createDb<any>({ url, dataDir: tmpdir(), name: 'inprocess', poolSize: Number(env.DATABASE_POOL_SIZE ?? 10) * 6 });
// The services' own cache settings, from the same environment the mesh's processes read.
const cacheConfig = toCacheConfig(CacheEnv.parse(env));
const cacheOf = (prefix: string) => createCache(cacheConfig, { prefix, logger });
const store = createObjectStore({ kind: 'disk', root: env.STORAGE_DIR });

const local = <R extends AnyTRPCRouter>(service: string, router: R): MeshClient<R> => localClient(service, router, config.mesh.timeoutMs);

const user = local('user', userRouter({ db, cache: await cacheOf('user') }));
const media = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe', timeoutMs: 20_000 };
const video = local('video', videoRouter({ db, store, cache: await cacheOf('video'), media, workDir: tmpdir(), logger, now: Date.now, user }));
const relation = local('relation', relationRouter({ db, user, cache: await cacheOf('relation') }));
const favorite = local('favorite', favoriteRouter({ db, cache: await cacheOf('favorite'), video, user }));
const comment = local('comment', commentRouter({ db, cache: await cacheOf('comment'), video, user }));
const tokens = createTokenIssuer({ secret: env.JWT_SECRET, ttlSeconds: 24 * 3600 });

const app = await buildApp({
  user,
  userFacts: { shared: [relationCounts(relation), workCountFacts(video), favoriteUserFacts(favorite)], marks: [followMarks(relation)] },
  relation,
  message: local('message', messageRouter({ db, user })),
  video,
  videoFacts: { shared: [favoriteVideoCounts(favorite), commentCountFacts(comment)], marks: [likeMarks(favorite)] },
  favorite,
  comment,
  timeZone: 'Asia/Shanghai',
  media: {
    store,
    urls: mediaUrls(store, `http://127.0.0.1:${config.port}`),
    maxUploadBytes: 100 * 1024 * 1024,
    slots: uploadSlots({ total: 16, perIp: 4 }),
    publishTimeoutMs: 120_000,
  },
  feedPageSize: FEED_MAX,
  listLimit: LIST_MAX,
  profileImages: profileImageUrls(`http://127.0.0.1:${config.port}`),
  requestBudgetMs: config.mesh.timeoutMs,
  tokens,
  auth: createAuthenticator({ tokens, userExists: userExists(user) }),
  logger,
});
await serve({ app, config, registry: createStaticRegistry({ logger }), logger, onShutdown: [() => db.destroy()] });

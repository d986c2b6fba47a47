import type { FastifyPluginAsync } from 'fastify';
import { inBatches, type Video } from '@douyin/contracts';
import type { GatewayDeps } from '../deps.js';
import { collectParams, requiredAction, requiredId, tokenOf } from '../params.js';
import { ok } from '../reply.js';
import { VideoSchema, apkResponse } from '../schemas.js';
import { loadVideos } from '../views/videos.js';

export const favoriteRoutes =
  (deps: GatewayDeps): FastifyPluginAsync =>
  async (app) => {
    app.post('/douyin/favorite/action/', { schema: { response: apkResponse() }, config: { zero: {} } }, async (req) => {
      const params = await collectParams(req);
      const actorId = await deps.auth.requireUser(tokenOf(params, req));
      const videoId = requiredId(params, 'video_id');
      const call = requiredAction(params, 'action_type', ['1', '2']) === '1' ? deps.favorite.like : deps.favorite.unlike;
      await call.mutate({ actorId, videoId });
      return ok({});
    });

    app.get(
      '/douyin/favorite/list/',
      { schema: { response: apkResponse({ video_list: { type: 'array', items: VideoSchema } }) }, config: { zero: { video_list: [] } } },
      async (req) => {
        const params = await collectParams(req);
        const userId = requiredId(params, 'user_id');
        const viewerId = await deps.auth.viewer(tokenOf(params, req));
        const ids = await deps.favorite.likedVideos.query({ userId, limit: deps.listLimit });
        if (ids.length === 0) return ok({ video_list: [] });
        // The contract's lists are unpaged; a long one costs one call per 500 ids.
        const byId = new Map((await inBatches(ids, (videoIds) => deps.video.byIds.query({ videoIds }))).map((v) => [v.id, v]));
        // Most recently liked first, as the favorite service ordered them; a video that no longer exists is left out.
        const videos = ids.flatMap((id): Video[] => {
          const video = byId.get(id);
          return video ? [video] : [];
        });
        return ok({ video_list: await loadVideos(deps, videos, viewerId) });
      },
    );
  };

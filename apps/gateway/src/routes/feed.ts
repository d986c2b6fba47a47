import type { FastifyPluginAsync } from 'fastify';
import type { GatewayDeps } from '../deps.js';
import { collectParams, optionalEpochMs, tokenOf } from '../params.js';
import { ok } from '../reply.js';
import { VideoSchema, apkResponse } from '../schemas.js';
import { loadVideos } from '../views/videos.js';

// Old clients send seconds; any value below 10^11 (the year 5138 in seconds, 1973 in ms) is one (contract §4.1).
const SECONDS_BELOW = 100_000_000_000;

/** latest_time in ms: absent, empty or 0 means no upper bound. */
export function feedBefore(latestTime: number | undefined): number | undefined {
  if (!latestTime) return undefined;
  return latestTime < SECONDS_BELOW ? latestTime * 1000 : latestTime;
}

export const feedRoutes =
  (deps: GatewayDeps): FastifyPluginAsync =>
  async (app) => {
    app.get(
      '/douyin/feed/',
      {
        schema: { response: apkResponse({ next_time: { type: 'integer' }, video_list: { type: 'array', items: VideoSchema } }) },
        config: { zero: { next_time: 0, video_list: [] } },
      },
      async (req) => {
        const params = await collectParams(req);
        const before = feedBefore(optionalEpochMs(params, 'latest_time'));
        const viewerId = await deps.auth.viewer(tokenOf(params, req));
        const videos = await deps.video.feed.query({ before, limit: deps.feedPageSize });
        // An empty page points back at the newest video: a client that passes next_time on starts over.
        const nextTime = videos.at(-1)?.publishedAt ?? Date.now();
        return ok({ next_time: nextTime, video_list: await loadVideos(deps, videos, viewerId) });
      },
    );
  };

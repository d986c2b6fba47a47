import { videoRouter, type VideoHandlers } from '@douyin/contracts';
import * as repo from './repository.js';
import { feedPage } from './newest-videos.js';
import { publish, type PublishDeps } from './service.js';
import { videosById } from './videos-by-id.js';
import { workCounts } from './work-counts.js';

export type VideoDeps = PublishDeps;

export function createRouter(deps: VideoDeps) {
  const { db } = deps;
  const handlers: VideoHandlers = {
    publish: (input, { deadline }) => publish(deps, input, deadline),
    feed: ({ before, limit }) => feedPage(db, deps.cache, before, limit),
    byAuthor: async ({ authorId, limit }) => (await repo.listVideosByAuthor(db, authorId, limit)).map(repo.toVideo),
    byIds: ({ videoIds }) => videosById(db, deps.cache, videoIds),
    workCounts: ({ userIds }) => workCounts(db, deps.cache, userIds),
  };
  return videoRouter(handlers);
}

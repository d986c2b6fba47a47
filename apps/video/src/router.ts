import { videoRouter, type VideoHandlers } from '@douyin/contracts';
import * as repo from './repository.js';
import { publish, toVideo, type PublishDeps } from './service.js';
import { workCounts } from './work-counts.js';

export type VideoDeps = PublishDeps;

export function createRouter(deps: VideoDeps) {
  const { db } = deps;
  const handlers: VideoHandlers = {
    publish: (input) => publish(deps, input),
    feed: async ({ before, limit }) => (await repo.listFeed(db, before, limit)).map(toVideo),
    byAuthor: async ({ authorId }) => (await repo.listVideosByAuthor(db, authorId)).map(toVideo),
    byIds: async ({ videoIds }) => (await repo.listVideosByIds(db, videoIds)).map(toVideo),
    workCounts: ({ userIds }) => workCounts(db, deps.cache, userIds),
  };
  return videoRouter(handlers);
}

import { ID_BATCH_MAX } from '@douyin/contracts';
import { coalescedBatches, coalescedByIds, coalescedQuery } from '@douyin/mesh';
import type { GatewayDeps } from '../deps.js';
import type { FactsSource } from './facts.js';

/**
 * `deps` with the page views' lookups shared between requests: the feed, profile and facts calls that requests make
 * in the same turn of the event loop become one call per service (per viewer for facts, whose answers depend on the
 * viewer; per page for the feed). Concurrent pages overlap a lot (every APK start asks for the same newest videos,
 * popular authors recur), and a call answered once for all of them saves the gateway, the callee and Redis the
 * rest. Calls already made are never joined, so a page still sees every write that returned before it was asked
 * for. A merged call shows in the trace of the request that made it first.
 */
export function sharingPageLookups(deps: GatewayDeps): GatewayDeps {
  const { user, video } = deps;
  return {
    ...deps,
    user: { register: user.register, login: user.login, byId: user.byId, byIds: coalescedByIds(user.byIds, 'userIds', ID_BATCH_MAX) },
    video: { publish: video.publish, byAuthor: video.byAuthor, byIds: video.byIds, feed: coalescedQuery(video.feed, ({ before, limit }) => `${before}:${limit}`) },
    userFacts: deps.userFacts.map(coalescedFacts),
    videoFacts: deps.videoFacts.map(coalescedFacts),
  };
}

/** `source`, with the loads of one turn for the same viewer merged into one. */
export function coalescedFacts<F>(source: FactsSource<F>): FactsSource<F> {
  const load = coalescedBatches(
    (viewerId: number | undefined, ids: number[]) => source.load(ids, viewerId),
    (facts, ids) => {
      const own = new Map<number, Partial<F>>();
      for (const id of ids) {
        const found = facts.get(id);
        if (found) own.set(id, found);
      }
      return own;
    },
    ID_BATCH_MAX,
  );
  return { name: source.name, load: (ids, viewerId) => load(viewerId, ids) };
}

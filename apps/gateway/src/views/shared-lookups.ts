import { ID_BATCH_MAX, PAIR_BATCH_MAX, USER_BATCH_MAX, type UserItems } from '@douyin/contracts';
import { coalescedBatches, coalescedByIds, coalescedGroups, coalescedQuery } from '@douyin/mesh';
import type { GatewayDeps } from '../deps.js';
import type { FactsSource, FactsSources, MarksSource } from './facts.js';

/**
 * `deps` with the page views' lookups shared between requests: the feed, video, profile and facts calls that
 * requests make in the same turn of the event loop become one call per service (per page for the feed; the viewers'
 * marks in one call for all of them, each viewer asking about its own page). Concurrent pages overlap a lot (every
 * APK start asks for the same newest videos, popular authors recur), and a call answered once for all of them saves
 * the gateway, the callee and Redis the rest. Calls already made are never joined, so a page still sees every write
 * that returned before it was asked for. A merged call shows in the trace of the request that made it first.
 */
export function sharingPageLookups(deps: GatewayDeps): GatewayDeps {
  const { user, video } = deps;
  return {
    ...deps,
    user: { register: user.register, login: user.login, byId: user.byId, byIds: coalescedByIds(user.byIds, 'userIds', ID_BATCH_MAX) },
    video: { publish: video.publish, byAuthor: video.byAuthor, byIds: coalescedByIds(video.byIds, 'videoIds', ID_BATCH_MAX), feed: coalescedQuery(video.feed, ({ before, limit }) => `${before}:${limit}`) },
    userFacts: sharingFacts(deps.userFacts),
    videoFacts: sharingFacts(deps.videoFacts),
  };
}

const sharingFacts = <F>({ shared, marks }: FactsSources<F>): FactsSources<F> => ({
  shared: shared.map(coalescedFacts),
  marks: marks.map(coalescedMarks),
});

/** `source`, with the loads of one turn merged into one (the facts are the same for every viewer). */
export function coalescedFacts<F>(source: FactsSource<F>): FactsSource<F> {
  const load = coalescedBatches(
    (_: undefined, ids: number[]) => source.load(ids),
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
  return { name: source.name, load: (ids) => load(undefined, ids) };
}

/** `source`, with the questions of one turn (any viewers) merged into one call, within the service's bounds. */
export function coalescedMarks<F>(source: MarksSource<F>): MarksSource<F> {
  const load = coalescedGroups(
    (asked: ReadonlyMap<number, number[]>) => source.load([...asked].map(([userId, ids]) => ({ userId, ids }))),
    (answers: UserItems[], userId, ids): UserItems[] => {
      const own = new Set(ids);
      const marked = answers.find((answer) => answer.userId === userId)?.ids ?? [];
      return [{ userId, ids: marked.filter((id) => own.has(id)) }];
    },
    // A viewer's pages of one turn can ask more ids than a by-pairs call takes for one user: those go in a next call.
    { maxGroups: USER_BATCH_MAX, maxIds: PAIR_BATCH_MAX, maxIdsPerGroup: ID_BATCH_MAX },
  );
  return {
    name: source.name,
    mark: source.mark,
    neverSelf: source.neverSelf,
    load: async (questions) => (await Promise.all(questions.map(({ userId, ids }) => load(userId, ids)))).flat(),
  };
}

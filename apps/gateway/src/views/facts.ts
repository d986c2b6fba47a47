import { inBatches, type UserItems } from '@douyin/contracts';
import type { Logger } from '@douyin/telemetry';

/**
 * Facts about users or videos that another service owns and that are the same for every viewer (counts), fetched
 * for a whole page in one call per service (split only past the mesh's batch cap).
 */
export interface FactsSource<F> {
  name: string;
  load(ids: readonly number[]): Promise<Map<number, Partial<F>>>;
}

/**
 * A viewer's own flag on users or videos (is_follow, is_favorite), asked for any number of viewers in one call,
 * each about its own page's ids: the answer says which of them each viewer has marked.
 */
export interface MarksSource<F> {
  name: string;
  /** What the facts of an id the viewer marked become, e.g. `{ isFavorite: true }`. */
  mark: Partial<F>;
  /** True when nobody can mark themselves (no one follows themselves): a viewer's own id is never asked about. */
  neverSelf?: boolean;
  load(questions: readonly UserItems[]): Promise<UserItems[]>;
}

/** Where a page's facts come from: sources that are the same for every viewer, and the viewer's own marks. */
export interface FactsSources<F> {
  shared: readonly FactsSource<F>[];
  marks: readonly MarksSource<F>[];
}

export const NO_FACT_SOURCES: FactsSources<never> = { shared: [], marks: [] };

/**
 * Asks every source about `ids` at once (the marks sources only for a signed-in viewer) and returns a lookup that
 * fills the gaps with `zero`. A source that fails is logged and its facts stay zero: a page never fails because a
 * secondary service is down.
 */
export async function gatherFacts<F extends object>(
  sources: FactsSources<F>,
  ids: readonly number[],
  viewerId: number | undefined,
  zero: F,
  logger: Logger,
): Promise<(id: number) => F> {
  const settled = (name: string, entries: Promise<Array<readonly [number, Partial<F>]>>) =>
    entries.then(
      (found) => new Map(found),
      (err: unknown) => {
        logger.warn({ err, source: name }, 'facts unavailable; showing zeros');
        return new Map<number, Partial<F>>();
      },
    );
  const marked = async (source: MarksSource<F>, viewer: number) => {
    // A comment's or a profile's own author is often the viewer: such a page then makes no call for this source.
    const asked = source.neverSelf ? ids.filter((id) => id !== viewer) : ids;
    if (asked.length === 0) return [];
    return inBatches(asked, async (batch) => {
      const answers = await source.load([{ userId: viewer, ids: batch }]);
      return (answers.find((answer) => answer.userId === viewer)?.ids ?? []).map((id) => [id, source.mark] as const);
    });
  };
  const results = await Promise.all([
    ...sources.shared.map((source) => settled(source.name, inBatches(ids, async (batch) => [...(await source.load(batch))]))),
    ...(viewerId === undefined ? [] : sources.marks.map((source) => settled(source.name, marked(source, viewerId)))),
  ]);
  return (id) => {
    const merged = { ...zero };
    for (const facts of results) {
      const found = facts.get(id);
      if (found) Object.assign(merged, found);
    }
    return merged;
  };
}

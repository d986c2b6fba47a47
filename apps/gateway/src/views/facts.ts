import { inBatches } from '@douyin/contracts';
import type { Logger } from '@douyin/telemetry';

/**
 * Facts about users or videos that another service owns (counts, viewer flags), fetched for a whole page in one
 * call per service (split only past the mesh's batch cap). A source that fails is logged and its facts stay zero:
 * a page never fails because a secondary service is down.
 */
export interface FactsSource<F> {
  name: string;
  load(ids: readonly number[], viewerId: number | undefined): Promise<Map<number, Partial<F>>>;
}

/** Asks every source about `ids` at once and returns a lookup that fills the gaps with `zero`. */
export async function gatherFacts<F extends object>(
  sources: readonly FactsSource<F>[],
  ids: readonly number[],
  viewerId: number | undefined,
  zero: F,
  logger: Logger,
): Promise<(id: number) => F> {
  const results = await Promise.all(
    sources.map((source) =>
      inBatches(ids, async (batch) => [...(await source.load(batch, viewerId))]).then(
        (entries) => new Map(entries),
        (err: unknown) => {
          logger.warn({ err, source: source.name }, 'facts unavailable; showing zeros');
          return new Map<number, Partial<F>>();
        },
      ),
    ),
  );
  return (id) => {
    const merged = { ...zero };
    for (const facts of results) {
      const found = facts.get(id);
      if (found) Object.assign(merged, found);
    }
    return merged;
  };
}

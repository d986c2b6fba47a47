import { z } from 'zod';

/** Every id on the wire is a positive integer that survives JSON.parse (≤ 2^53−1). */
export const Id = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
export type Id = z.infer<typeof Id>;

export const ID_BATCH_MAX = 500;

/** Batch lookups are capped so one call cannot ask for an unbounded result; callers split longer lists (`inBatches`). */
export const IdBatch = z.array(Id).max(ID_BATCH_MAX);

/**
 * Batches of one list in flight at once: a list of 100k ids (a celebrity's followers) would otherwise send 200 calls
 * to each service at once, past what an instance queues, and be refused for its own size.
 */
export const BATCHES_IN_FLIGHT = 8;

/** Runs `load` over `ids` in batches of at most ID_BATCH_MAX, a few at a time, and concatenates the answers in order. */
export async function inBatches<T>(ids: readonly number[], load: (batch: number[]) => Promise<T[]>): Promise<T[]> {
  // Nearly every list fits one batch: no array of answers to build and join (Array.prototype.flat copies element by
  // element and showed in the gateway's profile).
  if (ids.length <= ID_BATCH_MAX) return ids.length === 0 ? [] : load([...ids]);
  const batches: number[][] = [];
  for (let i = 0; i < ids.length; i += ID_BATCH_MAX) batches.push(ids.slice(i, i + ID_BATCH_MAX));
  const answers: T[][] = new Array(batches.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < batches.length && !failed) {
      const i = next++;
      answers[i] = await load(batches[i]!).catch((err: unknown) => {
        failed = true; // the others stop taking batches: the list fails whole
        throw err;
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(BATCHES_IN_FLIGHT, batches.length) }, worker));
  return answers.flat();
}

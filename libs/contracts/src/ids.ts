import { z } from 'zod';

/** Every id on the wire is a positive integer that survives JSON.parse (≤ 2^53−1). */
export const Id = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
export type Id = z.infer<typeof Id>;

export const ID_BATCH_MAX = 500;

/** Batch lookups are capped so one call cannot ask for an unbounded result; callers split longer lists (`inBatches`). */
export const IdBatch = z.array(Id).max(ID_BATCH_MAX);

/** Runs `load` over `ids` in batches of at most ID_BATCH_MAX, in parallel, and concatenates the answers. */
export async function inBatches<T>(ids: readonly number[], load: (batch: number[]) => Promise<T[]>): Promise<T[]> {
  const batches: number[][] = [];
  for (let i = 0; i < ids.length; i += ID_BATCH_MAX) batches.push(ids.slice(i, i + ID_BATCH_MAX));
  const answers = await Promise.all(batches.map(load));
  // Nearly every list fits one batch; Array.prototype.flat copies element by element and showed in the gateway's profile.
  return answers.length === 1 ? (answers[0] as T[]) : answers.flat();
}

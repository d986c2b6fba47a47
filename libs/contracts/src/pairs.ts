import { z } from 'zod';
import { Id, IdBatch } from './ids.js';

/** Users one by-pairs lookup may ask about. */
export const USER_BATCH_MAX = 100;
/** Pairs one by-pairs lookup may ask about in all, each a probe of the pair's unique index. */
export const PAIR_BATCH_MAX = 10_000;

/** One user's question in a by-pairs lookup, and its answer: which of `ids` the user has liked (followed). */
export const UserItems = z.object({ userId: Id, ids: IdBatch });
export type UserItems = z.infer<typeof UserItems>;

/**
 * A by-pairs lookup: for each user, which of its own ids it has liked (followed). The pages of many viewers are
 * asked in one call, each viewer with its own page's ids, so nothing is asked that a page does not show.
 */
export const PairsInput = z
  .object({ users: z.array(UserItems).min(1).max(USER_BATCH_MAX) })
  .refine(({ users }) => users.reduce((pairs, user) => pairs + user.ids.length, 0) <= PAIR_BATCH_MAX, {
    message: `at most ${PAIR_BATCH_MAX} pairs per call`,
  });
export type PairsInput = z.infer<typeof PairsInput>;

/** The questions of a by-pairs input, user by user in the order asked; a user asked twice is asked the union. */
export function questionsOf({ users }: PairsInput): Map<number, number[]> {
  const questions = new Map<number, Set<number>>();
  for (const { userId, ids } of users) {
    const asked = questions.get(userId) ?? questions.set(userId, new Set()).get(userId)!;
    for (const id of ids) asked.add(id);
  }
  return new Map([...questions].map(([userId, ids]) => [userId, [...ids]]));
}

/** The answer to `questions`: every user asked, in order, with the ids among `found` ([user, id] pairs) that are its. */
export function answerOf(questions: ReadonlyMap<number, readonly number[]>, found: Iterable<readonly [number, number]>): UserItems[] {
  const answers = new Map<number, number[]>([...questions.keys()].map((userId) => [userId, []]));
  for (const [userId, id] of found) answers.get(userId)?.push(id);
  return [...answers].map(([userId, ids]) => ({ userId, ids }));
}

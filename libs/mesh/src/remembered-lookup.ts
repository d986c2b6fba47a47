import type { ByIdsQuery } from './coalesce.js';

export interface RememberOptions {
  /** How long an item found is answered from memory; a minute unless set. */
  ttlMs?: number;
  /** How many items are kept at most (some 20 k, a few MB, unless set); past it the oldest are forgotten first. */
  max?: number;
  now?: () => number;
}

/** How long a remembered lookup answers an item found from memory unless told otherwise. */
export const REMEMBERED_TTL_MS = 60_000;
const DEFAULT_MAX = 20_000;

/**
 * A by-ids lookup that answers the ids it found within the last `ttlMs` from memory, and asks `procedure` only for
 * the rest, in one call; an id not found is never remembered, so a row created since is seen at once. Answers keep
 * the order of the ids asked, each id once.
 *
 * Only for checks that read what never changes once a row exists, of rows the system never deletes: a video's
 * existence and author before a like or a comment, a user's existence before a follow. Such a check used to cost a
 * mesh call on every write. The TTL bounds how long a row that vanished all the same (a wiped database) still passes.
 */
export function rememberedByIds<K extends string, T extends { id: number }>(
  procedure: ByIdsQuery<K, T>,
  key: K,
  { ttlMs = REMEMBERED_TTL_MS, max = DEFAULT_MAX, now = Date.now }: RememberOptions = {},
): ByIdsQuery<K, T> {
  if (!(max >= 1)) throw new RangeError(`a remembered lookup keeps at least one item, not ${max}`);
  // Insertion order is age order: an item found again is re-inserted at the end.
  const remembered = new Map<number, { item: T; until: number }>();

  const remember = (item: T, until: number) => {
    remembered.delete(item.id);
    while (remembered.size >= max) remembered.delete(remembered.keys().next().value as number);
    remembered.set(item.id, { item, until });
  };

  return {
    async query(input) {
      const ids = [...new Set(input[key])];
      const at = now();
      const found = new Map<number, T>();
      const unknown: number[] = [];
      for (const id of ids) {
        const entry = remembered.get(id);
        if (entry !== undefined && entry.until > at) found.set(id, entry.item);
        else unknown.push(id);
      }
      if (unknown.length > 0) {
        const fetched = await procedure.query({ [key]: unknown } as { [P in K]: number[] });
        const until = now() + ttlMs;
        for (const item of fetched) {
          found.set(item.id, item);
          remember(item, until);
        }
      }
      return ids.flatMap((id) => found.get(id) ?? []);
    },
  };
}

/** A lookup client (anything with a by-ids `byIds` query) whose finds are remembered, as rememberedByIds. */
export const rememberedLookup = <K extends string, T extends { id: number }>(client: { byIds: ByIdsQuery<K, T> }, key: K, options?: RememberOptions) => ({
  byIds: rememberedByIds(client.byIds, key, options),
});

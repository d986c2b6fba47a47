/** A profile as the user service's `byIds` returns it (structurally the contract's UserProfile). */
export interface FakeProfile {
  id: number;
  name: string;
  signature: string;
  createdAt: number;
}

/**
 * The user service's `byIds` for services that only check ids: it knows `ids` (more can be pushed later) and
 * records every call, so a test can assert one batched call per request.
 */
export function fakeUserLookup(ids: Iterable<number>) {
  const known = new Set(ids);
  const calls: number[][] = [];
  const user = {
    byIds: {
      query: async ({ userIds }: { userIds: number[] }): Promise<FakeProfile[]> => {
        calls.push(userIds);
        return userIds.filter((id) => known.has(id)).map((id) => ({ id, name: `user${id}`, signature: '', createdAt: 0 }));
      },
    },
  };
  return { user, calls, known };
}

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { coalescedByIds, currentScope, runInScope, type CallScope } from '@douyin/mesh';

interface Item {
  id: number;
}

/** A fake byIds procedure that records each call's ids and scope, and knows the ids below 100. */
function recorder(fail?: Error) {
  const calls: Array<{ ids: number[]; scope: CallScope | undefined }> = [];
  const procedure = {
    async query({ userIds }: { userIds: number[] }): Promise<Item[]> {
      calls.push({ ids: userIds, scope: currentScope() });
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (fail) throw fail;
      return userIds.filter((id) => id < 100).map((id) => ({ id }));
    },
  };
  return { calls, procedure };
}

test('calls made in one turn become one call for the union of their ids; each caller gets its own items', async () => {
  const { calls, procedure } = recorder();
  const lookup = coalescedByIds(procedure, 'userIds', 500);
  const answers = await Promise.all([
    lookup.query({ userIds: [3, 1] }),
    lookup.query({ userIds: [1] }),
    lookup.query({ userIds: [7, 200] }),
    lookup.query({ userIds: [] }),
  ]);
  assert.deepEqual(calls.map((c) => c.ids), [[3, 1, 7, 200]]);
  assert.deepEqual(answers, [[{ id: 3 }, { id: 1 }], [{ id: 1 }], [{ id: 7 }], []]);
  // A later turn is a new call.
  assert.deepEqual(await lookup.query({ userIds: [5] }), [{ id: 5 }]);
  assert.equal(calls.length, 2);
});

test('a merged call carries at most maxIds ids, and runs under the latest deadline and the first request id', async () => {
  const { calls, procedure } = recorder();
  const lookup = coalescedByIds(procedure, 'userIds', 3);
  const inScope = (requestId: string, deadline: number, ids: number[]) => runInScope({ requestId, deadline }, () => lookup.query({ userIds: ids }));
  const answers = await Promise.all([inScope('a', 1_000, [1, 2]), inScope('b', 3_000, [2, 3]), inScope('c', 2_000, [4]), inScope('d', 500, [5, 6, 7, 8])]);
  assert.deepEqual(answers.map((items) => items.map((i) => i.id)), [[1, 2], [2, 3], [4], [5, 6, 7, 8]]);
  // [1,2]+[2,3] fit in three ids; [4] would make four, so it starts the next call; a list over maxIds goes alone.
  assert.deepEqual(calls.map((c) => c.ids).sort(), [[1, 2, 3], [4], [5, 6, 7, 8]].sort());
  const merged = calls.find((c) => c.ids.length === 3)!;
  assert.deepEqual(merged.scope, { requestId: 'a', deadline: 3_000 });
});

test('a failed merged call fails every caller in it', async () => {
  const { procedure } = recorder(new Error('user service down'));
  const lookup = coalescedByIds(procedure, 'userIds', 500);
  const results = await Promise.allSettled([lookup.query({ userIds: [1] }), lookup.query({ userIds: [2] })]);
  assert.deepEqual(results.map((r) => r.status === 'rejected' && (r.reason as Error).message), ['user service down', 'user service down']);
});

test('a procedure that throws instead of rejecting still fails every caller', async () => {
  const lookup = coalescedByIds<'userIds', Item>(
    {
      query: () => {
        throw new Error('bad client');
      },
    },
    'userIds',
    500,
  );
  const results = await Promise.allSettled([lookup.query({ userIds: [1] }), lookup.query({ userIds: [2] })]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
});

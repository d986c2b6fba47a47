import assert from 'node:assert/strict';
import { AsyncLocalStorage } from 'node:async_hooks';
import { test } from 'node:test';
import { coalescedBatches, coalescedByIds, coalescedGroups, coalescedQuery, currentScope, runInScope, type CallScope } from '@douyin/mesh';

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
  const now = Date.now();
  const inScope = (requestId: string, deadline: number, ids: number[]) => runInScope({ requestId, deadline }, () => lookup.query({ userIds: ids }));
  const answers = await Promise.all([
    inScope('a', now + 1_000, [1, 2]),
    inScope('b', now + 3_000, [2, 3]),
    inScope('c', now + 2_000, [4]),
    inScope('d', now + 500, [5, 6, 7, 8]),
  ]);
  assert.deepEqual(answers.map((items) => items.map((i) => i.id)), [[1, 2], [2, 3], [4], [5, 6, 7, 8]]);
  // [1,2]+[2,3] fit in three ids; [4] would make four, so it starts the next call; a list over maxIds goes alone.
  assert.deepEqual(calls.map((c) => c.ids).sort(), [[1, 2, 3], [4], [5, 6, 7, 8]].sort());
  const merged = calls.find((c) => c.ids.length === 3)!;
  assert.deepEqual(merged.scope, { requestId: 'a', deadline: now + 3_000 });
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

test('calls merge only within their group; a merged answer is shared out, a lone call gets the answer as it came', async () => {
  const calls: Array<{ group: string | undefined; ids: number[] }> = [];
  const shared: number[][] = [];
  const load = coalescedBatches(
    async (group: string | undefined, ids: number[]) => {
      calls.push({ group, ids });
      return new Map(ids.map((id) => [id, `${group}:${id}`]));
    },
    (answer: Map<number, string>, ids) => {
      shared.push([...ids]);
      return new Map(ids.map((id) => [id, answer.get(id)!]));
    },
    500,
  );
  const [a, b, c, d] = await Promise.all([load('ann', [1, 2]), load(undefined, [2]), load('ann', [2, 3]), load('bob', [4])]);
  assert.deepEqual(calls, [
    { group: 'ann', ids: [1, 2, 3] },
    { group: undefined, ids: [2] },
    { group: 'bob', ids: [4] },
  ]);
  assert.deepEqual([...a], [[1, 'ann:1'], [2, 'ann:2']]);
  assert.deepEqual([...c], [[2, 'ann:2'], [3, 'ann:3']]);
  assert.deepEqual([...b], [[2, 'undefined:2']]);
  assert.deepEqual([...d], [[4, 'bob:4']]);
  assert.deepEqual(shared, [[1, 2], [2, 3]], 'only the merged call was shared out');
});

test('calls of many groups merge into one call per group union, within the limits on groups and ids', async () => {
  const calls: Array<Array<[string, number[]]>> = [];
  const load = coalescedGroups(
    async (asked: ReadonlyMap<string, number[]>) => {
      calls.push([...asked]);
      return [...asked].map(([group, ids]) => ({ group, ids: ids.filter((id) => id % 2 === 0) }));
    },
    (answer: Array<{ group: string; ids: number[] }>, group, ids) => [
      { group, ids: (answer.find((a) => a.group === group)?.ids ?? []).filter((id) => ids.includes(id)) },
    ],
    { maxGroups: 2, maxIds: 5 },
  );
  const answers = await Promise.all([
    load('ann', [1, 2]), // call 1
    load('bob', [2, 4]), // call 1: a second group
    load('cat', [6]), // call 2: call 1 has two groups
    load('ann', [2, 3]), // call 1: its own group's call, one id more (5 in all)
    load('bob', [8]), // call 2: call 1 is full, and call 2 takes a second group
    load('dan', [10]), // call 3: call 2 has two groups
  ]);
  assert.deepEqual(calls, [
    [
      ['ann', [1, 2, 3]],
      ['bob', [2, 4]],
    ],
    [
      ['cat', [6]],
      ['bob', [8]],
    ],
    [['dan', [10]]],
  ]);
  assert.deepEqual(answers, [
    [{ group: 'ann', ids: [2] }],
    [{ group: 'bob', ids: [2, 4] }],
    [{ group: 'cat', ids: [6] }],
    [{ group: 'ann', ids: [2] }],
    [{ group: 'bob', ids: [8] }],
    [{ group: 'dan', ids: [10] }],
  ]);
});

test("a group's ids past maxIdsPerGroup go in the next call, whatever room the call has for other groups", async () => {
  const calls: Array<Array<[string, number[]]>> = [];
  const load = coalescedGroups(
    async (asked: ReadonlyMap<string, number[]>) => (calls.push([...asked]), [...asked].map(([group, ids]) => ({ group, ids }))),
    (answer: Array<{ group: string; ids: number[] }>, group, ids) => [{ group, ids: [...ids] }],
    { maxGroups: 10, maxIds: 100, maxIdsPerGroup: 3 },
  );
  await Promise.all([load('ann', [1, 2]), load('bob', [1]), load('ann', [2, 3]), load('ann', [4, 5])]);
  assert.deepEqual(calls, [
    [
      ['ann', [1, 2, 3]],
      ['bob', [1]],
    ],
    [['ann', [4, 5]]],
  ]);
});

test('identical queries of one turn are one call under the latest deadline; a later turn never joins a call made', async () => {
  const calls: Array<{ input: { before?: number }; scope: CallScope | undefined }> = [];
  const inFlight: Array<() => void> = [];
  const procedure = {
    async query(input: { before?: number }) {
      calls.push({ input, scope: currentScope() });
      await new Promise<void>((resolve) => inFlight.push(resolve));
      return [`page before ${input.before ?? 'now'}`];
    },
  };
  const feed = coalescedQuery(procedure, (input) => String(input.before));
  const now = Date.now();
  const ask = (requestId: string, inMs: number, before?: number) => runInScope({ requestId, deadline: now + inMs }, () => feed.query({ before }));
  const callsMade = async (count: number) => {
    while (calls.length < count) await new Promise((resolve) => setImmediate(resolve));
  };
  const first = [ask('a', 1_000), ask('b', 3_000), ask('c', 2_000, 5)];
  await callsMade(2);
  // Made while the first call is in flight: it must see what was written since, so it is a call of its own.
  const later = ask('d', 1_000);
  await callsMade(3);
  for (const answer of inFlight) answer();
  const answers = await Promise.all([...first, later]);
  assert.deepEqual(calls.map((c) => c.input), [{ before: undefined }, { before: 5 }, { before: undefined }]);
  assert.deepEqual(calls.map((c) => c.scope), [
    { requestId: 'a', deadline: now + 3_000 },
    { requestId: 'c', deadline: now + 2_000 },
    { requestId: 'd', deadline: now + 1_000 },
  ]);
  assert.deepEqual(answers, [['page before now'], ['page before now'], ['page before 5'], ['page before now']]);
  assert.strictEqual(answers[0], answers[1], 'the merged callers share one answer');
});

test("each group's call runs in the async context of its own first caller, so it joins that caller's trace", async () => {
  const request = new AsyncLocalStorage<string>();
  const seen = new Map<string, string | undefined>();
  const load = coalescedBatches(
    async (group: string, ids: number[]) => {
      seen.set(group, request.getStore());
      return ids;
    },
    (answer: number[], ids) => answer.filter((id) => ids.includes(id)),
    500,
  );
  await Promise.all([
    request.run('request 1', () => load('ann', [1])),
    request.run('request 2', () => load('bob', [2])),
    request.run('request 3', () => load('ann', [3])),
  ]);
  assert.deepEqual(Object.fromEntries(seen), { ann: 'request 1', bob: 'request 2' });
});

test("a caller whose share of a merged answer fails is failed alone; the others get theirs", async () => {
  const load = async (asked: ReadonlyMap<string, number[]>) => new Map([...asked].map(([group, ids]) => [group, ids.map((id) => ({ id }))]));
  const share = (answer: Map<string, Item[]>, group: string, ids: readonly number[]) => {
    if (group === 'broken') throw new Error('no share for broken');
    return new Map([[group, (answer.get(group) ?? []).filter((item) => ids.includes(item.id))]]);
  };
  const lookup = coalescedGroups(load, share, { maxGroups: 10, maxIds: 100 });
  const [a, broken, b] = await Promise.allSettled([lookup('a', [1]), lookup('broken', [2]), lookup('b', [3])]);
  assert.deepEqual(a, { status: 'fulfilled', value: new Map([['a', [{ id: 1 }]]]) });
  assert.equal(broken.status, 'rejected');
  assert.deepEqual(b, { status: 'fulfilled', value: new Map([['b', [{ id: 3 }]]]) });
});

test('a caller merged with a later deadline gives up at its own, as its own call would; the others get the answer', async () => {
  const lookup = coalescedGroups(
    async (asked: ReadonlyMap<string, number[]>) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return new Map([...asked].map(([group, ids]) => [group, ids.map((id) => ({ id }))]));
    },
    (answer: Map<string, Item[]>, group: string) => new Map([[group, answer.get(group) ?? []]]),
    { maxGroups: 10, maxIds: 100 },
  );
  const within = (ms: number, group: string) => runInScope({ requestId: group, deadline: Date.now() + ms }, () => lookup(group, [1]));
  const [hurried, patient] = await Promise.allSettled([within(50, 'hurried'), within(5_000, 'patient')]);
  assert.equal(hurried.status, 'rejected');
  assert.equal(((hurried as PromiseRejectedResult).reason as { data?: { code?: string } }).data?.code, 'GATEWAY_TIMEOUT');
  assert.deepEqual(patient, { status: 'fulfilled', value: new Map([['patient', [{ id: 1 }]]]) });
});

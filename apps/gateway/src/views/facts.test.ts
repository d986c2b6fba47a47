import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@douyin/telemetry';
import type { UserItems } from '@douyin/contracts';
import { gatherFacts } from './facts.js';

test('a list longer than the mesh batch cap is asked for in batches of at most 500', async () => {
  const batches: number[] = [];
  const source = {
    name: 'counts',
    load: async (ids: readonly number[]) => {
      batches.push(ids.length);
      return new Map(ids.map((id) => [id, { count: id * 2 }]));
    },
  };
  const ids = Array.from({ length: 1201 }, (_, i) => i + 1);
  const factsOf = await gatherFacts({ shared: [source], marks: [] }, ids, undefined, { count: 0, flag: false }, silentLogger());
  assert.deepEqual(batches.sort((a, b) => b - a), [500, 500, 201]);
  assert.deepEqual(factsOf(1201), { count: 2402, flag: false });
});

test('a failing source leaves zeros and the other sources still count', async () => {
  const good = { name: 'good', load: async (ids: readonly number[]) => new Map(ids.map((id) => [id, { count: id }])) };
  const bad = { name: 'bad', load: async () => Promise.reject(new Error('down')) };
  const marks = { name: 'marks', mark: { flag: true }, load: async (questions: readonly UserItems[]) => [...questions] };
  const badMarks = { ...marks, load: async () => Promise.reject(new Error('down')) };
  const factsOf = await gatherFacts({ shared: [bad, good], marks: [marks] }, [7], 1, { count: 0, flag: false }, silentLogger());
  assert.deepEqual(factsOf(7), { count: 7, flag: true });
  assert.deepEqual(factsOf(8), { count: 0, flag: false });
  const withoutMarks = await gatherFacts({ shared: [good], marks: [badMarks] }, [7], 1, { count: 0, flag: false }, silentLogger());
  assert.deepEqual(withoutMarks(7), { count: 7, flag: false });
});

test("a viewer's marks are asked about its own ids only, and an anonymous viewer's not at all", async () => {
  const asked: Array<readonly UserItems[]> = [];
  const marks = {
    name: 'marks',
    mark: { flag: true },
    load: async (questions: readonly UserItems[]) => (asked.push(questions), questions.map(({ userId, ids }) => ({ userId, ids: ids.filter((id) => id % 2 === 0) }))),
  };
  const factsOf = await gatherFacts({ shared: [], marks: [marks] }, [1, 2, 3, 4], 9, { flag: false }, silentLogger());
  assert.deepEqual([1, 2, 3, 4].map((id) => factsOf(id).flag), [false, true, false, true]);
  assert.deepEqual(asked, [[{ userId: 9, ids: [1, 2, 3, 4] }]]);
  const anonymous = await gatherFacts({ shared: [], marks: [marks] }, [2], undefined, { flag: false }, silentLogger());
  assert.equal(anonymous(2).flag, false);
  assert.equal(asked.length, 1);
});

test('a source nobody can mark themselves with is not asked about the viewer, nor called for the viewer alone', async () => {
  const asked: Array<readonly UserItems[]> = [];
  const marks = {
    name: 'follows',
    mark: { flag: true },
    neverSelf: true,
    load: async (questions: readonly UserItems[]) => (asked.push(questions), [...questions]),
  };
  const factsOf = await gatherFacts({ shared: [], marks: [marks] }, [3, 9, 4], 9, { flag: false }, silentLogger());
  assert.deepEqual([3, 9, 4].map((id) => factsOf(id).flag), [true, false, true]);
  assert.deepEqual(asked, [[{ userId: 9, ids: [3, 4] }]]);
  const own = await gatherFacts({ shared: [], marks: [marks] }, [9], 9, { flag: false }, silentLogger());
  assert.equal(own(9).flag, false);
  assert.equal(asked.length, 1);
});

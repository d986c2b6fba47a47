import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ID_BATCH_MAX, PairsInput, type UserItems } from '@douyin/contracts';
import { coalescedFacts, coalescedMarks } from './shared-lookups.js';

test("the marks asked in one turn, by any viewers, are one call; each viewer gets its own answer about its own ids", async () => {
  const calls: Array<readonly UserItems[]> = [];
  // Viewer 1 likes every even id, viewer 2 every id: the answer holds both, and each caller must see only its own.
  const likes = coalescedMarks<{ liked: boolean }>({
    name: 'favorite',
    mark: { liked: true },
    load: async (questions) => (calls.push(questions), questions.map(({ userId, ids }) => ({ userId, ids: ids.filter((id) => userId === 2 || id % 2 === 0) }))),
  });
  const [first, second, again] = await Promise.all([
    likes.load([{ userId: 1, ids: [1, 2, 3, 4] }]),
    likes.load([{ userId: 2, ids: [3, 5] }]),
    likes.load([{ userId: 1, ids: [4, 6] }]),
  ]);
  assert.deepEqual(calls, [
    [
      { userId: 1, ids: [1, 2, 3, 4, 6] },
      { userId: 2, ids: [3, 5] },
    ],
  ]);
  assert.deepEqual(first, [{ userId: 1, ids: [2, 4] }]);
  assert.deepEqual(second, [{ userId: 2, ids: [3, 5] }]);
  assert.deepEqual(again, [{ userId: 1, ids: [4, 6] }]);
  assert.equal(likes.name, 'favorite');
  assert.deepEqual(likes.mark, { liked: true });
});

test("one viewer's marks of one turn past a call's bound per user go in calls the service takes", async () => {
  const calls: Array<readonly UserItems[]> = [];
  // The favorite service's own input check: at most ID_BATCH_MAX ids a user.
  const likes = coalescedMarks<{ liked: boolean }>({
    name: 'favorite',
    mark: { liked: true },
    load: async (questions) => (calls.push(PairsInput.parse({ users: questions }).users), [...questions]),
  });
  // A favorite list of 501 videos asks in batches of ID_BATCH_MAX, all in one turn.
  const ids = Array.from({ length: ID_BATCH_MAX + 1 }, (_, i) => i + 1);
  const answers = await Promise.all([likes.load([{ userId: 7, ids: ids.slice(0, ID_BATCH_MAX) }]), likes.load([{ userId: 7, ids: ids.slice(ID_BATCH_MAX) }])]);
  assert.deepEqual(answers.flat().flatMap((answer) => answer.ids), ids);
  assert.deepEqual(calls.map((call) => call.map(({ userId, ids }) => [userId, ids.length])), [[[7, ID_BATCH_MAX]], [[7, 1]]]);
});

test('facts the same for every viewer are one call per turn, each caller getting its own ids', async () => {
  const calls: Array<readonly number[]> = [];
  const counts = coalescedFacts<{ count: number }>({
    name: 'comment',
    load: async (ids) => (calls.push(ids), new Map(ids.map((id) => [id, { count: id * 10 }]))),
  });
  const [a, b] = await Promise.all([counts.load([1, 2]), counts.load([2, 3])]);
  assert.deepEqual(calls, [[1, 2, 3]]);
  assert.deepEqual([...a], [[1, { count: 10 }], [2, { count: 20 }]]);
  assert.deepEqual([...b], [[2, { count: 20 }], [3, { count: 30 }]]);
});

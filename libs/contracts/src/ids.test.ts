import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { BATCHES_IN_FLIGHT, ID_BATCH_MAX, inBatches } from './ids.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

test('a long list is asked in batches of at most ID_BATCH_MAX, a few at a time, and answered in order', async () => {
  const ids = range(ID_BATCH_MAX * 20 + 7);
  let inFlight = 0;
  let most = 0;
  const sizes: number[] = [];
  const answer = await inBatches(ids, async (batch) => {
    sizes.push(batch.length);
    most = Math.max(most, ++inFlight);
    await sleep(Math.random() * 5); // answers come back out of order
    inFlight--;
    return batch.map((id) => id * 10);
  });
  assert.deepEqual(answer, ids.map((id) => id * 10));
  assert.equal(sizes.length, 21);
  assert.ok(sizes.every((size) => size <= ID_BATCH_MAX));
  assert.equal(most, BATCHES_IN_FLIGHT);
});

test('a failed batch fails the list, and no batch is asked after it', async () => {
  const asked: number[] = [];
  const failing = inBatches(range(ID_BATCH_MAX * 20), async (batch) => {
    asked.push(batch[0]!);
    if (batch[0] === 1) throw new Error('refused');
    await sleep(5);
    return batch;
  });
  await assert.rejects(failing, /refused/);
  await sleep(20);
  assert.equal(asked.length, BATCHES_IN_FLIGHT, 'only the batches already in flight');
});

test('short and empty lists are one call and none', async () => {
  const calls: number[][] = [];
  assert.deepEqual(await inBatches([3, 1, 2], async (batch) => (calls.push(batch), batch)), [3, 1, 2]);
  assert.deepEqual(await inBatches([], async (batch) => (calls.push(batch), batch)), []);
  assert.deepEqual(calls, [[3, 1, 2]]);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@douyin/telemetry';
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
  const factsOf = await gatherFacts([source], ids, undefined, { count: 0, flag: false }, silentLogger());
  assert.deepEqual(batches.sort((a, b) => b - a), [500, 500, 201]);
  assert.deepEqual(factsOf(1201), { count: 2402, flag: false });
});

test('a failing source leaves zeros and the other sources still count', async () => {
  const good = { name: 'good', load: async (ids: readonly number[]) => new Map(ids.map((id) => [id, { flag: true }])) };
  const bad = { name: 'bad', load: async () => Promise.reject(new Error('down')) };
  const factsOf = await gatherFacts([bad, good], [7], 1, { count: 0, flag: false }, silentLogger());
  assert.deepEqual(factsOf(7), { count: 0, flag: true });
  assert.deepEqual(factsOf(8), { count: 0, flag: false });
});

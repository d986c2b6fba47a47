import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareScales, compareThroughput, type ScaleTarget } from './scale-rounds.js';
import type { WrkResult } from './wrk.js';

const result = (p50Ms: number): WrkResult => ({ rps: 1000 / p50Ms, p50Ms, p99Ms: p50Ms * 2, requests: 100, errors: 0 });

test('scales are measured alternately, first in turns, and one disturbed round does not move the ratio', async () => {
  const small: ScaleTarget = { url: 'http://small', env: {} };
  const large: ScaleTarget = { url: 'http://large', env: { VIDEO_MAX: '1000000' } };
  const order: string[] = [];
  // Round two's large run shares the machine with something else and comes out four times slower.
  const p50s = { 'http://small': [10, 10, 11], 'http://large': [11, 44, 12] } as Record<string, number[]>;
  const comparison = await compareScales({ small, large }, 'feed', 3, async (target, script) => {
    assert.equal(script, 'feed');
    order.push(target.url);
    return result(p50s[target.url]!.shift()!);
  });
  assert.deepEqual(order, ['http://small', 'http://large', 'http://large', 'http://small', 'http://small', 'http://large']);
  assert.deepEqual(comparison.rounds.map((r) => r.ratio), [1.1, 4.4, 12 / 11]);
  assert.equal(comparison.ratio, 1.1);
});

test('the mesh and the in-process server alternate, first in turns, and the median round gives the ratio and its latencies', async () => {
  const mesh: ScaleTarget = { url: 'http://mesh', env: {} };
  const inprocess: ScaleTarget = { url: 'http://inprocess', env: {} };
  const order: string[] = [];
  // Round one's in-process run and round two's mesh run share the machine with something else: round three counts.
  const rps = { 'http://mesh': [800, 400, 600], 'http://inprocess': [800, 1000, 1000] } as Record<string, number[]>;
  const comparison = await compareThroughput({ mesh, inprocess }, 'feed', 3, async (target) => {
    order.push(target.url);
    return { ...result(10), rps: rps[target.url]!.shift()! };
  });
  assert.deepEqual(order, ['http://mesh', 'http://inprocess', 'http://inprocess', 'http://mesh', 'http://mesh', 'http://inprocess']);
  assert.deepEqual(comparison.rounds.map((r) => r.ratio), [1, 0.4, 0.6]);
  assert.equal(comparison.ratio, 0.6);
  assert.equal(comparison.medianRound.mesh.rps, 600);
  assert.equal(comparison.medianRound.inprocess.rps, 1000);
});

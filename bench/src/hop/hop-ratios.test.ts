import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { WrkResult } from '../wrk.js';
import { HOP_VARIANTS, hopRatios, type HopRound } from './hop-ratios.js';

const run = (rps: number): WrkResult => ({ rps, p50Ms: 1, p99Ms: 2, requests: rps * 10, errors: 0 });
const round = (bare: number, others: number[]): HopRound =>
  Object.fromEntries(HOP_VARIANTS.map((v, i) => [v, run(i === 0 ? bare : others[i - 1]!)])) as HopRound;

test('each variant is divided by the bare route of its own round, and the median round counts', () => {
  const ratios = hopRatios([
    round(10_000, [2_000, 3_000, 4_000, 500, 5_000]),
    // The machine slowed by half: every figure halves, the ratios stay.
    round(5_000, [1_000, 1_500, 2_000, 250, 2_500]),
    // One disturbed run of the traced hop: the median leaves it out.
    round(10_000, [9_000, 3_000, 4_000, 500, 5_000]),
  ]);
  assert.deepEqual(ratios, { mesh: 0.2, meshSampled: 0.3, meshUntraced: 0.4, stockTrpc: 0.05, moleculer: 0.5 });
});

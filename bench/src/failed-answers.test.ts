import { test } from 'node:test';
import assert from 'node:assert/strict';
import { failedAnswers, type MeasuredRuns } from './failed-answers.js';
import { HOP_VARIANTS, type HopRound } from './hop/hop-ratios.js';
import { table, type BenchResults } from './report.js';
import type { WrkResult } from './wrk.js';

const run = (errors = 0): WrkResult => ({ rps: 1000, p50Ms: 10, p99Ms: 20, requests: 10_000, errors });
const hopRound = (failing?: string, errors = 0): HopRound => Object.fromEntries(HOP_VARIANTS.map((v) => [v, run(v === failing ? errors : 0)])) as HopRound;
const clean: MeasuredRuns = {
  feedVsInprocess: [{ mesh: run(), inprocess: run() }],
  hopRounds: [hopRound(), hopRound()],
  feedScales: [{ small: run(), large: run() }],
  favoriteScales: [{ small: run(), large: run() }],
  stormFailed: 0,
  pushFailedSends: 0,
};

test('failures are tallied against the figures measured from their runs, the bare route against every hop', () => {
  assert.ok(Object.values(failedAnswers(clean)).every((n) => n === 0));
  const failed = failedAnswers({
    ...clean,
    hopRounds: [hopRound('bare', 2), hopRound('moleculer', 5)],
    favoriteScales: [{ small: run(), large: run(300) }],
    stormFailed: 7,
  });
  assert.deepEqual(failed, {
    mesh_vs_inprocess: 0,
    hop_vs_bare: 2,
    hop_vs_bare_sampled_10pct: 2,
    hop_vs_bare_untraced: 2,
    stock_trpc_hop_vs_bare: 2,
    moleculer_hop_vs_bare: 7,
    feed_p50_1m_over_10k: 0,
    favorite_list_p50_1m_over_10k: 300,
    like_storm_exact: 7,
    push_delivery_ms: 0,
  });
});

test('a figure whose runs had failures is a MISS, whatever its value, and says how many', () => {
  const latency = { rps: 1000, p50_ms: 10, p99_ms: 20, requests: 10_000, errors: 0 };
  const results: BenchResults = {
    mode: 'quick',
    measured_at: '2026-12-08T00:00:00Z',
    mesh_vs_inprocess: 0.8,
    mesh_feed: latency,
    inprocess_feed: latency,
    hop_vs_bare: 0.6,
    hop_vs_bare_sampled_10pct: 0.6,
    hop_vs_bare_untraced: 0.6,
    stock_trpc_hop_vs_bare: 0.05,
    moleculer_hop_vs_bare: 0.5,
    hop_cpu_us_per_request: Object.fromEntries(HOP_VARIANTS.map((v) => [v, { caller: 20, callee: 10 }])) as BenchResults['hop_cpu_us_per_request'],
    feed_p50_1m_over_10k: 1,
    favorite_list_p50_1m_over_10k: 1.1,
    like_storm_exact: true,
    upload_rss_growth_mb: 10,
    upload_vs_raw_put: 1,
    chat_poll_ms: { users: 500, messages: 0, by_time: 2, by_user: 6 },
    push_delivery_ms: {
      connections: 10,
      messages: 10,
      at_once: { p50: 1, p99: 2, max: 3 },
      polled: { p50: 1, p99: 2, max: 3 },
      missing: 0,
      duplicates: 0,
      failed_sends: 0,
      idle_cpu_percent: { gateway: 1, message: 1 },
    },
    failed_answers: failedAnswers({ ...clean, favoriteScales: [{ small: run(), large: run(300) }], stormFailed: 7 }),
    notes: [],
    details: {},
  };
  const rows = table(results).split('\n');
  const row = (figure: string) => rows.find((line) => line.startsWith(figure)) ?? '';
  assert.match(row('favorite_list_p50_1m_over_10k'), /MISS {2}1\.1 \[300 failed in the runs behind it\]$/);
  assert.match(row('like_storm_exact'), /MISS {2}true \[7 failed in the runs behind it\]$/);
  assert.match(row('feed_p50_1m_over_10k'), /met {3}1$/);
  assert.match(row('hop_vs_bare '), /met  /);
});

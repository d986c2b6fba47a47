import { HOP_VARIANTS, type CallingVariant, type HopRound } from './hop/hop-ratios.js';
import type { WrkResult } from './wrk.js';

/**
 * Per figure, the answers that failed in the runs it was measured from (timeouts, socket errors, status_code ≠ 0), or
 * the requests refused or sends lost behind it. A figure with any is not met, whatever its value: wrk leaves a request
 * past its timeout out of the latencies, and one refused at once makes a run look faster, or a storm's counters exact.
 */
export type FailedAnswers = Record<string, number>;

export interface MeasuredRuns {
  feedVsInprocess: ReadonlyArray<{ mesh: WrkResult; inprocess: WrkResult }>;
  hopRounds: readonly HopRound[];
  feedScales: ReadonlyArray<{ small: WrkResult; large: WrkResult }>;
  favoriteScales: ReadonlyArray<{ small: WrkResult; large: WrkResult }>;
  stormFailed: number;
  pushFailedSends: number;
}

const failedIn = (runs: readonly WrkResult[]) => runs.reduce((sum, run) => sum + run.errors, 0);

const HOP_FIGURES: Record<CallingVariant, string> = {
  mesh: 'hop_vs_bare',
  meshSampled: 'hop_vs_bare_sampled_10pct',
  meshUntraced: 'hop_vs_bare_untraced',
  stockTrpc: 'stock_trpc_hop_vs_bare',
  moleculer: 'moleculer_hop_vs_bare',
};

export function failedAnswers(runs: MeasuredRuns): FailedAnswers {
  const hops = HOP_VARIANTS.filter((v): v is CallingVariant => v !== 'bare').map((variant) => [
    HOP_FIGURES[variant],
    failedIn(runs.hopRounds.flatMap((round) => [round.bare, round[variant]])),
  ]);
  return {
    mesh_vs_inprocess: failedIn(runs.feedVsInprocess.flatMap((r) => [r.mesh, r.inprocess])),
    ...Object.fromEntries(hops),
    feed_p50_1m_over_10k: failedIn(runs.feedScales.flatMap((r) => [r.small, r.large])),
    favorite_list_p50_1m_over_10k: failedIn(runs.favoriteScales.flatMap((r) => [r.small, r.large])),
    like_storm_exact: runs.stormFailed,
    push_delivery_ms: runs.pushFailedSends,
  };
}

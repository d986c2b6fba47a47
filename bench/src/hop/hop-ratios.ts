import { median } from '../median.js';
import type { WrkResult } from '../wrk.js';

/** What the hop comparison measures: a bare route, and the routes that make one call over each transport. */
export const HOP_VARIANTS = ['bare', 'mesh', 'meshSampled', 'meshUntraced', 'stockTrpc', 'moleculer'] as const;
export type HopVariant = (typeof HOP_VARIANTS)[number];
export type CallingVariant = Exclude<HopVariant, 'bare'>;

/** One round: every variant measured once, one after the other. */
export type HopRound = Record<HopVariant, WrkResult>;

/**
 * Each calling variant's req/s over bare's in the same round, the median over rounds. A ratio of runs minutes
 * apart would measure the machine's drift as much as the hop; bare is measured again in every round for that.
 */
export function hopRatios(rounds: readonly HopRound[]): Record<CallingVariant, number> {
  const of = (variant: CallingVariant) => median(rounds.map((round) => round[variant].rps / round.bare.rps));
  return Object.fromEntries(HOP_VARIANTS.filter((v): v is CallingVariant => v !== 'bare').map((v) => [v, of(v)])) as Record<CallingVariant, number>;
}

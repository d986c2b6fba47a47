import { median } from './median.js';
import type { WrkResult } from './wrk.js';

/** A mesh to measure: its gateway and the environment its deploy/wrk scripts read. */
export interface ScaleTarget {
  url: string;
  env: Record<string, string>;
}

/** One measured wrk run of `script` against `target`. */
export type MeasureRun = (target: ScaleTarget, script: string) => Promise<WrkResult>;

export interface ScaleComparison {
  /** The median over rounds of p50 at the large scale divided by p50 at the small one. */
  ratio: number;
  rounds: Array<{ small: WrkResult; large: WrkResult; ratio: number }>;
}

export interface ThroughputComparison {
  /** The median round's mesh req/s divided by its in-process server's. */
  ratio: number;
  /** The round whose ratio is the median (the lower middle one for an even count), so its latencies go with it. */
  medianRound: { mesh: WrkResult; inprocess: WrkResult; ratio: number };
  rounds: Array<{ mesh: WrkResult; inprocess: WrkResult; ratio: number }>;
}

/**
 * `script` against two targets, first then second, in each of `rounds` rounds. The machine's other load drifts
 * over minutes: one run per target, minutes apart, measured that drift as much as the targets (the same newest
 * feed page came out 0.75x and 1.32x slower in two runs).
 */
async function alternate<A extends string, B extends string>(
  [a, b]: readonly [[A, ScaleTarget], [B, ScaleTarget]],
  script: string,
  rounds: number,
  measure: MeasureRun,
): Promise<Array<Record<A, WrkResult> & Record<B, WrkResult>>> {
  const results: Array<Record<A, WrkResult> & Record<B, WrkResult>> = [];
  for (let i = 0; i < rounds; i++) {
    const first = await measure(a[1], script);
    const second = await measure(b[1], script);
    results.push({ [a[0]]: first, [b[0]]: second } as Record<A, WrkResult> & Record<B, WrkResult>);
  }
  return results;
}

/** Compares `script`'s p50 between two meshes running side by side, small then large in each round; keeps the median ratio. */
export async function compareScales(
  targets: { small: ScaleTarget; large: ScaleTarget },
  script: string,
  rounds: number,
  measure: MeasureRun,
): Promise<ScaleComparison> {
  const measured = await alternate([['small', targets.small], ['large', targets.large]] as const, script, rounds, measure);
  const results = measured.map((r) => ({ ...r, ratio: r.large.p50Ms / r.small.p50Ms }));
  return { ratio: median(results.map((r) => r.ratio)), rounds: results };
}

/** Compares `script`'s req/s through the mesh with the same work in one process, mesh first in each round. */
export async function compareThroughput(
  targets: { mesh: ScaleTarget; inprocess: ScaleTarget },
  script: string,
  rounds: number,
  measure: MeasureRun,
): Promise<ThroughputComparison> {
  const measured = await alternate([['mesh', targets.mesh], ['inprocess', targets.inprocess]] as const, script, rounds, measure);
  const results = measured.map((r) => ({ ...r, ratio: r.mesh.rps / r.inprocess.rps }));
  const byRatio = [...results].sort((x, y) => x.ratio - y.ratio);
  const medianRound = byRatio[Math.floor((byRatio.length - 1) / 2)];
  if (!medianRound) throw new Error('compareThroughput needs at least one round');
  return { ratio: medianRound.ratio, medianRound, rounds: results };
}

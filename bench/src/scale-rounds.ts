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
 * `script` against two targets, both in each of `rounds` rounds, with each round's `ratio`. The machine's other
 * load drifts over minutes: one run per target, minutes apart, measured that drift as much as the targets (the same
 * newest feed page came out 0.75x and 1.32x slower in two runs). Within a round the later run meets the machine a
 * little further along that drift (two identical meshes on one database, measured alternately, came out 0.83-1.17x
 * apart, the later one faster in five rounds of eight), so the order swaps every round and neither target is always
 * the later one.
 */
async function alternate(
  [first, second]: readonly [ScaleTarget, ScaleTarget],
  run: { script: string; rounds: number; measure: MeasureRun },
  ratio: (first: WrkResult, second: WrkResult) => number,
): Promise<Array<{ first: WrkResult; second: WrkResult; ratio: number }>> {
  const results = [];
  for (let i = 0; i < run.rounds; i++) {
    let a: WrkResult;
    let b: WrkResult;
    if (i % 2 === 0) {
      a = await run.measure(first, run.script);
      b = await run.measure(second, run.script);
    } else {
      b = await run.measure(second, run.script);
      a = await run.measure(first, run.script);
    }
    results.push({ first: a, second: b, ratio: ratio(a, b) });
  }
  return results;
}

/** Compares `script`'s p50 between two meshes running side by side, both in each round; keeps the median ratio. */
export async function compareScales(targets: { small: ScaleTarget; large: ScaleTarget }, script: string, rounds: number, measure: MeasureRun): Promise<ScaleComparison> {
  const measured = await alternate([targets.small, targets.large], { script, rounds, measure }, (small, large) => large.p50Ms / small.p50Ms);
  const results = measured.map((r) => ({ small: r.first, large: r.second, ratio: r.ratio }));
  return { ratio: median(results.map((r) => r.ratio)), rounds: results };
}

/** Compares `script`'s req/s through the mesh with the same work in one process, both in each round. */
export async function compareThroughput(targets: { mesh: ScaleTarget; inprocess: ScaleTarget }, script: string, rounds: number, measure: MeasureRun): Promise<ThroughputComparison> {
  const measured = await alternate([targets.mesh, targets.inprocess], { script, rounds, measure }, (mesh, inprocess) => mesh.rps / inprocess.rps);
  const results = measured.map((r) => ({ mesh: r.first, inprocess: r.second, ratio: r.ratio }));
  const medianRound = [...results].sort((x, y) => x.ratio - y.ratio)[Math.floor((results.length - 1) / 2)];
  if (!medianRound) throw new Error('compareThroughput needs at least one round');
  return { ratio: medianRound.ratio, medianRound, rounds: results };
}

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

/**
 * Compares `script`'s p50 between two meshes running side by side, small then large in each of `rounds` rounds,
 * and keeps the median ratio. The machine's other load drifts over minutes: one run per scale, minutes apart,
 * measured that drift as much as the scales (the same newest feed page came out 0.75x and 1.32x slower in two runs).
 */
export async function compareScales(
  targets: { small: ScaleTarget; large: ScaleTarget },
  script: string,
  rounds: number,
  measure: MeasureRun,
): Promise<ScaleComparison> {
  const results: ScaleComparison['rounds'] = [];
  for (let i = 0; i < rounds; i++) {
    const small = await measure(targets.small, script);
    const large = await measure(targets.large, script);
    results.push({ small, large, ratio: large.p50Ms / small.p50Ms });
  }
  return { ratio: median(results.map((r) => r.ratio)), rounds: results };
}

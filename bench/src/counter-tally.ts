/** Monotonic counters read at one moment, by name (CPU seconds, commands served, rows examined). */
export type CounterReading = Readonly<Record<string, number>>;

/** Reads a set of counters now. */
export type ReadCounters = () => Promise<CounterReading>;

/**
 * How much of each counter a request cost over every run measured through the tally: the counters' growth and the
 * requests are summed across runs before dividing, so the figure is what one long run would give, not an average of
 * short runs' ratios.
 */
export class CounterTally {
  private readonly sums = new Map<string, number>();
  private requests = 0;

  constructor(private readonly read: ReadCounters) {}

  /**
   * Runs `run` (which reports how many requests it made) once, with every tally's counters read just before and just
   * after it, so that several tallies charge the same run.
   */
  static async measure<T extends { requests: number }>(tallies: readonly CounterTally[], run: () => Promise<T>): Promise<T> {
    const before = await Promise.all(tallies.map((tally) => tally.read()));
    const result = await run();
    const after = await Promise.all(tallies.map((tally) => tally.read()));
    tallies.forEach((tally, i) => tally.add(before[i]!, after[i]!, result.requests));
    return result;
  }

  private add(before: CounterReading, after: CounterReading, requests: number): void {
    // A counter seen only afterwards (a statement first run during the run) grew from nothing.
    for (const [name, value] of Object.entries(after)) this.sums.set(name, (this.sums.get(name) ?? 0) + value - (before[name] ?? 0));
    this.requests += requests;
  }

  /** Each counter's growth per request, in the order the counters were first read; nothing before a run with requests. */
  perRequest(): Record<string, number> {
    if (this.requests === 0) return {};
    return Object.fromEntries([...this.sums].map(([name, sum]) => [name, sum / this.requests]));
  }
}

/**
 * Splits counters named `<subject>\t<measure>`, as readers of several measures name them, into one record per
 * subject; a counter named without a measure is its subject's `value`.
 */
export function bySubject(counters: Readonly<Record<string, number>>): Record<string, Record<string, number>> {
  const subjects: Record<string, Record<string, number>> = {};
  for (const [name, value] of Object.entries(counters)) {
    const tab = name.lastIndexOf('\t');
    const [subject, measure] = tab < 0 ? [name, 'value'] : [name.slice(0, tab), name.slice(tab + 1)];
    (subjects[subject] ??= {})[measure] = value;
  }
  return subjects;
}

import { cpuDuring } from './process-cpu.js';

/** The processes a measured run is charged with, by name; a pid of 0 (not known) is left out. */
export type NamedProcesses = Readonly<Record<string, number>>;

/**
 * CPU per request of each process over every run measured through it: CPU seconds and requests are summed across
 * runs before dividing, so the figure is what one long run would give, not an average of short runs' ratios.
 */
export class CpuTally {
  private readonly seconds = new Map<string, number>();
  private requests = 0;

  constructor(private readonly processes: NamedProcesses) {}

  /** Runs `run` (which reports how many requests it made) and adds what every process spent meanwhile. */
  async measure<T extends { requests: number }>(run: () => Promise<T>): Promise<T> {
    const names = Object.keys(this.processes).filter((name) => this.processes[name]! > 0);
    const { result, seconds } = await cpuDuring(
      names.map((name) => this.processes[name]!),
      run,
    );
    names.forEach((name, i) => this.seconds.set(name, (this.seconds.get(name) ?? 0) + seconds[i]!));
    this.requests += result.requests;
    return result;
  }

  /** µs of CPU per request by process, in the order the processes were named, and their sum as `total`. */
  microsPerRequest(): Record<string, number> {
    if (this.requests === 0) return {};
    const each = [...this.seconds].map(([name, seconds]): [string, number] => [name, (seconds * 1e6) / this.requests]);
    return Object.fromEntries([...each, ['total', each.reduce((sum, [, us]) => sum + us, 0)]]);
  }
}

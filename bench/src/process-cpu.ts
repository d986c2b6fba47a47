import { cpuSeconds } from '@douyin/testing';
import type { ReadCounters } from './counter-tally.js';

/** Runs `work` and returns its result with the CPU seconds each of `pids` spent meanwhile, in the same order. */
export async function cpuDuring<T>(pids: readonly number[], work: () => Promise<T>): Promise<{ result: T; seconds: number[] }> {
  const before = await Promise.all(pids.map(cpuSeconds));
  const result = await work();
  const after = await Promise.all(pids.map(cpuSeconds));
  return { result, seconds: after.map((s, i) => s - before[i]!) };
}

/** Processes by name; a pid of 0 (not known) is left out of what is read. */
export type NamedProcesses = Readonly<Record<string, number>>;

/** A counter reader of the CPU seconds each named process has used so far. */
export function processesCpu(processes: NamedProcesses): ReadCounters {
  const named = Object.entries(processes).filter(([, pid]) => pid > 0);
  return async () => Object.fromEntries(await Promise.all(named.map(async ([name, pid]) => [name, await cpuSeconds(pid)] as const)));
}

/** CPU seconds per request by process as whole µs, with their sum as `total`. */
export function cpuMicros(secondsPerRequest: Readonly<Record<string, number>>): Record<string, number> {
  const seconds = Object.entries(secondsPerRequest);
  if (seconds.length === 0) return {};
  const total = seconds.reduce((sum, [, s]) => sum + s, 0);
  return Object.fromEntries([...seconds, ['total', total] as const].map(([name, s]) => [name, Math.round(s * 1e6)]));
}

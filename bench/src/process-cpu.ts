import { readFile } from 'node:fs/promises';
import type { ReadCounters } from './counter-tally.js';

/** Linux's USER_HZ: /proc/<pid>/stat counts CPU time in hundredths of a second. */
const TICKS_PER_SECOND = 100;

/** CPU seconds a process has used so far, user and system, every thread included (its GC helpers too). */
export async function cpuSeconds(pid: number): Promise<number> {
  // The fields after the command's closing parenthesis; utime and stime are the 12th and 13th of them.
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

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

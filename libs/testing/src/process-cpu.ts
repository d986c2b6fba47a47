import { readFile } from 'node:fs/promises';

/** Linux's USER_HZ: /proc counts times in clock ticks, a hundred a second (CPU time, TCP timers). */
export const TICKS_PER_SECOND = 100;

/** CPU seconds a process has used so far, user and system, every thread included (its GC helpers too). */
export async function cpuSeconds(pid: number): Promise<number> {
  // The fields after the command's closing parenthesis; utime and stime are the 12th and 13th of them.
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}
